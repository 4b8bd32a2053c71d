/** JSON values as they appear in a credential. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const unescape = (token: string) => token.replace(/~1/g, "/").replace(/~0/g, "~");

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Flattens nested objects into RFC 6901 JSON Pointers → values. Arrays, strings, numbers and
 * booleans are leaves: `{ learner: { name: "A" }, skills: ["x"] }` →
 * `{ "/learner/name": "A", "/skills": ["x"] }`. These pointers are the unit of selective disclosure.
 */
export function flatten(value: { [key: string]: JsonValue }, prefix = ""): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  // A JavaScript caller may pass `undefined` properties, which JSON would not have.
  for (const [key, child] of Object.entries(value) as [string, JsonValue | undefined][]) {
    if (child === undefined) continue; // absent, as JSON would have it
    const pointer = `${prefix}/${escape(key)}`;
    if (isPlainObject(child) && Object.keys(child).length > 0) {
      for (const [p, v] of flatten(child, pointer)) out.set(p, v);
    } else {
      out.set(pointer, child);
    }
  }
  return out;
}

/** Rebuilds the nested object from pointer → value pairs (the inverse of {@link flatten}). */
export function unflatten(fields: Iterable<readonly [string, JsonValue]>): { [key: string]: JsonValue } {
  const root: { [key: string]: JsonValue } = {};
  for (const [pointer, value] of fields) {
    const tokens = pointer.split("/").slice(1).map(unescape);
    let node = root;
    tokens.forEach((token, i) => {
      // Own properties only, defined rather than assigned: a "__proto__" token from hostile input
      // must become a plain key, never reach Object.prototype.
      const existing: unknown = Object.hasOwn(node, token) ? node[token] : undefined;
      const next = i === tokens.length - 1 ? value : isPlainObject(existing) ? existing : {};
      Object.defineProperty(node, token, { value: next, enumerable: true, writable: true, configurable: true });
      if (i < tokens.length - 1) node = next as { [key: string]: JsonValue };
    });
  }
  return root;
}
