import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * How the proxy treats the JSON-RPC requests it gets:
 * - `up`: forwards them to the chain;
 * - `refuse`: nothing listens on its port (connection refused);
 * - `reset`: accepts the connection, then destroys it without an answer;
 * - `bad-gateway`: answers HTTP 502, as a load balancer in front of a dead node does;
 * - `rpc-error`: answers HTTP 200 with a JSON-RPC error for every call, as a hosted gateway does;
 * - `blackhole`: accepts requests and never answers (a network partition that drops packets); when
 *   the mode changes they are forwarded, as TCP delivers retransmitted requests once it heals.
 */
export type ProxyMode = "up" | "refuse" | "reset" | "bad-gateway" | "rpc-error" | "blackhole";

interface Parked {
  methods: string[];
  resume: () => void;
}

/** JSON-RPC ids and methods of a request body (a single call or a batch); empty when it is not JSON-RPC. */
function callsOf(body: string): { id: unknown; method: string }[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const calls = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    return calls.map((c) => {
      const call = (typeof c === "object" && c !== null ? c : {}) as { id?: unknown; method?: unknown };
      return { id: call.id ?? null, method: typeof call.method === "string" ? call.method : "" };
    });
  } catch {
    return [];
  }
}

/**
 * A JSON-RPC proxy on 127.0.0.1 (ephemeral port) between a service and the chain, which a test
 * switches between {@link ProxyMode}s, and which can hold calls of one method until released (so
 * that requests depending on them are provably in flight).
 * @example
 * const proxy = await RpcProxy.start(chain.url);
 * await proxy.setMode("refuse"); // the service's chain is down
 * await proxy.setMode("up");
 */
export class RpcProxy {
  private mode: ProxyMode = "up";
  private readonly sockets = new Set<Socket>();
  private parked: Parked[] = [];
  private readonly swallowed: (() => void)[] = [];
  private holding: string | null = null;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    readonly port: number,
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  /** Starts a proxy to `target` (`http://127.0.0.1:port`), in mode `up`. */
  static async start(target: string): Promise<RpcProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || address === null) throw new Error("the proxy has no port");
    const proxy = new RpcProxy(server, new URL(target), address.port);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => proxy.handle(req, res));
    return proxy;
  }

  /** The URL to give the service as `RPC_URL`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches mode; `refuse` closes the listener and every open connection, leaving `refuse` listens again on the same port. */
  async setMode(mode: ProxyMode): Promise<void> {
    if (mode === this.mode) return;
    const wasRefusing = this.mode === "refuse";
    const swallowed = this.mode === "blackhole" ? this.swallowed.splice(0) : [];
    this.mode = mode;
    for (const resume of swallowed) resume();
    if (mode === "refuse") {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    } else if (wasRefusing) {
      await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
    }
  }

  /** From now on, requests with a call of `method` wait (unanswered) until {@link release}. */
  hold(method: string): void {
    this.holding = method;
  }

  /** Calls of `method` waiting in held requests. */
  heldCalls(method: string): number {
    return this.parked.reduce((n, p) => n + p.methods.filter((m) => m === method).length, 0);
  }

  /** Stops holding and forwards every held request. */
  release(): void {
    this.holding = null;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) p.resume();
  }

  async close(): Promise<void> {
    this.release();
    if (this.mode === "refuse") return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.mode === "reset") {
      req.socket.destroy();
      return;
    }
    if (this.mode === "bad-gateway") {
      res.writeHead(502, { "content-type": "text/plain" }).end("502 Bad Gateway");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const calls = callsOf(body.toString("utf8"));
      if (this.mode === "rpc-error") {
        const error = (id: unknown) => ({
          jsonrpc: "2.0",
          id,
          error: { code: -32603, message: "upstream node unavailable" },
        });
        const answer = calls.length === 1 ? error(calls[0]!.id) : calls.map((c) => error(c.id));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
        return;
      }
      const methods = calls.map((c) => c.method);
      const forward = () => this.forward(req, body, res);
      if (this.mode === "blackhole") this.swallowed.push(forward);
      else if (this.holding !== null && methods.includes(this.holding)) this.parked.push({ methods, resume: forward });
      else forward();
    });
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const upstream = request(
      {
        hostname: this.target.hostname,
        port: this.target.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: this.target.host, "content-length": String(body.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    upstream.end(body);
  }
}
