import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isCredrootError } from "../../../src";
import { toVerifiableCredential } from "../../../src/export";
import { signCredential, signCredentialJwt } from "../../../src/standard";
import { bakePng, bakeSvg, defaultBadgePng, defaultBadgeSvg } from "../../../src/standard/baked";
import { detect, NOT_A_CREDENTIAL_MESSAGE } from "../../../src/standard/detect";
import { ISSUER, issuerKey, NOW, richBundle } from "./helpers";

let json: string;
let jwt: string;
beforeAll(async () => {
  const key = await issuerKey();
  const doc = toVerifiableCredential(richBundle, ISSUER, { format: "ob3", issuerDid: key.did });
  json = JSON.stringify(await signCredential(doc, key, { now: NOW }));
  jwt = await signCredentialJwt(doc, key, { now: NOW });
});

const utf8 = (text: string) => new TextEncoder().encode(text);
const fixture = (name: string) => readFileSync(join(__dirname, "../../fixtures", name), "utf8");

function refusal(input: Uint8Array | string): string {
  try {
    detect(input);
  } catch (error) {
    if (!isCredrootError(error, "NOT_A_CREDENTIAL")) throw error;
    return error.message;
  }
  throw new Error("expected NOT_A_CREDENTIAL");
}

describe("detect", () => {
  it("tells every kind apart, from bytes and from text", () => {
    const bundle = fixture("bundle-v2.json");
    const presentation = JSON.stringify({ type: "credroot/presentation", version: 2, bundles: [] });
    const sdJwt = `${jwt}~WyJzYWx0IiwibmFtZSIsIkFuYSJd~`;
    const cases: [Uint8Array | string, string][] = [
      [bundle, "bundle"],
      [utf8(bundle), "bundle"],
      [presentation, "presentation"],
      [utf8("%PDF-1.7\n…"), "pdf"],
      [bakePng(defaultBadgePng(), json), "png"],
      [bakeSvg(defaultBadgeSvg({ title: "T", issuerName: "I" }), { format: "jwt", text: jwt }), "svg"],
      [utf8(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>`), "svg"],
      [jwt, "jwt"],
      [`  ${jwt}\n`, "jwt"],
      [sdJwt, "sd-jwt"],
      [`${sdJwt}${jwt}`, "sd-jwt"],
      [json, "vc-json"],
      [utf8(`\uFEFF${json}`), "vc-json"],
    ];
    for (const [input, kind] of cases) expect(detect(input).kind, String(input).slice(0, 40)).toBe(kind);
  });

  it("says in one sentence what credroot reads, never schema jargon like '/@context is not a known field'", () => {
    const inputs: (Uint8Array | string)[] = [
      "hello",
      "{not json",
      "[1,2]",
      JSON.stringify({ "@context": ["https://www.w3.org/ns/credentials/v2"], type: ["Thing"] }),
      JSON.stringify({ title: "a bundle without its type" }),
      new Uint8Array([0xff, 0xfe, 0x00, 0x01]),
      "a.b",
    ];
    for (const input of inputs) {
      const message = refusal(input);
      expect(message.startsWith(NOT_A_CREDENTIAL_MESSAGE), message).toBe(true);
      expect(message).not.toMatch(/known field|\/@context/);
    }
    expect(refusal("   ")).toMatch(/nothing to check/);
    const vp = JSON.stringify({
      "@context": ["https://www.w3.org/ns/credentials/v2"],
      type: ["VerifiablePresentation"],
    });
    expect(refusal(vp)).toMatch(/Verifiable Presentation/);
  });

  it("names a key given twice rather than calling the file unknown", () => {
    expect(() => detect('{"type":"credroot/bundle","type":"x"}')).toThrow(/repeats the key "type"/);
  });
});
