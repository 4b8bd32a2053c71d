import extractChunks from "png-chunks-extract";
import encodeChunks from "png-chunks-encode";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type ErrorCode, isCredrootError } from "../../../src";
import { toVerifiableCredential } from "../../../src/export";
import { signCredential, signCredentialJwt, verifyCredentialJwt, verifyDataIntegrity } from "../../../src/standard";
import {
  bakePng,
  bakeSvg,
  defaultBadgePng,
  defaultBadgeSvg,
  extractBakedCredential,
  extractSvgCredential,
  MAX_BADGE_IMAGE,
  OB3_SVG_NAMESPACE,
  PNG_KEYWORD,
} from "../../../src/standard/baked";
import { credentialChunk } from "../../../src/standard/baked-png";
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

/** Runs `run`, expecting a CredrootError with `code` and a message matching `pattern`. */
function throwsWith(run: () => unknown, code: ErrorCode, pattern: RegExp): void {
  let error: unknown = null;
  try {
    run();
  } catch (e) {
    error = e;
  }
  if (!isCredrootError(error)) throw new Error(`expected a CredrootError ${code}, got ${String(error)}`);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(pattern);
}

/** A PNG's chunks as bytes, via the third-party codec's reading of the baked file. */
const chunksOf = (png: Uint8Array) => extractChunks(png);

describe("bakePng / extractBakedCredential (PNG)", () => {
  it("bakes one uncompressed iTXt openbadgecredential chunk just before IEND, in a PNG pngjs decodes", () => {
    const baked = bakePng(defaultBadgePng(), json);
    const image = PNG.sync.read(Buffer.from(baked));
    expect([image.width, image.height]).toEqual([128, 128]);
    const chunks = chunksOf(baked);
    expect(chunks.map((c) => c.name).slice(-2)).toEqual(["iTXt", "IEND"]);
    const data = chunks.at(-2)!.data;
    const head = utf8(`${PNG_KEYWORD}\0\0\0\0\0`);
    expect([...data.subarray(0, head.length)]).toEqual([...head]);
    expect(new TextDecoder().decode(data.subarray(head.length))).toBe(json);
    expect(extractBakedCredential(baked)).toEqual({ format: "json", text: json });
  });

  it("bakes into an image another encoder made, and replaces a credential baked before", () => {
    const source = new PNG({ width: 3, height: 2 });
    const plain = PNG.sync.write(source);
    const once = bakePng(plain, "{}");
    const twice = bakePng(once, jwt);
    expect(chunksOf(twice).filter((c) => c.name === "iTXt")).toHaveLength(1);
    expect(extractBakedCredential(twice)).toEqual({ format: "jwt", text: jwt });
    expect(PNG.sync.read(Buffer.from(twice)).width).toBe(3);
  });

  it("carries a credential whose signature then no longer verifies once its text was edited", async () => {
    const edited = json.replace('"name":"Ana Novak"', '"name":"Eve Novak"');
    expect(edited).not.toBe(json);
    const { text } = extractBakedCredential(bakePng(defaultBadgePng(), edited));
    expect((await verifyDataIntegrity(JSON.parse(text), { now: NOW })).verified).toBe(false);
    expect((await verifyDataIntegrity(JSON.parse(json), { now: NOW })).verified).toBe(true);
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const forged = extractBakedCredential(bakePng(defaultBadgePng(), `${h}.${p.slice(0, -4)}AAAA.${s}`));
    expect((await verifyCredentialJwt(forged.text, { now: NOW })).verified).toBe(false);
  });

  it("refuses a PNG with two credential chunks", () => {
    const chunks = chunksOf(defaultBadgePng());
    const two = encodeChunks([...chunks.slice(0, -1), credentialChunk(json), credentialChunk("{}"), chunks.at(-1)!]);
    throwsWith(() => extractBakedCredential(two), "INVALID_ARGUMENT", /holds 2 openbadgecredential chunks/);
  });

  it("refuses a compressed chunk, an Open Badges 2.0 one, and a PNG with none", () => {
    const chunks = chunksOf(defaultBadgePng());
    const chunk = credentialChunk(json);
    chunk.data[PNG_KEYWORD.length + 1] = 1;
    const compressed = encodeChunks([...chunks.slice(0, -1), chunk, chunks.at(-1)!]);
    throwsWith(() => extractBakedCredential(compressed), "INVALID_ARGUMENT", /compressed/);
    const ob2 = encodeChunks([
      ...chunks.slice(0, -1),
      { name: "tEXt", data: utf8("openbadges\0https://x") },
      chunks.at(-1)!,
    ]);
    throwsWith(() => extractBakedCredential(ob2), "INVALID_ARGUMENT", /Open Badges 2\.0/);
    throwsWith(() => extractBakedCredential(defaultBadgePng()), "INVALID_ARGUMENT", /no openbadgecredential chunk/);
  });

  it("refuses a damaged PNG: a bad CRC, a chunk longer than the file, a truncated file", () => {
    const baked = bakePng(defaultBadgePng(), json);
    const crc = baked.slice();
    crc[crc.length - 20] = crc[crc.length - 20]! ^ 0xff; // inside the iTXt text
    throwsWith(() => extractBakedCredential(crc), "INVALID_ARGUMENT", /damaged/);
    const long = baked.slice();
    new DataView(long.buffer).setUint32(8, 0xfffffff0); // IHDR's length
    throwsWith(() => extractBakedCredential(long), "INVALID_ARGUMENT", /longer than the file/);
    throwsWith(
      () => extractBakedCredential(baked.subarray(0, baked.length - 30)),
      "INVALID_ARGUMENT",
      /truncated|longer/,
    );
  });

  it("refuses an image larger than MAX_BADGE_IMAGE before reading it", () => {
    const huge = new Uint8Array(MAX_BADGE_IMAGE + 1);
    huge.set(defaultBadgePng().subarray(0, 8));
    throwsWith(() => extractBakedCredential(huge), "INVALID_ARGUMENT", /larger than/);
  });
});

describe("bakeSvg / extractSvgCredential (SVG)", () => {
  const svg = () => defaultBadgeSvg({ title: "Data Protection", issuerName: "Test University" });

  it("bakes the JSON in CDATA inside <openbadges:credential>, the namespace on the root <svg>", () => {
    const baked = bakeSvg(svg(), { format: "json", text: json });
    expect(baked).toMatch(
      /^<svg [^>]*xmlns:openbadges="https:\/\/purl\.imsglobal\.org\/ob\/v3p0"[^>]*><openbadges:credential><!\[CDATA\[\{/,
    );
    expect(extractBakedCredential(utf8(baked))).toEqual({ format: "json", text: json });
  });

  it("bakes the JWT in the verify attribute", () => {
    const baked = bakeSvg(svg(), { format: "jwt", text: jwt });
    expect(baked).toContain(`<openbadges:credential verify="${jwt}"></openbadges:credential>`);
    expect(extractSvgCredential(baked)).toEqual({ format: "jwt", text: jwt });
  });

  it("keeps a ]]> inside the JSON, and replaces a credential baked before", () => {
    const tricky = JSON.stringify({ a: "x]]>y<openbadges:credential>" });
    const baked = bakeSvg(bakeSvg(svg(), { format: "json", text: "{}" }), { format: "json", text: tricky });
    expect(extractSvgCredential(baked)).toEqual({ format: "json", text: tricky });
    expect(baked).not.toContain("<![CDATA[{}]]>");
  });

  it("refuses an SVG with two credential elements", () => {
    const two = bakeSvg(svg(), { format: "json", text: json }).replace(
      "</svg>",
      `<openbadges:credential><![CDATA[{"forged":true}]]></openbadges:credential></svg>`,
    );
    throwsWith(() => extractSvgCredential(two), "INVALID_ARGUMENT", /holds 2 credential elements/);
  });

  it("is not fooled by a credential element inside a comment or a CDATA section", () => {
    const fake = `<openbadges:credential><![CDATA[{"forged":true}]]></openbadges:credential>`;
    const commented = bakeSvg(svg(), { format: "json", text: json }).replace("</svg>", `<!-- ${fake} --></svg>`);
    expect(extractSvgCredential(commented).text).toBe(json);
    const hidden = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="${OB3_SVG_NAMESPACE}"><desc><![CDATA[${fake.replace("]]>", "")}]]></desc></svg>`;
    throwsWith(() => extractSvgCredential(hidden), "INVALID_ARGUMENT", /no <openbadges:credential>/);
  });

  it("finds the element by namespace, whatever its prefix, and not by a look-alike prefix", () => {
    const other = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="${OB3_SVG_NAMESPACE}"><ob:credential verify="${jwt}"/></svg>`;
    expect(extractSvgCredential(other)).toEqual({ format: "jwt", text: jwt });
    const lookAlike = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://evil.example"><openbadges:credential verify="${jwt}"/></svg>`;
    throwsWith(() => extractSvgCredential(lookAlike), "INVALID_ARGUMENT", /no <openbadges:credential>/);
    const undeclared = `<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential verify="${jwt}"/></svg>`;
    throwsWith(() => extractSvgCredential(undeclared), "INVALID_ARGUMENT", /prefix openbadges: is not declared/);
  });

  it("refuses a DOCTYPE (entities), malformed markup, both verify and content, and huge input", () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>`;
    throwsWith(() => extractBakedCredential(utf8(doctype)), "INVALID_ARGUMENT", /DOCTYPE/);
    throwsWith(() => extractSvgCredential(`<svg><g></svg>`), "INVALID_ARGUMENT", /closes no open element/);
    throwsWith(() => extractSvgCredential(`<svg a="1" a="2"></svg>`), "INVALID_ARGUMENT", /given twice/);
    const both = `<svg xmlns:openbadges="${OB3_SVG_NAMESPACE}"><openbadges:credential verify="${jwt}">{}</openbadges:credential></svg>`;
    throwsWith(() => extractSvgCredential(both), "INVALID_ARGUMENT", /both a verify attribute and content/);
    const huge = `<svg>${" ".repeat(MAX_BADGE_IMAGE)}</svg>`;
    throwsWith(() => extractSvgCredential(huge), "INVALID_ARGUMENT", /larger than/);
    const ob2 = `<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="x"/></svg>`;
    throwsWith(() => extractSvgCredential(ob2), "INVALID_ARGUMENT", /Open Badges 2\.0/);
  });
});

describe("defaultBadgeSvg", () => {
  it("escapes the title and issuer name: text stays text", () => {
    const svg = defaultBadgeSvg({ title: `<script>alert(1)</script> & "q"`, issuerName: "A</text><x y='1'>" });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;");
    const baked = bakeSvg(svg, { format: "json", text: "{}" });
    expect(extractSvgCredential(baked).text).toBe("{}"); // still well-formed, one credential
  });
});
