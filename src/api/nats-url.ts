// A `jetstreamExotic.url`: one or more NATS server URLs, comma-separated, read as the
// NATS Go client reads them (a URL without a scheme is taken as nats://).

const SCHEMES = new Set(["nats:", "tls:", "ws:", "wss:"]);

/** Why the comma-separated server list cannot be connected to, or undefined when it can. */
export function natsUrlProblem(urls: string): string | undefined {
  const servers = urls.split(",").map((u) => u.trim()).filter((u) => u !== "");
  if (servers.length === 0) return "names no NATS server (e.g. nats://eventbus-default-js-svc:4222)";
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server.includes("://") ? server : `nats://${server}`);
    } catch {
      return `${JSON.stringify(server)} is not a NATS server URL (e.g. nats://host:4222)`;
    }
    if (!SCHEMES.has(url.protocol)) return `${JSON.stringify(server)}: scheme ${url.protocol.slice(0, -1)} is not one of nats, tls, ws, wss`;
    if (url.hostname === "") return `${JSON.stringify(server)} names no host`;
  }
  return undefined;
}
