import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import { newCloudEvent } from "../../src/eventbus/cloudevent.js";
import type { NatsAuth, NatsTls } from "../../src/eventbus/jetstream-options.js";
import { BusUnavailableError } from "../../src/errors.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";

interface Pki {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), "tg-pki-"));
  const ssl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.pem");
  await writeFile(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await writeFile(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const who of ["server", "client"]) {
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${who}`, "-keyout", `${who}.key`, "-out", `${who}.csr`);
    ssl("x509", "-req", "-in", `${who}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${who}.ext`, "-out", `${who}.pem`);
  }
  const read = (f: string): Promise<string> => readFile(join(dir, f), "utf8");
  return { dir, ca: await read("ca.pem"), cert: await read("client.pem"), key: await read("client.key") };
}

const event = () => newCloudEvent({ source: "es", subject: "ev", type: "webhook", data: { header: {}, body: { tls: true } } });

// The EventBus tls fields (caCertSecret, clientCertSecret, clientKeySecret) and user/password
// against a nats-server that requires a verified client certificate.
describe("JetStreamEventBus over mutual TLS with user/password", () => {
  let pki: Pki;
  let server: NatsServer;

  beforeAll(async () => {
    pki = await makePki();
    server = await startNatsServer({
      jetstream: true,
      args: [
        "--tls", "--tlscert", join(pki.dir, "server.pem"), "--tlskey", join(pki.dir, "server.key"),
        "--tlscacert", join(pki.dir, "ca.pem"), "--tlsverify", "--user", "gateway", "--pass", "s3cret",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  test("the CA, client certificate and credentials connect; an event round-trips", async () => {
    const bus = await JetStreamEventBus.connect({
      name: "tls",
      servers: [server.url],
      auth: { user: "gateway", pass: "s3cret" },
      tls: { ca: pki.ca, cert: pki.cert, key: pki.key },
    });
    const got: string[] = [];
    await bus.subscribe({ durable: "tls", subjects: ["tls.es.ev"] }, async (m) => {
      got.push(m.event.id);
      await m.ack();
    });
    const e = event();
    await bus.publish("tls.es.ev", e);
    await waitFor(() => (got.length ? true : undefined), 10_000, "delivery over TLS");
    expect(got).toEqual([e.id]);
    await bus.close();
  });

  /** What connecting with these credentials ends in (the bus is closed if it connects). */
  async function refusal(auth: NatsAuth, tls: NatsTls, connectTimeoutMs: number): Promise<unknown> {
    const bus = await JetStreamEventBus.connect({ name: "tls", servers: [server.url], auth, tls, connectTimeoutMs }).catch((e: unknown) => e);
    if (bus instanceof JetStreamEventBus) await bus.close();
    return bus;
  }

  test.each([
    ["no client certificate", (p: Pki): NatsTls => ({ ca: p.ca })],
    ["an untrusted server (no CA given)", (p: Pki): NatsTls => ({ cert: p.cert, key: p.key })],
  ])("%s: refused with a clear error", async (_what, tls) => {
    const err = await refusal({ user: "gateway", pass: "s3cret" }, tls(pki), 2000);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as Error).message).toMatch(/cannot connect to NATS/);
  });

  test("a wrong password over a good TLS connection is refused as credentials", async () => {
    const err = await refusal({ user: "gateway", pass: "wrong" }, { ca: pki.ca, cert: pki.cert, key: pki.key }, 5000);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as Error).message).toMatch(/rejected the credentials/);
  });
});
