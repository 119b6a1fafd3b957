// The text of an object a parameter or a string filter reads (gjson's Raw / String()):
// Argo's gjson reads the bytes the EventSource marshalled, so each case names the Go
// code that wrote them. The events' bodies are parsed from text as the receivers parse
// them, remembering it.
import { describe, it } from "vitest";
import { rememberJsonText } from "../../src/eventbus/index.js";
import { formValues } from "../../src/eventsource/payload.js";
import { param, runCase, type SemCase } from "./harness.js";

const fired = (data: Record<string, unknown>) => ({ fired: true, data }) as const;
const no = (reason: RegExp) => ({ fired: false, reason }) as const;

const BODY_TEXT = `{ "obj": {"b": 1, "10": "x", "a": 1.50, "s": "a\\/b<c>"},
  "big": 12345678901234567890, "list": [ {"k": 2, "j": 1} ] }`;
/** A webhook envelope whose body remembers the sender's text, as parseJson does. */
const envelope = () => ({
  header: { "X-Z": ["z"], "Content-Type": ["application/json"] },
  body: rememberJsonText(JSON.parse(BODY_TEXT) as unknown, BODY_TEXT),
});
const OBJ = '{"b":1,"10":"x","a":1.50,"s":"a\\/b\\u003cc\\u003e"}';

const cases: SemCase[] = [
  // encoding/json Marshal of a json.RawMessage (webhook/start.go WebhookEventData.Body): compact, HTML escapes, nothing else.
  { name: "webhook body object: the sender's order and spelling", params: [param({ dataKey: "body.obj" })], events: [{ data: envelope() }], expect: fired({ out: OBJ }) },
  { name: "webhook body: the whole body, compacted", params: [param({ dataKey: "body" })], events: [{ data: envelope() }], expect: fired({ out: `{"obj":${OBJ},"big":12345678901234567890,"list":[{"k":2,"j":1}]}` }) },
  // gjson Result.String(): an integer's raw text as written, past 2^53 too.
  { name: "an integer past 2^53 as written", params: [param({ dataKey: "body.big" })], events: [{ data: envelope() }], expect: fired({ out: "12345678901234567890" }) },
  // gjson's #.key and multipath results join their members' raw texts.
  { name: "#.key joins the members' texts", params: [param({ dataKey: "body.list.#.k" })], events: [{ data: envelope() }], expect: fired({ out: "[2]" }) },
  { name: "a multipath object of texts", params: [param({ dataKey: "{o:body.obj,l:body.list.0}" })], events: [{ data: envelope() }], expect: fired({ out: `{"o":${OBJ},"l":{"k":2,"j":1}}` }) },
  // webhook/start.go GetBody: a form is json.Marshal(request.PostForm), a Go map (url.Values).
  {
    name: "a form body: url.Values, sorted keys",
    params: [param({ dataKey: "body" })],
    events: [{ data: { header: {}, body: formValues("z=1&b=2&10=x&9=y&b=3") } }],
    expect: fired({ out: '{"10":["x"],"9":["y"],"b":["2","3"],"z":["1"]}' }),
  },
  // http.Header is a Go map: sorted keys.
  { name: "the header map in sorted order", params: [param({ dataKey: "header" })], events: [{ data: envelope() }], expect: fired({ out: '{"Content-Type":["application/json"],"X-Z":["z"]}' }) },
  // github/start.go parseValidateRequest: json.Unmarshal into map[string]interface{}, json.Marshal again.
  {
    name: "github body: sorted keys at every level",
    params: [param({ dataKey: "body.obj" })],
    events: [{ data: envelope(), context: { type: "github" } }],
    expect: fired({ out: '{"10":"x","a":1.5,"b":1,"s":"a/b\\u003cc\\u003e"}' }),
  },
  // params.go renderEventDataAsJSON: application/yaml goes through ghodss/yaml YAMLToJSON (Go maps).
  {
    name: "application/yaml data: sorted keys",
    params: [param({ dataKey: "body.list.0" })],
    events: [{ data: envelope(), context: { datacontenttype: "application/yaml" } }],
    expect: fired({ out: '{"j":1,"k":2}' }),
  },
  // filter.go filterData: a string filter matches its regexps against gjson's String(), the raw text for an object.
  {
    name: "a string filter on an object sees the sender's text",
    filters: { data: [{ path: "body.obj", type: "string", value: ['^\\{"b":1,"10":"x"'] }] },
    events: [{ data: envelope() }],
    expect: fired({}),
  },
  {
    name: "a string filter on a GitHub object sees sorted keys",
    filters: { data: [{ path: "body.obj", type: "string", value: ['^\\{"b":1,"10":"x"'] }] },
    events: [{ data: envelope(), context: { type: "github" } }],
    expect: no(/body\.obj/),
  },
];

describe("Argo's bytes of an event's data", () => {
  it.each(cases)("$name", (c) => runCase(c));
});
