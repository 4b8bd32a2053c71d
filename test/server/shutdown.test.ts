import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { startService } from "../support/service";

/** Everything `socket` receives until the server closes it. */
function received(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

/** The responses in `text`, in order: status, headers (lower-case names) and body. */
function responses(text: string): { status: number; headers: Map<string, string>; body: string }[] {
  const out = [];
  let rest = text;
  while (rest.startsWith("HTTP/1.1 ")) {
    const headEnd = rest.indexOf("\r\n\r\n");
    const [statusLine, ...lines] = rest.slice(0, headEnd).split("\r\n");
    const headers = new Map(
      lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers.get("content-length"));
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    out.push({ status: Number(statusLine!.split(" ")[1]), headers, body });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

/** Requests that may arrive once shutdown has begun: one whose route has its own 503 schema among them. */
const LATE = [
  ["GET /health", "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"],
  [
    "POST /v1/verify",
    "POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
  ],
] as const;

describe("a request that reaches a stopping instance", () => {
  it.each(LATE)(
    "%s gets 503 shutting-down in our error body, the connection closed, after the answer in flight",
    async (_name, late) => {
      const fx = await startService({ worker: false });
      try {
        const port = Number(new URL(await fx.app.listen({ host: "127.0.0.1", port: 0 })).port);
        const socket = connect(port, "127.0.0.1");
        const all = received(socket);
        await new Promise<void>((resolve) => socket.once("connect", resolve));
        // A request in flight (its body not yet sent) keeps the connection busy while shutdown begins.
        socket.write(
          "POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{",
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        const closed = fx.app.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
        // The rest of that body, and the late request pipelined behind it.
        socket.write(`}${late}`);
        const [first, second, ...more] = responses(await all);
        await closed;
        expect(first!.status).toBe(400); // the in-flight request is answered as usual
        expect(second!.status).toBe(503);
        expect(second!.headers.get("connection")).toBe("close");
        expect(second!.headers.get("content-type")).toBe("application/json; charset=utf-8");
        expect(JSON.parse(second!.body)).toEqual({
          code: "shutting-down",
          message: "this instance is shutting down; send it again",
          details: [],
        });
        expect(more).toEqual([]);
      } finally {
        await fx.close();
      }
    },
  );
});
