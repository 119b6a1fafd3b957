import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { skipWithout } from "../support/required-tool.js";
import type { EventRecord } from "../../src/observe/index.js";
import { packageRoot } from "../../src/paths.js";
import { waitFor } from "../support/wait.js";
import { startQuickstartPipeline, type Pipeline } from "./support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

describe.skipIf(skipWithout(`Chromium (${CHROMIUM})`, existsSync(CHROMIUM)))("event-flow page in headless Chromium", () => {
  let p: Pipeline;
  let dir: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-page-"));
    p = await startQuickstartPipeline(dir);
    expect(await p.push("refs/heads/main")).toBe(200);
    expect(await p.push("refs/heads/feature/login")).toBe(200);
    await waitFor(
      () => (p.observer.recorder.events(10).filter((e: EventRecord) => e.triggers.length > 0).length === 2 ? true : undefined),
      5000,
      "two sensor outcomes",
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await p?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("draws EventSource -> Sensor -> trigger with counts and shows why an event was dropped", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(p.admin.url + "/");

    const eventBox = page.locator('[data-node="event:argo-events/github/push"]');
    const sensorBox = page.locator('[data-node="sensor:argo-events/github-ci"]');
    const triggerBox = page.locator('[data-node="trigger:argo-events/github-ci/ci"]');
    await eventBox.waitFor({ state: "visible", timeout: 5000 });
    await expect(sensorBox.isVisible()).resolves.toBe(true);
    await expect(triggerBox.isVisible()).resolves.toBe(true);
    expect(await eventBox.innerText()).toMatch(/2\s+received[\s\S]*2\s+published/);
    expect(await triggerBox.innerText()).toMatch(/1\s+triggered[\s\S]*1\s+filtered/);
    expect(await triggerBox.innerText()).toContain("argoWorkflow");

    // The boxes are connected: one edge event -> sensor, one sensor -> trigger.
    expect(await page.locator("#edges path").count()).toBe(2);

    // The dropped event says which dependency, path, value and expectation.
    const reason = page.locator(".event .outcome[data-status=skipped] .reason");
    await reason.waitFor({ state: "visible", timeout: 5000 });
    const text = await reason.innerText();
    expect(text).toContain('dependency "push-to-main"');
    expect(text).toContain('path "body.ref" is "refs/heads/feature/login"');
    expect(text).toContain("refs/heads/main");

    // The fired event names the Workflow it created.
    const fired = page.locator(".event .outcome[data-status=fired]");
    expect(await fired.innerText()).toMatch(/Workflow argo\/ci-\S+/);

    // It refreshes on its own: a new event shows up without a reload.
    expect(await p.push("refs/heads/main", { secret: "wrong" })).toBe(403);
    await page.locator(".event .pill.error", { hasText: "403 forbidden" }).waitFor({ state: "visible", timeout: 6000 });

    const artifacts = join(packageRoot(), "test-artifacts");
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "event-flow.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
