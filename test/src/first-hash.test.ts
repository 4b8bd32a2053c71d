import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "../..");
/** test/fixtures/bundle-v2.json's digest (test/src/fixtures.test.ts pins it too). */
const V2_DIGEST = "0x1b592d54f8ee39e0436c5d229ce8a7bebbcddfef28c5f676d27966e84a09fce4";

/**
 * What a fresh verifier process computes as its very first hashes, with the WebAssembly keccak
 * loaded and with the JavaScript one: the fixture's digest, and the same again. A test inside this
 * process would run after other files' hashing has warmed the hasher's shared state.
 */
function firstDigests(init: boolean): string[] {
  const script = `
    const { readFileSync } = require("node:fs");
    const { digestOfOpening, initHasher, openBundle, parseBundle, toHex } = require("./src");
    void (async () => {
      if (${init}) await initHasher();
      const bundle = parseBundle(readFileSync("test/fixtures/bundle-v2.json", "utf8"));
      const first = toHex(digestOfOpening(openBundle(bundle)));
      const second = toHex(digestOfOpening(openBundle(bundle)));
      process.stdout.write(JSON.stringify([first, second]));
    })();`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out) as string[];
}

describe("a fresh process's first verification", () => {
  it.each([true, false])("opens the v2 fixture to its digest at the first call (initHasher awaited: %s)", (init) => {
    expect(firstDigests(init)).toEqual([V2_DIGEST, V2_DIGEST]);
  });
});
