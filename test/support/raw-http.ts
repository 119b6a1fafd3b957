import { connect } from "node:net";

/**
 * Sends `head` (request line and headers, CRLF-terminated, no body) on a raw socket
 * and resolves with the status line of the answer: tests that a server answers
 * before a body it was promised arrives.
 */
export function statusBeforeBody(url: URL, head: string): Promise<string> {
  const socket = connect(Number(url.port), url.hostname);
  socket.write(head);
  return new Promise<string>((resolve, reject) => {
    let text = "";
    socket.on("data", (c: Buffer) => {
      text += c.toString();
      if (text.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(text.split("\r\n")[0] as string);
      }
    });
    socket.on("error", reject);
  });
}
