import { describe, expect, it } from "vitest";
import { SendCoalescer } from "./coalesce.js";

describe("SendCoalescer", () => {
  it("runs the sends of one turn together, in order, after the turn's synchronous work", async () => {
    const c = new SendCoalescer();
    const ran: string[] = [];
    c.defer(() => ran.push("a"));
    c.defer(() => ran.push("b"));
    ran.push("sync");
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(["sync", "a", "b"]);
  });

  it("a throwing send does not stop the others; turn() resolves with them", async () => {
    const c = new SendCoalescer();
    const ran: string[] = [];
    c.defer(() => {
      throw new Error("closed");
    });
    const turn = c.turn().then(() => ran.push("turn"));
    c.defer(() => ran.push("after"));
    await turn;
    expect(ran).toEqual(["after", "turn"]);
  });
});
