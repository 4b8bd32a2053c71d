import canonicalize from "canonicalize";
import fc from "fast-check";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  fromHex32,
  hideField,
  type Hex32,
  isHidden,
  type JsonValue,
  processProof,
  toHex,
  valueHash,
} from "../../src";

/**
 * Hostile variants of a genuine proof bundle, for the security fuzz tests (test/security/): what
 * an attacker can hand a verifier, as a parsed value or as raw JSON text, and the oracle that says
 * which of them may legitimately verify.
 */

/** What the mutations draw on besides the genuine bundle. */
export interface MutationContext {
  genuine: Bundle;
  /** Another credential of the same batch: a leaf and path that lead to the same root. */
  sibling: { leaf: Hex32; path: Hex32[] };
  /** The root of another batch. */
  otherRoot: Hex32;
  /** Other `(chainId, registry)` pairs the verifier trusts, where the genuine root is not anchored. */
  otherTrusted: readonly { chainId: number; registry: string }[];
}

/** A hostile input: the value handed to the verifier (a string is JSON text) and how it was made. */
export interface HostileInput {
  value: unknown;
  asText: boolean;
  steps: string[];
}

type JsonObject = { [key: string]: JsonValue };
type Container = JsonObject | JsonValue[];

/** A mutation of the bundle as a parsed value; it may break every type the format promises. */
interface Step {
  name: string;
  apply(bundle: Bundle): void;
}

/** A mutation of the JSON text itself (raw fragments, keys JSON.parse treats specially, cuts). */
interface TextStep {
  name: string;
  apply(bundle: Bundle): string;
}

const MARK = "\u0001credroot-mark\u0001";
const MARK_JSON = JSON.stringify(MARK);

export const hex32: fc.Arbitrary<Hex32> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b));

/** Flips bit `bit` (0..255) of a 32-byte lowercase hex string. */
export function flipBit(hex: string, bit: number): string {
  const at = 2 + Math.floor((bit % 256) / 4);
  const nibble = Number.parseInt(hex[at] ?? "0", 16) ^ (1 << (bit % 4));
  return `${hex.slice(0, at)}${nibble.toString(16)}${hex.slice(at + 1)}`;
}

const pick = <T>(list: readonly T[], k: number): T | undefined => list[k % Math.max(1, list.length)];

const asTree = (bundle: Bundle) => bundle as unknown as JsonObject;
const fieldsOf = (bundle: Bundle) => bundle.credential.fields;

/** Every hash of a bundle, as a slot to read and overwrite. */
function hashSlots(bundle: Bundle): { get(): string; set(value: string): void }[] {
  const slots = Object.values(fieldsOf(bundle)).map((field) =>
    isHidden(field)
      ? { get: () => field.hash, set: (v: string) => (field.hash = v as Hex32) }
      : { get: () => field.salt, set: (v: string) => (field.salt = v as Hex32) },
  );
  const { proof, anchor } = bundle;
  slots.push(
    { get: () => proof.leaf, set: (v) => (proof.leaf = v as Hex32) },
    { get: () => proof.root, set: (v) => (proof.root = v as Hex32) },
    { get: () => anchor.txHash, set: (v) => (anchor.txHash = v as Hex32) },
  );
  proof.path.forEach((_, i) => slots.push({ get: () => proof.path[i]!, set: (v) => (proof.path[i] = v as Hex32) }));
  return slots;
}

/** Every (container, key) position of a JSON tree, found without recursion. */
function positions(root: Container): { parent: Container; key: string | number }[] {
  const out: { parent: Container; key: string | number }[] = [];
  const stack: Container[] = [root];
  while (stack.length > 0 && out.length < 2000) {
    const node = stack.pop()!;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      out.push({ parent: node, key });
      const child = (node as Record<string | number, JsonValue>)[key];
      if (typeof child === "object" && child !== null) stack.push(child);
    }
  }
  return out;
}

function objectsOf(root: JsonObject): JsonObject[] {
  const objects: JsonObject[] = [root];
  for (const { parent, key } of positions(root)) {
    const child = (parent as Record<string | number, JsonValue>)[key];
    if (typeof child === "object" && child !== null && !Array.isArray(child)) objects.push(child);
  }
  return objects;
}

const pointer = fc.oneof(
  fc.constantFrom("/learner/name", "/learner/email", "/validUntil", "/extra", "/id", "/learner", "/a~1b", "/__proto__"),
  fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((t) => `/${t.join("/")}`),
);

/** Numbers a JSON parser or a schema may mishandle. */
export const AWKWARD_NUMBERS = [1e308, 2 ** 53 + 1, 2 ** 53, -1, 0, 1.5, -0, Number.NaN, Infinity, Number.MIN_VALUE];
/** The same, and worse, as JSON text. */
export const AWKWARD_NUMBER_TEXT = [
  "1e308",
  "-1e308",
  "1e400",
  "-1e400",
  "9007199254740993",
  "-0",
  "1e-400",
  "123456789012345678901234567890123456789",
  "0.10000000000000000000001",
];

/** A value to put where something else belongs: JSON of every type, and the non-JSON numbers. */
const wrongValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.constantFrom<JsonValue>(...AWKWARD_NUMBERS, "", "0x", `0x${"g".repeat(64)}`, `0X${"a".repeat(64)}`, [], {}),
);

/** Raw JSON text spliced in place of a value: deep nesting, huge numbers, prototype keys. */
export const rawFragment: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.oneof(fc.constant(10_000), fc.integer({ min: 1, max: 12_000 })), fc.boolean())
    .map(([depth, arrays]) =>
      arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
    ),
  fc.constantFrom(...AWKWARD_NUMBER_TEXT),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '"\\ud800"',
    '"\\u0000"',
    `"${"x".repeat(300_000)}"`,
  ),
  fc.json({ maxDepth: 3 }),
);

function structuredSteps(ctx: MutationContext): fc.Arbitrary<Step> {
  const { genuine } = ctx;
  const internal = genuine.proof.path
    .slice(1)
    .map((_, i) => ({ node: processProof(genuine.proof.leaf, genuine.proof.path.slice(0, i + 1)), from: i + 1 }));
  const fieldAt = (b: Bundle, k: number) => pick(Object.keys(fieldsOf(b)), k);
  return fc.oneof(
    fc.tuple(fc.nat(), fc.nat(255)).map(([k, bit]): Step => ({
      name: `flip bit ${bit} of hash ${k}`,
      apply: (b) => {
        const slot = pick(hashSlots(b), k);
        slot?.set(flipBit(slot.get(), bit));
      },
    })),
    fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Step => ({
      name: `swap path elements ${i} and ${j}`,
      apply: ({ proof: { path } }) => {
        const n = path.length;
        if (n < 2) return;
        const [a, c] = [i % n, (i % n === j % n ? j + 1 : j) % n];
        [path[a], path[c]] = [path[c]!, path[a]!];
      },
    })),
    fc.constant<Step>({ name: "reverse the path", apply: ({ proof }) => void proof.path.reverse() }),
    fc.integer({ min: 1, max: 8 }).map((k): Step => ({
      name: `truncate the path by ${k}`,
      apply: ({ proof }) => void (proof.path = proof.path.slice(0, -k)),
    })),
    fc
      .array(fc.oneof(hex32, fc.constant(genuine.proof.root), fc.constant(genuine.proof.leaf)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((extra): Step => ({
        name: `extend the path by ${extra.length}`,
        apply: ({ proof }) => void proof.path.push(...extra),
      })),
    fc.boolean().map((leafToo): Step => ({
      name: leafToo ? "present the sibling's leaf and path" : "use the sibling's path",
      apply: ({ proof }) => {
        proof.path = [...ctx.sibling.path];
        if (leafToo) proof.leaf = ctx.sibling.leaf;
      },
    })),
    fc.oneof(fc.constant(ctx.otherRoot), fc.constant(genuine.proof.leaf), hex32).map((root): Step => ({
      name: `swap the root for ${root}`,
      apply: ({ proof }) => void (proof.root = root),
    })),
    fc.nat().map((k): Step => ({
      name: `offer internal node ${k} as the leaf`,
      apply: ({ proof }) => {
        const chosen = pick(internal, k);
        if (!chosen) return;
        proof.leaf = chosen.node;
        proof.path = genuine.proof.path.slice(chosen.from);
      },
    })),
    fc.nat().map((k): Step => ({
      name: `name trusted registry ${k} elsewhere`,
      apply: ({ anchor }) => {
        const other = pick(ctx.otherTrusted, k);
        if (other) Object.assign(anchor, other);
      },
    })),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((chainId): Step => ({
      name: `name chain ${chainId}`,
      apply: ({ anchor }) => void (anchor.chainId = chainId),
    })),
    address.map((registry): Step => ({
      name: `name registry ${registry}`,
      apply: ({ anchor }) => void (anchor.registry = registry),
    })),
    fc.boolean().map((upper): Step => ({
      name: `write the registry in ${upper ? "upper" : "lower"} case`,
      apply: ({ anchor }) =>
        void (anchor.registry = `0x${anchor.registry.slice(2)[upper ? "toUpperCase" : "toLowerCase"]()}`),
    })),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((issuerId): Step => ({
      name: `name issuer ${issuerId}`,
      apply: ({ anchor }) => void (anchor.issuerId = issuerId),
    })),
    fc.nat().map((k): Step => ({
      name: `remove field ${k}`,
      apply: (b) => {
        const p = fieldAt(b, k);
        if (p !== undefined) Reflect.deleteProperty(fieldsOf(b), p);
      },
    })),
    fc.tuple(pointer, fc.option(hex32), hex32, wrongValue).map(([p, hash, salt, value]): Step => ({
      name: `add field ${p}`,
      apply: (b) => void (fieldsOf(b)[p] = hash ? { hash } : { salt, value }),
    })),
    fc.tuple(fc.nat(), pointer).map(([k, to]): Step => ({
      name: `move field ${k} to ${to}`,
      apply: (b) => {
        const from = fieldAt(b, k);
        if (from === undefined || from === to) return;
        fieldsOf(b)[to] = fieldsOf(b)[from]!;
        Reflect.deleteProperty(fieldsOf(b), from);
      },
    })),
    fc.tuple(fc.nat(), wrongValue).map(([k, value]): Step => ({
      name: `replace the value of field ${k}`,
      apply: (b) => {
        const p = fieldAt(b, k);
        const field = p === undefined ? undefined : fieldsOf(b)[p];
        if (field && !isHidden(field)) field.value = value;
      },
    })),
    fc.tuple(fc.nat(), fc.option(hex32)).map(([k, wrong]): Step => ({
      name: wrong ? `hide field ${k} under a wrong hash` : `hide field ${k}`,
      apply: (b) => {
        const p = fieldAt(b, k);
        if (p !== undefined) fieldsOf(b)[p] = wrong ? { hash: wrong } : hideField(fieldsOf(b)[p]!);
      },
    })),
    fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([i, j, salts]): Step => ({
      name: `swap the ${salts ? "salts" : "values"} of fields ${i} and ${j}`,
      apply: (b) => {
        const [p, q] = [fieldAt(b, i), fieldAt(b, j)];
        const [f, g] = [p === undefined ? undefined : fieldsOf(b)[p], q === undefined ? undefined : fieldsOf(b)[q]];
        if (!f || !g || isHidden(f) || isHidden(g)) return;
        if (salts) [f.salt, g.salt] = [g.salt, f.salt];
        else [f.value, g.value] = [g.value, f.value];
      },
    })),
    fc.nat().map((k): Step => ({
      name: `make field ${k} a 300 000-character string`,
      apply: (b) => {
        const p = fieldAt(b, k);
        const field = p === undefined ? undefined : fieldsOf(b)[p];
        if (field && !isHidden(field)) field.value = "x".repeat(300_000);
      },
    })),
    fc
      .tuple(fc.constantFrom("chainId", "issuerId", "blockNumber" as const), fc.constantFrom(...AWKWARD_NUMBERS))
      .map(([key, n]): Step => ({ name: `set anchor.${key} to ${n}`, apply: ({ anchor }) => void (anchor[key] = n) })),
    fc.tuple(fc.nat(), wrongValue).map(([k, value]): Step => ({
      name: `replace node ${k} with ${JSON.stringify(value).slice(0, 40)}`,
      apply: (b) => {
        const at = pick(positions(asTree(b)), k);
        if (at) (at.parent as Record<string | number, JsonValue>)[at.key] = value;
      },
    })),
    fc.nat().map((k): Step => ({
      name: `delete node ${k}`,
      apply: (b) => {
        const at = pick(positions(asTree(b)), k);
        if (!at) return;
        if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
        else Reflect.deleteProperty(at.parent, at.key);
      },
    })),
    fc.tuple(fc.nat(), fc.string({ maxLength: 10 }), wrongValue).map(([k, key, value]): Step => ({
      name: `add key ${JSON.stringify(key)} to object ${k}`,
      apply: (b) => {
        const object = pick(objectsOf(asTree(b)), k);
        if (object) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      },
    })),
  );
}

function textSteps(): fc.Arbitrary<TextStep> {
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
      .tuple(fc.nat(), fc.nat(), fc.constantFrom("__proto__", "constructor", "prototype", "duplicate"), rawFragment)
      .map(([k, d, kind, fragment]): TextStep => ({
        name: `add raw key ${kind} to object ${k}`,
        apply: (b) => {
          const object = pick(objectsOf(asTree(b)), k)!;
          const key = kind === "duplicate" ? (pick(Object.keys(object), d) ?? "type") : kind;
          // Added under a marker key, then renamed in the text: JSON.parse treats these names specially.
          Object.defineProperty(object, MARK, { value: MARK, enumerable: true, writable: true, configurable: true });
          return JSON.stringify(b).replace(`${MARK_JSON}:${MARK_JSON}`, () => `${JSON.stringify(key)}:${fragment}`);
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
    ),
  );
}

/**
 * Hostile bundles: up to three mutations of the genuine bundle, then, sometimes, a mutation of its
 * JSON text. Delivered as text (JSON.stringify when no text mutation) or as the parsed value.
 */
export function hostileBundles(ctx: MutationContext): fc.Arbitrary<HostileInput> {
  return fc
    .tuple(
      fc.array(structuredSteps(ctx), { minLength: 0, maxLength: 3 }),
      fc.option(textSteps(), { freq: 3 }),
      fc.boolean(),
    )
    .map(([steps, textStep, asText]) => {
      const bundle = structuredClone(ctx.genuine);
      const names = steps.map((step) => {
        try {
          step.apply(bundle);
          return step.name;
        } catch {
          // An earlier step broke the shape this one expects (say, `proof` is now a number).
          return `${step.name} (skipped)`;
        }
      });
      if (textStep) {
        try {
          return { value: textStep.apply(bundle), asText: true, steps: [...names, textStep.name] };
        } catch {
          // As above: the text step found no object to work on.
        }
      }
      return { value: asText ? JSON.stringify(bundle) : bundle, asText, steps: names };
    });
}

/** True when both values have the same RFC 8785 canonical form (what the commitment binds). */
function sameJson(a: JsonValue, b: JsonValue): boolean {
  try {
    return canonicalize(a) === canonicalize(b);
  } catch {
    return false;
  }
}

/**
 * The oracle: may `candidate` (parsed) verify valid? Only when everything the verifier vouches
 * for is the genuine bundle's: the same proof, the same chain, registry (in any letter case) and
 * issuer, and every field either disclosed with the genuine salt and (canonically) the genuine
 * value or legitimately hidden under its genuine value hash (as `discloseBundle` does).
 * `anchor.txHash` and `anchor.blockNumber` are locators the verifier does not check; they are
 * deliberately not compared.
 */
export function isGenuineOrDisclosure(candidate: Bundle, genuine: Bundle): boolean {
  const [c, g] = [candidate, genuine];
  const samePath = c.proof.path.length === g.proof.path.length && c.proof.path.every((h, i) => h === g.proof.path[i]);
  if (!samePath || c.proof.leaf !== g.proof.leaf || c.proof.root !== g.proof.root) return false;
  if (c.anchor.chainId !== g.anchor.chainId || c.anchor.issuerId !== g.anchor.issuerId) return false;
  if (c.anchor.registry.toLowerCase() !== g.anchor.registry.toLowerCase()) return false;
  const pointers = Object.keys(g.credential.fields);
  if (Object.keys(c.credential.fields).length !== pointers.length) return false;
  return pointers.every((p) => {
    const field = Object.hasOwn(c.credential.fields, p) ? c.credential.fields[p] : undefined;
    const original = g.credential.fields[p]!;
    if (!field || isHidden(original)) return false;
    if (isHidden(field)) {
      return !ALWAYS_DISCLOSED.includes(p) && field.hash === toHex(valueHash(fromHex32(original.salt), original.value));
    }
    return field.salt === original.salt && sameJson(field.value, original.value);
  });
}
