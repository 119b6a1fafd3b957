import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  ApiUnavailableError,
  BadRequestError,
  BusUnavailableError,
  BusyError,
  ConflictError,
  ExpressionError,
  ForbiddenError,
  GatewayError,
  InvalidError,
  MethodNotAllowedError,
  NotFoundError,
  NotSupportedError,
  PayloadTooLargeError,
  SecretNotFoundError,
  SpecError,
  SubmissionInvalidError,
  TriggerError,
  UnauthorizedError,
} from "./errors.js";
import { DEFAULT_RETRY, isRetryable, withRetry } from "./retry.js";
import { HttpRequestError, HttpRequestInvalidError } from "./sensor/triggers/http-request.js";

const withStatus = (status: number) => Object.assign(new GatewayError(`status ${status}`), { status });
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
};
const stackOverflow = thrown(() => {
  const f = (): number => f() + 1;
  return f();
});
const cyclic = (): Error => {
  const e = new Error("loop");
  (e as { cause?: unknown }).cause = e;
  return e;
};

describe("isRetryable: the one rule for retries and redeliveries", () => {
  it.each<[string, unknown, boolean]>([
    // Unknown: a retry may help.
    ["a plain error (connection reset)", new Error("connection reset"), true],
    ["a failed fetch", new TypeError("fetch failed"), true],
    ["a foreign error that carries a 4xx status", Object.assign(new Error("not found"), { status: 404 }), true],
    ["a thrown string", "boom", true],
    ["a cyclic cause chain", cyclic(), true],
    // Something is away for now.
    ["API unavailable (503)", new ApiUnavailableError("down", 503), true],
    ["API rate limit (429)", new ApiUnavailableError("slow down", 429), true],
    ["API unreachable", new ApiUnavailableError("unreachable", 0, { cause: new TypeError("fetch failed") }), true],
    ["bus unavailable (503)", new BusUnavailableError("down"), true],
    ["busy (503)", new BusyError("busy"), true],
    ["a request that failed on the wire (502)", new HttpRequestError("ECONNREFUSED"), true],
    ["a secret not found (500)", new SecretNotFoundError("no such secret"), true],
    ["the gateway's default (500)", new GatewayError("boom"), true],
    ["status 500", withStatus(500), true],
    ["status 399", withStatus(399), true],
    ["status 408 (request timeout)", withStatus(408), true],
    ["status 429 (too many requests)", withStatus(429), true],
    ["a wrapper of an unavailable API", new GatewayError("failed", { cause: new ApiUnavailableError("down", 503) }), true],
    // The request itself is wrong.
    ["bad request (400)", new BadRequestError("bad"), false],
    ["unauthorized (401)", new UnauthorizedError("who"), false],
    ["forbidden (403)", new ForbiddenError("no"), false],
    ["not found (404)", new NotFoundError("gone"), false],
    ["method not allowed (405)", new MethodNotAllowedError("GET"), false],
    ["already exists (409)", new AlreadyExistsError("taken"), false],
    ["conflict (409)", new ConflictError("stale"), false],
    ["payload too large (413)", new PayloadTooLargeError("big"), false],
    ["invalid (422)", new InvalidError("rejected"), false],
    ["submission invalid (422)", new SubmissionInvalidError("undeclared parameter"), false],
    ["status 499", withStatus(499), false],
    ["an invalid request (scheme, 400)", new HttpRequestInvalidError("unsupported URL scheme ftp:"), false],
    // The spec is wrong, or the failure was declared final.
    ["a spec error", new SpecError("f:1:1", "Sensor", "spec", "bad"), false],
    ["an expression error", new ExpressionError("bad path"), false],
    ["not supported", new NotSupportedError("lua"), false],
    ["a trigger error", new TriggerError("labels never came"), false],
    // Comes back the same every time.
    ["a stack overflow", stackOverflow, false],
    ["a bad literal (SyntaxError)", thrown(() => JSON.parse("{")), false],
    ["a bad URI (URIError)", thrown(() => decodeURIComponent("%")), false],
    // Anywhere in the cause chain.
    ["a stack overflow wrapped as a 500", new GatewayError("path failed", { cause: new RangeError("Maximum call stack size exceeded") }), false],
    ["the dispatcher's wrapper of a refused Workflow", new GatewayError("failed to create workflow: bad", { cause: new InvalidError("bad") }), false],
    ["a final trigger error around an unavailable API", new TriggerError("gave up", { cause: new ApiUnavailableError("down", 503) }), false],
    ["bus unavailable because of a bad literal", new BusUnavailableError("publish failed", { cause: new SyntaxError("Unexpected token") }), false],
  ])("%s -> %s", (_name, err, retryable) => expect(isRetryable(err)).toBe(retryable));
});

describe("withRetry", () => {
  const noWait = (sleeps: number[]) => ({ sleep: async (ms: number) => void sleeps.push(ms) });

  it("retries what isRetryable allows, as Argo's retry.DefaultRetry: 5 tries, 10 ms apart plus up to 10%", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const err = await withRetry(
      DEFAULT_RETRY,
      async () => {
        calls++;
        throw new ApiUnavailableError("down", 503);
      },
      { clock: noWait(sleeps), random: () => 0.5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnavailableError);
    expect(calls).toBe(5);
    expect(sleeps).toEqual([10.5, 10.5, 10.5, 10.5]);
  });

  it("gives up at once on an error isRetryable refuses", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const run = withRetry(
      DEFAULT_RETRY,
      async () => {
        calls++;
        throw new NotFoundError("gone");
      },
      { clock: noWait(sleeps) },
    );
    await expect(run).rejects.toBeInstanceOf(NotFoundError);
    expect([calls, sleeps]).toEqual([1, []]);
  });

  it("returns the first success", async () => {
    const sleeps: number[] = [];
    const run = withRetry(DEFAULT_RETRY, async (n) => (n < 3 ? Promise.reject(new Error("reset")) : n), { clock: noWait(sleeps) });
    expect(await run).toBe(3);
    expect(sleeps).toHaveLength(2);
  });
});
