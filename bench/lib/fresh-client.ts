/**
 * An autocannon client whose every request body is a text never sent before: one of the bodies in
 * the JSON file named by `CREDROOT_BENCH_FRESH_BODIES`, prefixed with whitespace spelling a number
 * unique to this client and request (JSON ignores it). P5 uses it to measure `POST /v1/verify` with
 * no answer-cache hit.
 */
import { readFileSync } from "node:fs";

/** The part of autocannon's Client this uses. */
interface Client {
  setBody(body: string): void;
  on(event: "response", listener: () => void): void;
}

/** Whitespace that spells `n` in base 4 (space, tab, LF, CR), ending with a space. */
export function uniqueWhitespace(n: number): string {
  let text = "";
  for (let rest = n; rest > 0; rest = Math.floor(rest / 4)) text += " \t\n\r".charAt(rest % 4);
  return `${text} `;
}

let bodies: string[] | undefined;

export function setupFreshClient(client: Client): void {
  bodies ??= JSON.parse(readFileSync(process.env.CREDROOT_BENCH_FRESH_BODIES ?? "", "utf8")) as string[];
  const list = bodies;
  // A random start per client: clients of this run and of every earlier run never meet.
  let n = Math.floor(Math.random() * 2 ** 40);
  const next = () => {
    n += 1;
    client.setBody(uniqueWhitespace(n) + list[n % list.length]!);
  };
  next();
  client.on("response", next); // autocannon sends the rebuilt request next (one request per client)
}
