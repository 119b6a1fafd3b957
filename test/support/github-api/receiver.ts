// A local HTTP listener standing in for the gateway in tests of deliveries: it records
// what GitHub (the double) sends and answers with the statuses it is told to.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HookReceiver {
  /** http://127.0.0.1:PORT/github (append your own path if you like). */
  readonly url: string;
  readonly received: ReceivedDelivery[];
  /** The next answers, in order; then `fallback` (default 200). */
  answerNext(...statuses: number[]): void;
  fallback: number;
  close(): Promise<void>;
}

export async function startHookReceiver(): Promise<HookReceiver> {
  const received: ReceivedDelivery[] = [];
  const queue: number[] = [];
  const receiver = {
    url: "",
    received,
    fallback: 200,
    answerNext(...statuses: number[]): void {
      queue.push(...statuses);
    },
    close: async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: { ...req.headers }, body: Buffer.concat(chunks).toString("utf8") });
      const status = queue.shift() ?? receiver.fallback;
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "unavailable");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github`;
  return receiver;
}
