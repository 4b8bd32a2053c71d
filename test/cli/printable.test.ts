import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { printable, printableJson } from "../../cli/printable";

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const ESC = "\u001b";

describe("printable", () => {
  it.each([
    ["a CSI sequence with its parameters", `${ESC}[1A${ESC}[2KVALID${ESC}[0;31m!`, "VALID!"],
    ["an 8-bit CSI", "\u009b2KVALID", "VALID"],
    ["an OSC ended by BEL", `a${ESC}]0;title\u0007b`, "ab"],
    ["an OSC ended by ST", `a${ESC}]8;;https://evil${ESC}\\link${ESC}]8;;${ESC}\\b`, "alinkb"],
    ["an 8-bit OSC and DCS", "a\u009d0;t\u009cb\u0090q\u009cc", "abc"],
    ["an unterminated OSC (to the end)", `ok${ESC}]0;swallow everything`, "ok"],
    ["a two-character escape", `a${ESC}cb${ESC}(Bc`, "abc"],
    ["DEL, C1 controls and NUL", "a\u007f\u0085\u0000b\u0007", "a b"],
    ["bidi overrides and isolates", "\u202eevil\u202c \u2066x\u2069 \u200fy\u061c", "evil x y"],
    [
      "line breaks and tabs, as one space each",
      "one\r\ntwo\nthree\rfour\tfive\u2028six",
      "one two three four five six",
    ],
  ])("removes %s", (_, input, output) => {
    expect(printable(input)).toBe(output);
  });

  it("keeps ordinary text of any script as it is", () => {
    const text = "Zoë d'Arc — Universität 東京 جامعة 🎓 [1A] ~ \\";
    expect(printable(text)).toBe(text);
  });

  it("never lets a control character or a bidi override through, for any text", () => {
    const char = fc.oneof(
      fc.constantFrom(ESC, "[", "]", "\u0007", "\u009b", "\u009c", "\u009d", "\\", "\r", "\n", "\u202e", "\u2069"),
      fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }), (chars) => {
        expect(printable(chars.join(""))).not.toMatch(UNSAFE);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("printableJson", () => {
  it("escapes what a terminal would act on and means the same to a JSON reader", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (value, text) => {
        const doc = { value, text: `${text}\u009b\u202e${ESC}` };
        const json = printableJson(doc);
        // Pretty JSON has its own line breaks; nothing else unsafe is left raw.
        expect(json.replace(/\n/g, "")).not.toMatch(UNSAFE);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      { numRuns: 300 },
    );
  });
});
