/**
 * Mutations of a bundle's JSON text itself: raw fragments, keys JSON.parse treats specially, cuts
 * and insertions (the text steps of bundle-mutations.ts).
 */
import fc from "fast-check";
import type { JsonValue } from "../../src";
import { asTree, MARK, MARK_JSON, objectsOf, pick, positions, type TextStep } from "./mutation-kit";
import { rawFragment } from "./mutation-values";

/** Steps that turn a bundle into hostile JSON text. */
export function textSteps(): fc.Arbitrary<TextStep> {
  return fc.oneof(
    fc.tuple(fc.nat(), rawFragment).map(([k, fragment]): TextStep => ({
      name: `splice ${fragment.slice(0, 30)}… (${fragment.length} chars) in place of node ${k}`,
      apply: (b) => {
        const at = pick(positions(asTree(b)), k);
        if (at) (at.parent as Record<string | number, JsonValue>)[at.key] = MARK;
        return JSON.stringify(b).replace(MARK_JSON, () => fragment);
      },
    })),
    fc
      .tuple(
        fc.nat(),
        fc.nat(),
        fc.constantFrom("__proto__", "constructor", "prototype", "duplicate", "escaped duplicate"),
        rawFragment,
      )
      .map(([k, d, kind, fragment]): TextStep => ({
        name: `add raw key ${kind} to object ${k}`,
        apply: (b) => {
          const object = pick(objectsOf(asTree(b)), k)!;
          const existing = pick(Object.keys(object), d) ?? "type";
          const name =
            kind === "duplicate"
              ? JSON.stringify(existing)
              : kind === "escaped duplicate"
                ? `"${Array.from({ length: existing.length }, (_, i) => `\\u${existing.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")}"`
                : JSON.stringify(kind);
          // Added under a marker key, then renamed in the text: JSON.parse treats these names specially.
          Object.defineProperty(object, MARK, { value: MARK, enumerable: true, writable: true, configurable: true });
          return JSON.stringify(b).replace(`${MARK_JSON}:${MARK_JSON}`, () => `${name}:${fragment}`);
        },
      })),
    fc.nat().map((at): TextStep => ({
      name: `cut the text at ${at}`,
      apply: (b) => {
        const text = JSON.stringify(b);
        return text.slice(0, at % text.length);
      },
    })),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 2, unit: "binary" })).map(([at, insert]): TextStep => ({
      name: `insert ${JSON.stringify(insert)} at ${at}`,
      apply: (b) => {
        const text = JSON.stringify(b);
        const i = at % text.length;
        return text.slice(0, i) + insert + text.slice(i);
      },
    })),
    fc.constantFrom<TextStep>(
      { name: "indent the text", apply: (b) => `\n ${JSON.stringify(b, null, 2)}\t\n` },
      { name: "prefix a byte-order mark", apply: (b) => `\uFEFF${JSON.stringify(b)}` },
      { name: "append trailing garbage", apply: (b) => `${JSON.stringify(b)}}` },
      {
        name: "escape every non-ASCII character",
        apply: (b) =>
          JSON.stringify(b).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      },
    ),
  );
}
