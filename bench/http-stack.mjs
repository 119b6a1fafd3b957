// node:http vs express for the receivers' hot path, in one run on one machine: the same
// handler (read a ~7.5 KB body, verify its HMAC, answer 200) behind a bare node:http
// server and behind an express app, each loaded in turn by the same client (50
// keep-alive connections, a fixed number of requests). Prints one JSON object.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, request, Agent } from "node:http";
import express from "express";

const BODY = Buffer.from(JSON.stringify({ action: "opened", pad: "x".repeat(7_500) }));
const SECRET = "bench-secret";
const SIG = `sha256=${createHmac("sha256", SECRET).update(BODY).digest("hex")}`;
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const CONNECTIONS = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

function verify(body, header) {
  const want = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`);
  const got = Buffer.from(String(header ?? ""));
  return got.length === want.length && timingSafeEqual(got, want);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function handle(req, res) {
  const body = await readBody(req);
  res.writeHead(verify(body, req.headers["x-hub-signature-256"]) ? 200 : 403, { "content-type": "text/plain" }).end("success");
}

function plain() {
  return createServer((req, res) => void handle(req, res));
}

function viaExpress() {
  const app = express();
  app.disable("x-powered-by");
  app.post("/push", (req, res) => void handle(req, res));
  return createServer(app);
}

async function load(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let sent = 0;
  let ok = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = request(
        { port, host: "127.0.0.1", path: "/push", method: "POST", agent, headers: { "content-type": "application/json", "content-length": BODY.length, "x-hub-signature-256": SIG } },
        (res) => {
          if (res.statusCode === 200) ok++;
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end(BODY);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent < REQUESTS) {
        sent++;
        await one();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  if (ok !== REQUESTS) throw new Error(`${ok} of ${REQUESTS} answered 200`);
  return REQUESTS / seconds;
}

async function measure(make) {
  const server = make();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await load(port); // warm-up
  const rates = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await load(port));
  await new Promise((resolve) => server.close(resolve));
  return Math.max(...rates);
}

const nodeHttp = await measure(plain);
const expressRate = await measure(viaExpress);
process.stdout.write(
  `${JSON.stringify({ requests: REQUESTS, connections: CONNECTIONS, rounds: ROUNDS, loadavg: (await import("node:os")).loadavg()[0], nodeHttpReqPerSec: Math.round(nodeHttp), expressReqPerSec: Math.round(expressRate), expressOverNodeHttp: Number((expressRate / nodeHttp).toFixed(3)) })}\n`,
);
