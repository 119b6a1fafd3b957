// The command line itself: help, version, suggestions and exit codes (0 done, 1 invalid
// input or a failed run, 2 a wrong command line), on the built binary.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.js";
import { DEFAULT_ADMIN_PORT } from "../../src/observe/index.js";
import { DEFAULT_EVENTS_PORT } from "../../src/binding/server.js";
import { DEFAULT_TRIGGER_CONCURRENCY } from "../../src/sensor/runner.js";
import { DEFAULT_PUBLISH_DEADLINE_MS } from "../../src/eventbus/jetstream.js";
import { ACK_WAIT_MS } from "../../src/eventbus/jetstream-consumer.js";
import { DEFAULT_GRACE_PERIOD_MS } from "../../src/gateway/shutdown.js";
import { DEFAULT_LOCAL_STORE_DIR } from "../../src/workflows/local.js";
import { DEFAULT_SERVICE_ACCOUNT } from "../../src/workflows/identity.js";
import { SOURCE_TYPE_NAMES } from "../../src/api/extension-points.js";

const root = packageRoot();
const CLI = join(root, "dist/src/cli.js");
// Outside a pod whatever runs the tests: in one, `serve` without --config would mean --kube.
const env = { ...process.env, KUBERNETES_SERVICE_HOST: "" };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = (...args: string[]): Run => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: "utf8", env, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** For a run that talks to a server in this process (spawnSync would block it). */
const cliAsync = (...args: string[]): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

const temps: string[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});
const tempFile = async (name: string, text: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "tg-cli-help-"));
  temps.push(dir);
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
};

const OPTIONS: Record<string, string[]> = {
  serve: [
    "--config", "--kube", "--local-store", "--secrets-dir", "--namespace", "--kubeconfig", "--default-service-account",
    "--host", "--port", "--nats-url", "--publish-deadline", "--ack-wait", "--trigger-concurrency", "--events-port",
    "--binding-mode", "--tokens-file", "--admin-port", "--admin-allowed-hosts", "--log-level", "--grace-period",
    "--workers", "--split-roles", "--role",
  ],
  validate: ["--strict"],
  "test-sensor": ["--sensor", "--event"],
  send: ["--provider", "--event", "--secret", "--secret-file"],
};

describe("trigger-gateway --help", () => {
  it("lists every command, and the exit codes", () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(0);
      for (const cmd of [...Object.keys(OPTIONS), "version", "help"]) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
      expect(r.stdout).toMatch(/Exit codes: 0 .*; 1 .*; 2 /s);
      expect(r.stderr).toBe("");
    }
  });

  it("no command at all asked for nothing: the same help on stderr, exit 2", () => {
    const r = cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(cli("--help").stdout);
  });

  it.each(Object.entries(OPTIONS))("%s --help, -h and help %s list its options and exit 0", (cmd, options) => {
    const outputs = [cli(cmd, "--help"), cli(cmd, "-h"), cli("help", cmd)];
    for (const r of outputs) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`^Usage: trigger-gateway ${cmd} `));
      for (const option of [...options, "--help"]) expect(r.stdout).toMatch(new RegExp(`^  (-h, )?${option} `, "m"));
    }
    expect(outputs[1].stdout).toBe(outputs[0].stdout);
    expect(outputs[2].stdout).toBe(outputs[0].stdout);
  });

  it("serve --help gives the defaults that apply and what the drain, workers, roles and --kube do", () => {
    // The help is wrapped at 80 columns: one line per option again.
    const stdout = cli("serve", "--help").stdout.replace(/\n {30,}/g, " ");
    const defaults: [string, string][] = [
      ["--local-store", DEFAULT_LOCAL_STORE_DIR],
      ["--default-service-account", JSON.stringify(DEFAULT_SERVICE_ACCOUNT)],
      ["--publish-deadline", `${DEFAULT_PUBLISH_DEADLINE_MS / 1000}s`],
      ["--ack-wait", `${ACK_WAIT_MS / 1000}s`],
      ["--trigger-concurrency", String(DEFAULT_TRIGGER_CONCURRENCY)],
      ["--events-port", String(DEFAULT_EVENTS_PORT)],
      ["--binding-mode", "durable"],
      ["--admin-port", String(DEFAULT_ADMIN_PORT)],
      ["--log-level", "info"],
      ["--grace-period", `${DEFAULT_GRACE_PERIOD_MS / 1000}s`],
      ["--workers", "1"],
      ["--role", "all"],
    ];
    for (const [option, value] of defaults) expect(stdout).toMatch(new RegExp(`^  ${option} .*\\(default: ${value.replace(/[.*]/g, "\\$&")}\\)$`, "m"));
    for (const text of ["Retry-After", "base + k - 1", "--split-roles gives the first N/2", "--kube is implied", "impersonation", "421"]) {
      expect(stdout).toContain(text);
    }
  });
});

describe("trigger-gateway version", () => {
  it("version and --version print the version in package.json, nothing else", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    for (const args of [["version"], ["--version"]]) {
      const r = cli(...args);
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });
});

describe("trigger-gateway usage errors exit 2", () => {
  it("an unknown flag, with the flag it resembles", () => {
    const r = cli("serve", "--confg", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--confg'/);
    expect(r.stderr).toMatch(/did you mean --config\?/i);
    expect(r.stdout).toBe("");
  });

  it("an unknown flag before a missing required flag: the typo, with the flag it resembles", () => {
    const r = cli("test-sensor", "--sensr", "x.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--sensr'/);
    expect(r.stderr).toMatch(/did you mean --sensor\?/i);
    expect(r.stderr).not.toMatch(/required option/);
    expect(r.stdout).toBe("");
  });

  it("an unknown command, with the command it resembles, also after help", () => {
    for (const args of [["servee", "--config", "x"], ["help", "servee"]]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/unknown command 'servee'/);
      expect(r.stderr).toMatch(/did you mean serve\?/i);
    }
    const v = cli("valdate", "x");
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/did you mean validate\?/i);
  });

  it.each([
    ["--grace-period", "abc"],
    ["--grace-period", "0s"],
    ["--events-port", "x"],
    ["--admin-port", "x"],
    ["--role", "nonsense"],
    ["--default-service-account", "BAD_NAME"],
    ["--workers", "0"],
    ["--trigger-concurrency", "many"],
    ["--publish-deadline", "3q"],
    ["--binding-mode", "async"],
    ["--log-level", "loud"],
    ["--port", "12000"],
    // Malformed IP literals: once they reached the listen and the error blamed --admin-port.
    ["--host", "999.1.1.1"],
    ["--host", "1.2.3"],
    ["--host", "[::1]"],
    ["--host", "::g"],
    ["--host", "no spaces"],
  ])("serve %s %s: a message naming the flag and the value", (flag, value) => {
    const r = cli("serve", "--config", "fixtures/quickstart", flag, value);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`trigger-gateway: ${flag} ${value}: `);
    expect(r.stderr).toContain("trigger-gateway serve --help");
    expect(r.stdout).toBe("");
  });

  // Values serve once took, with a config that cannot load: a value that is let through
  // fails the run (exit 1) without starting anything, rather than serving until killed.
  it.each([
    // Durations are positive: 0 would be one 50 ms publish try, an ack wait the consumer's
    // keep-alive timer spins on, a drain that gives up at once; 1ms is the resolution.
    ["--publish-deadline", "-1s"],
    ["--publish-deadline", "0s"],
    ["--publish-deadline", "0"],
    ["--ack-wait", "-3s"],
    ["--ack-wait", "0s"],
    ["--ack-wait", "500us"],
    ["--grace-period", "-5s"],
    // Past Node's longest timer (2^31-1 ms, a little over 596h) the drain would give up at once.
    ["--grace-period", "1000h"],
    ["--ack-wait", "600h"],
    // A spec's port is 1-65535, and so is what it is moved to (0 = any free port).
    ["--port", "12000=70000"],
    ["--port", "99999=0"],
    ["--port", "0=8080"],
  ])("serve %s %s: out of range, a usage error naming the flag and the value", (flag, value) => {
    const r = cli("serve", "--config", "/nonexistent/specs", "--log-level", "silent", flag, value);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`trigger-gateway: ${flag} ${value}: `);
    expect(r.stderr).toContain("trigger-gateway serve --help");
    expect(r.stdout).toBe("");
  });

  it("serve --workers N --admin-port P: every worker's admin port (P + k - 1) is a port", () => {
    const r = cli("serve", "--config", "/nonexistent/specs", "--log-level", "silent", "--workers", "2", "--admin-port", "65535");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("trigger-gateway: --admin-port 65535 with --workers 2: ");
    const ok = cli("serve", "--config", "/nonexistent/specs", "--log-level", "silent", "--admin-port", "65535", "--events-port", "0", "--port", "12000=0");
    expect(ok.code).toBe(1);
  });

  it.each([
    [["serve"], /serve needs --config <file\|dir> or --kube/],
    [["serve", "--config", "fixtures/quickstart", "--kube"], /--config or --kube, not both/],
    [["serve", "--config", "fixtures/quickstart", "--split-roles"], /--split-roles needs --workers 2 or more/],
    [["serve", "--config", "fixtures/quickstart", "--workers", "2", "--split-roles", "--role", "sensors"], /drop --role/],
    [["serve", "--config"], /option '--config <file\|dir>' argument missing/],
    [["serve", "--config", "fixtures/quickstart", "extra"], /too many arguments/],
    // Only --kube reads them: without it they were ignored.
    [["serve", "--config", "fixtures/quickstart", "--namespace", "argo-events"], /--namespace needs --kube/],
    [["serve", "--config", "fixtures/quickstart", "--kubeconfig", "/nonexistent/kubeconfig"], /--kubeconfig needs --kube/],
    [["serve", "--config", "fixtures/quickstart", "--default-service-account", "ci"], /--default-service-account needs --kube/],
    [["validate"], /missing required argument/],
    [["test-sensor", "--event", "e.json"], /required option '--sensor <file>' not specified/],
    [["send", "http://127.0.0.1:1/"], /missing required argument 'file'/],
    [["send", "http://127.0.0.1:1/", "f.json", "--provider", "gitea"], /--provider gitea: expected github, gitlab, bitbucket, bitbucketserver, webhook/],
  ])("%j", (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("trigger-gateway invalid input or a failed run exits 1", () => {
  it("validate on an invalid file", async () => {
    const file = await tempFile("bad.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: s\nspec:\n  dependencies: 3\n");
    const r = cli("validate", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${file}:6:\\d+ Sensor/s spec\\.dependencies: `, "m"));
  });

  it("validate --strict on a file whose only problem is a warning (validate alone passes it)", async () => {
    const file = await tempFile(
      "warn.yaml",
      "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s, namespace: argo-events}\nspec:\n" +
        "  dependencies:\n    - {name: d, eventSourceName: webhook, eventName: example}\n" +
        "  triggers:\n    - template: {name: t, log: {}, policy: {}}\n",
    );
    const plain = cli("validate", file);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^warning: .*spec\.triggers\[0\]\.template\.policy: unknown field/m);
    const strict = cli("validate", "--strict", file);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/--strict fails on warnings\n$/);
  });

  it("validate on a path that does not exist", () => {
    const r = cli("validate", "/nonexistent/specs");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("/nonexistent/specs");
  });

  it("serve that cannot load its specs", () => {
    const r = cli("serve", "--config", "/nonexistent/specs", "--admin-port", "0", "--events-port", "0", "--log-level", "silent");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/trigger-gateway: 1 invalid spec\(s\); nothing started/);
  });

  it("serve --host NAME that does not resolve, or an address not on this machine: the message names --host", () => {
    for (const host of ["no-such-host.invalid", "192.0.2.1"]) {
      const r = cli("serve", "--config", "fixtures/quickstart", "--host", host, "--admin-port", "0", "--events-port", "0", "--port", "12000=0", "--log-level", "silent");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`trigger-gateway: --host ${host}: `);
      expect(r.stderr).not.toContain("--admin-port");
    }
  });

  it("serve --local-store that is a file, or below one: the start fails (exit 1) naming --local-store", async () => {
    const file = await tempFile("not-a-dir", "x");
    for (const store of [file, join(file, "workflows")]) {
      const r = cli("serve", "--config", "fixtures/quickstart", "--local-store", store, "--admin-port", "0", "--events-port", "0", "--port", "12000=0", "--log-level", "silent");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^trigger-gateway: --local-store ${file}.*: .*not a directory`, "m"));
      expect(r.stderr).not.toContain("is listening");
    }
  });

  it("test-sensor on a sensor file that does not exist", () => {
    const r = cli("test-sensor", "--sensor", "/nonexistent/sensor.yaml");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^trigger-gateway: .*\/nonexistent\/sensor\.yaml/);
  });

  it("send exits 0 on a 2xx answer and 1 on any other, printing the status", async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(String(req.headers.authorization));
      res.statusCode = req.url === "/ok" ? 200 : 403;
      res.end(req.url === "/ok" ? "fine" : "no");
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body = await tempFile("payload.json", "{}");
    expect(await cliAsync("send", `${base}/ok`, body, "--secret", "s3")).toMatchObject({ code: 0, stdout: "200 fine\n" });
    expect(await cliAsync("send", `${base}/denied`, "--provider", "webhook", body)).toMatchObject({ code: 1, stdout: "403 no\n" });
    expect(received).toEqual(["Bearer s3", "undefined"]);
  });

  it("test-sensor --provider builds the event from a raw provider body; a bad provider is a usage error", () => {
    const quick = join(root, "fixtures/quickstart/sensor.yaml");
    const push = join(root, "fixtures/github/push.json");
    const ok = cli("test-sensor", "--sensor", quick, "--event", push, "--provider", "github", "--header", "X-GitHub-Event=push");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ triggers: [{ name: "ci", fired: true }] });
    const bad = cli("test-sensor", "--sensor", quick, "--event", push, "--provider", "svn");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--provider svn: expected github, gitlab, bitbucket, bitbucketserver, webhook");
  });
});

describe("README.md says what the commands do", () => {
  it("send: the README's --provider list and the help name every provider send takes", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const row = readme.split("\n").find((l) => l.startsWith("| `send "));
    expect(row).toBeDefined();
    const listed = /--provider ([a-z|\\]+)/.exec(row ?? "")?.[1]?.split(/\\?\|/);
    expect(listed).toEqual(SOURCE_TYPE_NAMES);
    const help = cli("send", "--help").stdout;
    for (const provider of SOURCE_TYPE_NAMES) expect(help).toContain(provider);
  });

  it("TLS in a receiver (serverCertSecret) is refused by validate, and the README does not say otherwise", async () => {
    const file = await tempFile(
      "tls.yaml",
      "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata: {name: es, namespace: argo-events}\nspec:\n" +
        "  webhook:\n    example: {port: '12000', endpoint: /example, method: POST, serverCertSecret: {name: tls, key: crt}}\n",
    );
    const r = cli("validate", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("spec.webhook.example.serverCertSecret: not supported: TLS in the receiver");
    const readme = (await readFile(join(root, "README.md"), "utf8")).replace(/\s+/g, " ");
    const sentences = readme.split(/(?<=\.) /).filter((t) => t.includes("serverCertSecret"));
    expect(sentences.length).toBeGreaterThan(0);
    for (const t of sentences) expect(t).not.toMatch(/only by `serve`|`validate` passes it/);
  });
});
