// `argoWorkflow.args` read as the argo CLI reads them (pflag syntax, the flags of
// `argo submit`: util.PopulateSubmitOpts and cmd/argo/commands/submit.go), applied as
// ApplySubmitOpts applies them (workflow/util/util.go).
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../api/types.js";
import { applySubmitOpts } from "../../workflows/submit-opts.js";
import { ArgoArgsError, parseOperationArgs, parseSubmitArgs } from "./argo-args.js";

const wf = (): KubeObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { generateName: "w-", labels: { team: "a" } },
  spec: { entrypoint: "main", arguments: { parameters: [{ name: "a", value: "1" }, { name: "b", value: "2" }] } },
});

describe("argo submit flags", () => {
  it("reads long, --flag=value, shorthand and attached shorthand forms", () => {
    expect(
      parseSubmitArgs(["--entrypoint", "other", "--serviceaccount=runner", "-p", "b=20", "-pc=30", "-l", "env=prod,tier=web", "--generate-name", "x-", "--priority", "5"]),
    ).toEqual({ entrypoint: "other", serviceAccount: "runner", parameters: ["b=20", "c=30"], labels: "env=prod,tier=web", generateName: "x-", priority: 5 });
  });

  it("accepts what only changes the CLI's output or waiting (the special-workflow-trigger example)", () => {
    expect(parseSubmitArgs(["--node-field-selector", "phase=abc", "-o", "json", "--wait", "--log", "--strict=false"])).toEqual({});
  });

  it.each([
    [["--parameter-file", "p.yaml"], "not supported: argo flag --parameter-file (it reads a file on the machine running the CLI)"],
    [["-f", "p.yaml"], "not supported: argo flag --parameter-file"],
    [["--dry-run"], "not supported: argo flag --dry-run (it creates nothing)"],
    [["--paramter", "a=1"], "unknown flag: --paramter"],
    [["-x"], "unknown shorthand flag: 'x' in -x"],
    [["--entrypoint"], "flag needs an argument: --entrypoint"],
    [["--priority", "high"], 'invalid argument "high" for "--priority" flag'],
    [["workflow.yaml"], "unexpected argument"],
    [["-l", "env"], "expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: env"],
    [["-p", "novalue"], "expected parameter of the form: NAME=VALUE. Received: novalue"],
  ])("refuses %j", (args, message) => {
    expect(() => parseSubmitArgs(args)).toThrow(ArgoArgsError);
    expect(() => parseSubmitArgs(args)).toThrow(message);
  });

  it("applies them as ApplySubmitOpts: passed parameters first, labels merged, names last", () => {
    const out = applySubmitOpts(wf(), parseSubmitArgs(["-p", "b=20", "-p", "c=30", "-l", "env=prod", "--entrypoint", "e", "--serviceaccount", "sa", "--name", "fixed"]));
    expect(out.metadata).toMatchObject({ name: "fixed", labels: { team: "a", env: "prod" } });
    expect(out.spec).toMatchObject({
      entrypoint: "e",
      serviceAccountName: "sa",
      arguments: { parameters: [{ name: "b", value: "20" }, { name: "c", value: "30" }, { name: "a", value: "1" }] },
    });
  });

  it("refuses a malformed label or parameter when applied, with the CLI's message", () => {
    expect(() => applySubmitOpts(wf(), { labels: "env" })).toThrow("expected labels of the form: NAME1=VALUE2,NAME2=VALUE2. Received: env");
    expect(() => applySubmitOpts(wf(), { parameters: ["novalue"] })).toThrow("expected parameter of the form: NAME=VALUE. Received: novalue");
  });

  it("retry and resubmit take their own flags (cmd/argo/commands/retry.go, resubmit.go)", () => {
    expect(parseOperationArgs("retry", ["--restart-successful", "--node-field-selector=templateName=build", "-p", "a=1", "--wait"])).toEqual({
      restartSuccessful: true,
      nodeFieldSelector: "templateName=build",
      parameters: ["a=1"],
    });
    expect(parseOperationArgs("resubmit", ["-p", "a=2", "-o", "json"])).toEqual({ parameters: ["a=2"] });
    expect(() => parseOperationArgs("resubmit", ["--memoized"])).toThrow("not supported: argo flag --memoized (a memoized resubmit is not implemented)");
    expect(() => parseOperationArgs("retry", ["--entrypoint", "x"])).toThrow("unknown flag: --entrypoint");
    expect(() => parseOperationArgs("retry", ["-p", "novalue"])).toThrow("expected parameter of the form: NAME=VALUE. Received: novalue");
  });
});
