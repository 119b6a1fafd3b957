// Executes a parsed template like text/template's exec.go: pipelines, field chains,
// variables, if/with/range, function calls with Go's argument checks, `<no value>`.

import { formatV } from "./format.js";
import type { FuncTable, GoFunc, ParamKind } from "./funcs.js";
import type { Arg, Command, ControlNode, Node, NumberConst, Pipe, Span, TemplateNode } from "./nodes.js";
import { GoObject } from "./object.js";
import { GoTime } from "./time.js";
import { hasKey, isMap, isTrue, sortedKeys, typeName } from "./values.js";

export class ExecError extends Error {
  constructor(
    readonly detail: string,
    readonly pos: number,
    readonly context: string,
  ) {
    super(detail);
  }
}

type Signal = "none" | "break" | "continue";
const MISSING = Symbol("missing");
type Final = unknown | typeof MISSING;
const MAX_DEPTH = 100;

const GO_TYPE: Record<string, string> = {
  any: "interface {}", string: "string", int: "int", float: "float64", bool: "bool",
  map: "map[string]interface {}", time: "time.Time", list: "[]interface {}", uint32: "uint32",
  hashAlgorithm: "sprig.HashAlgorithm",
};

function goType(kind: ParamKind): string {
  return kind.startsWith("obj:") ? kind.slice(4) : GO_TYPE[kind];
}

/**
 * What one execution may spend: a Sensor author's template runs on every event, and
 * `range (until 60000000)` must end with an error, not exhaust the heap or stall the
 * process. Far above any real parameter template.
 */
export const TEMPLATE_MAX_STEPS = 1_000_000;
export const TEMPLATE_MAX_OUTPUT = 1024 * 1024;
export const TEMPLATE_MAX_LIST = 100_000;
/** Characters (and list elements) all function results of one render may add up to. */
export const TEMPLATE_MAX_MADE = 16 * 1024 * 1024;

export class Executor {
  private vars: { name: string; value: unknown }[] = [];
  private out = "";
  private steps = 0;
  private made = 0;
  private node: Span = { pos: 0, end: 0 };
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly funcs: FuncTable,
    private readonly defines: Map<string, Node[]>,
  ) {}

  run(root: Node[], data: unknown): string {
    this.vars = [{ name: "$", value: data }];
    this.walkList(data, root);
    return this.out;
  }

  private fail(detail: string): never {
    throw new ExecError(detail, this.node.pos, this.src.slice(this.node.pos, this.node.end));
  }

  // --- walking ---
  private walkList(dot: unknown, list: Node[]): Signal {
    for (const n of list) {
      const sig = this.walk(dot, n);
      if (sig !== "none") return sig;
    }
    return "none";
  }

  private walk(dot: unknown, n: Node): Signal {
    if (++this.steps > TEMPLATE_MAX_STEPS) this.fail(`template exceeded its budget of ${TEMPLATE_MAX_STEPS} steps`);
    if (this.out.length > TEMPLATE_MAX_OUTPUT) this.fail(`template exceeded its budget of ${TEMPLATE_MAX_OUTPUT} bytes of output`);
    if (n.kind === "text") {
      this.out += n.text;
      return "none";
    }
    this.node = n;
    switch (n.kind) {
      case "action": {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += v === undefined ? "<no value>" : formatV(v);
        return "none";
      }
      case "if":
      case "with": {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        const sig = isTrue(v)
          ? this.walkList(n.kind === "with" ? v : dot, n.list)
          : n.elseList
            ? this.walkList(dot, n.elseList)
            : "none";
        this.vars.length = mark;
        return sig;
      }
      case "range":
        return this.walkRange(dot, n);
      case "template":
        return this.walkTemplate(dot, n);
      case "break":
      case "continue":
        return n.kind;
    }
  }

  private walkRange(dot: unknown, r: ControlNode): Signal {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    const inner = this.vars.length;
    const ndecl = r.pipe.decl.length;
    const one = (key: unknown, elem: unknown): Signal => {
      if (ndecl > 0) this.vars[inner - 1].value = elem;
      if (ndecl > 1) this.vars[inner - 2].value = key;
      const sig = this.walkList(elem, r.list);
      this.vars.length = inner;
      return sig;
    };
    let iterated = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        iterated = true;
        if (++this.steps > TEMPLATE_MAX_STEPS) this.fail(`template exceeded its budget of ${TEMPLATE_MAX_STEPS} steps`);
        if (one(BigInt(i), val[i]) === "break") break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        iterated = true;
        if (one(k, val[k]) === "break") break;
      }
    } else if (typeof val === "bigint") {
      if (val < 0n) this.fail("range can't iterate over a negative number");
      for (let i = 0n; i < val; i++) {
        iterated = true;
        if (++this.steps > TEMPLATE_MAX_STEPS) this.fail(`template exceeded its budget of ${TEMPLATE_MAX_STEPS} steps`);
        if (one(i, i) === "break") break;
      }
    } else if (val !== undefined && val !== null) {
      this.node = r;
      this.fail(`range can't iterate over ${formatV(val)}`);
    }
    if (!iterated && r.elseList) this.walkList(dot, r.elseList);
    this.vars.length = mark;
    return "none";
  }

  private walkTemplate(dot: unknown, t: TemplateNode): Signal {
    const tmpl = this.defines.get(t.name);
    if (!tmpl) this.fail(`template "${t.name}" not defined`);
    if (this.depth >= MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const saved = this.vars;
    this.vars = [{ name: "$", value: newDot }];
    this.depth++;
    try {
      this.walkList(newDot, tmpl);
    } finally {
      this.depth--;
      this.vars = saved;
    }
    return "none";
  }

  // --- evaluation ---
  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    this.node = pipe;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // An interface holding nil is no value at all once it leaves a command ("lovely!" in exec.go).
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        const v = [...this.vars].reverse().find((x) => x.name === name);
        if (!v) this.fail(`undefined variable: ${name}`);
        v.value = value;
      } else {
        this.vars.push({ name, value });
      }
    }
    return value;
  }

  private notAFunction(args: Arg[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.fail(`can't give argument to non-function ${this.src.slice(args[0].pos, args[0].end)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: Command, final: Final): unknown {
    const first = cmd.args[0];
    this.node = first;
    switch (first.kind) {
      case "field":
        return this.evalFieldChain(dot, dot, first.idents, cmd.args, final);
      case "chain":
        return this.evalChain(dot, first, cmd.args, final);
      case "identifier":
        return this.evalCall(dot, first.name, cmd, cmd.args.slice(1), final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first.pipe);
      case "variable":
        return this.evalVariable(dot, first, cmd.args, final);
    }
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.fail("nil is not a command");
      case "number":
        return this.idealConstant(first.num);
      case "string":
        return first.value;
    }
  }

  private idealConstant(n: NumberConst): unknown {
    const isHexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !isHexInt && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    return this.fail(`${n.text} overflows int`);
  }

  private evalVariable(dot: unknown, v: Extract<Arg, { kind: "variable" }>, args: Arg[], final: Final): unknown {
    this.node = v;
    const found = [...this.vars].reverse().find((x) => x.name === v.idents[0]);
    if (!found) this.fail(`undefined variable: ${v.idents[0]}`);
    if (v.idents.length === 1) {
      this.notAFunction(args, final);
      return found.value;
    }
    return this.evalFieldChain(dot, found.value, v.idents.slice(1), args, final);
  }

  private evalChain(dot: unknown, c: Extract<Arg, { kind: "chain" }>, args: Arg[], final: Final): unknown {
    if (c.node.kind === "nil") this.fail(`indirection through explicit nil in ${this.src.slice(c.pos, c.end)}`);
    const receiver = this.evalArg(dot, null, c.node);
    this.node = c;
    return this.evalFieldChain(dot, receiver, c.fields, args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, idents: string[], args: Arg[], final: Final): unknown {
    let r = receiver;
    const node = this.node;
    for (let i = 0; i < idents.length - 1; i++) r = this.evalField(dot, idents[i], node, [], MISSING, r);
    return this.evalField(dot, idents[idents.length - 1], node, args, final, r);
  }

  /** `args` is the command's words, the field itself first, as in exec.go. */
  private evalField(dot: unknown, name: string, node: Span, args: Arg[], final: Final, receiver: unknown): unknown {
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoObject) {
      const method = receiver.method(name);
      if (method) return this.callFunc(dot, name, method, node, args.slice(1), final);
      const field = receiver.field(name);
      if (field) {
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return field.value;
      }
      return this.fail(`can't evaluate field ${name} in type ${receiver.goType}`);
    }
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (isMap(receiver)) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return hasKey(receiver, name) ? receiver[name] : undefined;
    }
    if (receiver instanceof GoTime && !hasArgs) {
      if (name === "Unix") return BigInt(receiver.unixSeconds());
      if (name === "String") return receiver.toString();
    }
    return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalCall(dot: unknown, name: string, cmd: Command | Arg, args: Arg[], final: Final): unknown {
    const f: GoFunc | undefined = this.funcs[name];
    if (!f) this.fail(`"${name}" is not a defined function`);
    return this.callFunc(dot, name, f, cmd, args, final);
  }

  /** Calls a function or a method with the argument words `args` and the piped value. */
  private callFunc(dot: unknown, name: string, f: GoFunc, cmd: Span, args: Arg[], final: Final): unknown {
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numFixed = f.params.length;
    if (f.variadic !== undefined) {
      if (numIn < numFixed) this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === "and" || name === "or") {
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, null, a);
        if (isTrue(v) === (name === "or")) return v;
      }
      return final !== MISSING ? final : v;
    }
    const argv: unknown[] = [];
    args.forEach((a, i) => argv.push(this.evalArg(dot, i < numFixed ? f.params[i] : (f.variadic ?? "any"), a)));
    if (final !== MISSING) {
      const kind = f.variadic !== undefined && numIn - 1 >= numFixed ? f.variadic : f.params[numIn - 1];
      argv.push(this.validateType(final, kind));
    }
    this.node = cmd;
    const cost = typeof f.cost === "function" ? f.cost(argv) : (f.cost ?? 0);
    if (cost > 0 && (this.steps += cost) > TEMPLATE_MAX_STEPS) {
      this.fail(`template exceeded its budget of ${TEMPLATE_MAX_STEPS} steps (${name} is costly)`);
    }
    let result: unknown;
    try {
      result = f.call(argv);
    } catch (err) {
      if (err instanceof ExecError) throw err;
      return this.fail(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // What functions make counts too, not only what is written out: a value doubled in a
    // loop and kept in a variable never reaches the output.
    const size = typeof result === "string" ? result.length : Array.isArray(result) ? result.length : 0;
    if ((this.made += size) > TEMPLATE_MAX_MADE) this.fail(`template exceeded its budget of ${TEMPLATE_MAX_MADE} characters made by functions`);
    return result;
  }

  /** Evaluates an argument for a parameter of `kind` (null: keep the raw value). */
  private evalArg(dot: unknown, kind: ParamKind | null, a: Arg): unknown {
    this.node = a;
    const check = (v: unknown): unknown => (kind === null ? v : this.validateType(v, kind));
    switch (a.kind) {
      case "dot":
        return check(dot);
      case "nil":
        if (kind === null || kind === "any" || kind === "map" || kind === "list" || kind.startsWith("obj:*")) return null;
        return this.fail(`cannot assign nil to ${goType(kind)}`);
      case "field":
        return check(this.evalFieldChain(dot, dot, a.idents, [a], MISSING));
      case "variable":
        return check(this.evalVariable(dot, a, [a], MISSING));
      case "pipe":
        return check(this.evalPipeline(dot, a.pipe));
      case "identifier":
        return check(this.evalCall(dot, a.name, a, [], MISSING));
      case "chain":
        return check(this.evalChain(dot, a, [a], MISSING));
    }
    const text = this.src.slice(a.pos, a.end);
    switch (kind) {
      case null:
      case "any":
        return a.kind === "number" ? this.idealConstant(a.num) : a.value;
      case "string":
      case "hashAlgorithm":
        if (a.kind === "string") return a.value;
        return this.fail(`expected string; found ${text}`);
      case "uint32":
        // Go sets the constant's uint64 value into the uint32 without an overflow check.
        if (a.kind === "number" && a.num.isInt && a.num.int >= 0n) return Number(BigInt.asUintN(32, a.num.int));
        return this.fail(`expected unsigned integer; found ${text}`);
      case "int":
        if (a.kind === "number" && a.num.isInt) return Number(a.num.int);
        return this.fail(`expected integer; found ${text}`);
      case "float":
        if (a.kind === "number" && a.num.isFloat) return a.num.float;
        return this.fail(`expected float; found ${text}`);
      case "bool":
        if (a.kind === "bool") return a.value;
        return this.fail(`expected bool; found ${text}`);
      default:
        return this.fail(`can't handle ${text} for arg of type ${goType(kind)}`);
    }
  }

  /** text/template's validateType: is the value assignable to the parameter? */
  private validateType(v: unknown, kind: ParamKind): unknown {
    if (kind === "any") return v === undefined ? null : v;
    const nilable = kind === "map" || kind === "list" || kind.startsWith("obj:*");
    if (nilable && (v === undefined || v === null)) return null;
    if (v === undefined) this.fail(`invalid value; expected ${goType(kind)}`);
    const ok =
      (kind === "string" && typeof v === "string") ||
      (kind === "int" && typeof v === "bigint") ||
      (kind === "float" && typeof v === "number") ||
      (kind === "bool" && typeof v === "boolean") ||
      (kind === "map" && isMap(v)) ||
      (kind === "list" && Array.isArray(v)) ||
      (kind === "time" && v instanceof GoTime) ||
      (v instanceof GoObject && kind === `obj:${v.goType}`);
    if (!ok) this.fail(`wrong type for value; expected ${goType(kind)}; got ${v === null ? "interface {}" : typeName(v)}`);
    return kind === "int" ? Number(v) : v;
  }
}
