import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.js";

const root = packageRoot();
const temps: string[] = [];
const tempDir = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, "dist/src/cli.js"), ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe("trigger-gateway validate", () => {
  it("accepts the quickstart, the samples and the e2e specs", () => {
    const r = cli("validate", "fixtures/quickstart", "fixtures/samples", "fixtures/e2e");
    expect(r.stdout).toMatch(/^\d+ spec\(s\) valid$/m);
    expect(r.code).toBe(0);
  });

  it("exits 1 with one FILE:LINE:COL line per error", async () => {
    const dir = await tempDir("tg-validate-");
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      [
        "apiVersion: argoproj.io/v1alpha1",
        "kind: Sensor",
        "metadata:",
        "  name: broken",
        "spec:",
        "  dependencies:",
        "    - name: dep",
        "      eventSourceName: es",
        "      eventName: push",
        "  triggers:",
        "    - template:",
        "        name: t",
        "        conditions: dep && missing-dep",
        "        log: {}",
        "---",
        "apiVersion: argoproj.io/v1alpha1",
        "kind: EventSource",
        "metadata:",
        "  name: kafka",
        "spec:",
        "  kafka:",
        "    example:",
        "      url: kafka:9092",
        "      topic: t",
        "",
      ].join("\n"),
    );
    const r = cli("validate", file);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${file}:13:\\d+ Sensor/broken spec\\.triggers\\[0\\]\\.template\\.conditions: .*missing-dep`));
    expect(lines[1]).toMatch(new RegExp(`^${file}:21:\\d+ EventSource/kafka spec\\.kafka: not supported`));
  });
});

describe("trigger-gateway test-sensor", () => {
  it("prints the exact Workflow the quickstart sensor would create for a push to master", () => {
    const r = cli("test-sensor", "--sensor", "fixtures/quickstart/sensor.yaml", "--event", "push-to-main=fixtures/events/github-push.json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { triggers: { name: string; fired: boolean; resource?: Record<string, any> }[] };
    expect(out.triggers).toHaveLength(1);
    const [t] = out.triggers;
    expect(t).toMatchObject({ name: "ci", fired: true });
    expect(t.resource!.metadata.name).toMatch(/^ci-[0-9a-f]{10}$/);
    expect(t.resource!.metadata.labels).toMatchObject({ "events.argoproj.io/sensor": "github-ci", "events.argoproj.io/trigger": "ci" });
    expect(t.resource!.spec.arguments.parameters).toEqual([
      { name: "repo", value: "Codertocat/Hello-World" },
      { name: "revision", value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
      { name: "pusher", value: "Codertocat" },
    ]);
  });

  it("explains why a tag push does not fire", () => {
    const r = cli("test-sensor", "--sensor", "fixtures/quickstart/sensor.yaml", "--event", "fixtures/events/github-push-tag.json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { triggers: { name: string; fired: boolean; reason?: string }[] };
    expect(out.triggers).toEqual([{ name: "ci", fired: false, reason: expect.stringContaining("body.ref") }]);
  });

  it("accepts an Argo event file with context and data", async () => {
    const dir = await tempDir("tg-ts-");
    const file = join(dir, "event.json");
    await writeFile(file, JSON.stringify({
      context: { id: "0123456789abcdef0123456789abcdef", source: "github", subject: "push", type: "github" },
      data: { headers: { "X-Github-Event": ["push"] }, body: { ref: "refs/heads/main", after: "abc", repository: { full_name: "o/r" }, pusher: { name: "p" } } },
    }));
    const r = cli("test-sensor", "--sensor", "fixtures/quickstart/sensor.yaml", "--event", file);
    const out = JSON.parse(r.stdout) as { triggers: { fired: boolean; resource?: Record<string, any> }[] };
    expect(out.triggers[0].fired).toBe(true);
    expect(out.triggers[0].resource!.spec.arguments.parameters[0].value).toBe("o/r");
  });
});
