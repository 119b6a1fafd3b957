// The public surface of src/expr: the only module other folders import from it.
export { allOf, compileConditions, type CompiledCondition } from "./conditions.js";
export { parseGoDuration } from "./duration.js";
export { compileExprLang } from "./exprlang.js";
export { compilePath, type CompiledPath, type GjsonResult, type GjsonType, type RawSource } from "./gjson.js";
export { marshal as goJsonMarshal } from "./gotemplate/json.js";
export { compactGoJson, locateJsonText, type JsonStep } from "./json-text.js";
export { GoTemplateError, compileGoTemplate, type CompiledGoTemplate } from "./gotemplate/index.js";
export { ParseError, parseTemplate } from "./gotemplate/parser.js";
export { compileGovaluate, type CompiledExpression } from "./govaluate.js";
export { compileRegex, type CompiledRegex } from "./regex.js";
export { sjsonSet } from "./sjson.js";
