import canonicalize from "canonicalize";
import fc from "fast-check";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  chunksOf,
  digestOfOpening,
  discloseBundle,
  fromBase64url,
  type Hex32,
  joinBase64url,
  type JsonValue,
  leafOf,
  openBundle,
  toBase64url,
  toHex,
  valueHash,
} from "../../src";

/**
 * Hostile variants of a genuine (format v2) proof bundle, for the security fuzz tests
 * (test/security/, test/e2e/mutations.test.ts): what an attacker can hand a verifier, as a parsed
 * value or as raw JSON text, and the oracle that says which of them may legitimately verify.
 */

/** What the mutations draw on besides the genuine bundle. */
export interface MutationContext {
  /** The genuine full bundle (it carries its secret). */
  genuine: Bundle;
  /** The full bundle of another credential of the same batch: its secret, values and path lead to the same root. */
  sibling: Bundle;
  /**
   * Roots anchored elsewhere that a holder may point the bundle at, with the path of the genuine
   * leaf to them where there is one: another issuer's batch with the same id and root, a root
   * holding the genuine leaf (a re-anchoring), another batch of the same issuer.
   */
  otherBatches: readonly { issuerId: number; batchId: string; root?: Hex32; proof?: Hex32[] }[];
  /** Other `(chainId, registry)` pairs the verifier trusts, where the genuine batch is not. */
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
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b));

/** Flips bit `bit` of a 32-byte lowercase hex string. */
export function flipBit(hex: string, bit: number): string {
  const at = 2 + Math.floor((bit % 256) / 4);
  const nibble = Number.parseInt(hex[at] ?? "0", 16) ^ (1 << (bit % 4));
  return `${hex.slice(0, at)}${nibble.toString(16)}${hex.slice(at + 1)}`;
}

/** Flips bit `bit` of the bytes that canonical base64url `text` encodes, and re-encodes them. */
export function flipBase64urlBit(text: string, bit: number): string {
  const bytes = fromBase64url(text);
  if (bytes.length === 0) return text;
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i]! ^= 1 << (bit % 8);
  return toBase64url(bytes);
}

const pick = <T>(list: readonly T[], k: number): T | undefined => list[k % Math.max(1, list.length)];

const asTree = (bundle: Bundle) => bundle as unknown as JsonObject;
const ascending = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The shown pointers of `bundle`, in the order its salts are. */
function shownPointers(bundle: Bundle): string[] {
  return [...openBundle(bundle).shown.keys()].sort(ascending);
}

/** The genuine bundle's leaf, as the verifier derives it. */
function leafOfGenuine(genuine: Bundle): Uint8Array {
  return leafOf(genuine.anchor, digestOfOpening(openBundle(genuine)));
}

/** The 32-byte path elements of the bundle. */
function pathOf(bundle: Bundle): Uint8Array[] {
  return chunksOf(bundle.proof, 32, "the proof");
}

/** Every byte string of a bundle (secret, salts, hidden hashes, proof) as a slot to read and overwrite. */
function byteSlots(bundle: Bundle): { get(): string; set(value: string): void }[] {
  const slots: { get(): string; set(value: string): void }[] = [
    { get: () => bundle.proof, set: (v) => (bundle.proof = v) },
    { get: () => bundle.root, set: (v) => (bundle.root = v) },
  ];
  if (bundle.secret !== undefined) slots.push({ get: () => bundle.secret!, set: (v) => (bundle.secret = v) });
  if (bundle.salts !== undefined) slots.push({ get: () => bundle.salts!, set: (v) => (bundle.salts = v) });
  const hidden = bundle.hidden ?? {};
  for (const p of Object.keys(hidden)) slots.push({ get: () => hidden[p]!, set: (v) => (hidden[p] = v) });
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

/** The positions of the credential's values (every key at any depth of `credential`). */
function valuePositions(bundle: Bundle) {
  return positions(bundle.credential);
}

const pointer = fc.oneof(
  fc.constantFrom("/learner/name", "/learner/email", "/validUntil", "/extra", "/id", "/learner", "/a~1b", "/__proto__"),
  fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((t) => `/${t.join("/")}`),
);
const key = fc.oneof(
  fc.constantFrom("extra", "awardingBody", "__proto__", "constructor", "validUntil", "title", "a/b", "~"),
  fc.string({ minLength: 1, maxLength: 8 }),
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

/** `validUntil` forms a verifier could not read, and canonical ones of other days. */
const VALID_UNTIL = [
  "2099-12-31T23:59:60.000Z",
  "2099-12-31T23:59:59+01",
  "2099-12-31T23:59:59Z",
  "2099-12-31T23:59:59.000z",
  "2099-02-30",
  "2099-13-01",
  "2099-12-31T24:00:00.000Z",
  "2100-01-01",
  "2099-12-30",
  "2099-12-31T23:59:59.999Z",
];

/** A value to put where something else belongs: JSON of every type, and the non-JSON numbers. */
const wrongValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.constantFrom<JsonValue>(
    ...AWKWARD_NUMBERS,
    "",
    "0x",
    "\ud800",
    `0x${"g".repeat(64)}`,
    "AAAAAAAAAAAAAAAAAAAAAA",
    "A".repeat(43),
    [],
    {},
  ),
);

/** Raw JSON text spliced in place of a value: deep nesting, huge numbers, prototype keys, lone surrogates. */
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
    '"\\udfff\\ud800"',
    '"\\u0000"',
    `"${"x".repeat(300_000)}"`,
  ),
  fc.json({ maxDepth: 3 }),
);

/** The bundle's values and salts rebuilt after `change` edits its shown values (salts stay with their pointers). */
function resalted(bundle: Bundle, change: () => void, saltFor: (pointer: string) => Uint8Array): void {
  if (bundle.salts === undefined) {
    change();
    return;
  }
  const old = shownPointers(bundle);
  const salts = chunksOf(bundle.salts, 16, "salts");
  const byPointer = new Map(old.map((p, i) => [p, salts[i]!]));
  change();
  bundle.salts = joinBase64url(shownPointers(bundle).map((p) => byPointer.get(p) ?? saltFor(p)));
}

function structuredSteps(ctx: MutationContext): fc.Arbitrary<Step> {
  const { genuine, sibling } = ctx;
  return fc.oneof(
    // Bytes: any bit of the secret, a salt, a hidden value hash or a path element.
    fc.tuple(fc.nat(), fc.nat()).map(([k, bit]): Step => ({
      name: `flip bit ${bit} of byte string ${k}`,
      apply: (b) => {
        const slot = pick(byteSlots(b), k);
        slot?.set(flipBase64urlBit(slot.get(), bit));
      },
    })),
    fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Step => ({
      name: `swap path elements ${i} and ${j}`,
      apply: (b) => {
        const path = pathOf(b);
        const n = path.length;
        if (n < 2) return;
        const [a, c] = [i % n, (i % n === j % n ? j + 1 : j) % n];
        [path[a], path[c]] = [path[c]!, path[a]!];
        b.proof = joinBase64url(path);
      },
    })),
    fc.constant<Step>({ name: "reverse the path", apply: (b) => void (b.proof = joinBase64url(pathOf(b).reverse())) }),
    fc.integer({ min: 1, max: 8 }).map((k): Step => ({
      name: `truncate the path by ${k}`,
      apply: (b) => void (b.proof = joinBase64url(pathOf(b).slice(0, -k))),
    })),
    // The path above the first level: what leads from an internal node to the root.
    fc.integer({ min: 1, max: 4 }).map((k): Step => ({
      name: `drop the first ${k} path elements (internal node as leaf)`,
      apply: (b) => void (b.proof = joinBase64url(pathOf(b).slice(k))),
    })),
    fc
      .array(fc.oneof(bytes32, fc.constant(pathOf(genuine)[0] ?? new Uint8Array(32))), { minLength: 1, maxLength: 3 })
      .map((extra): Step => ({
        name: `extend the path by ${extra.length}`,
        apply: (b) => void (b.proof = joinBase64url([...pathOf(b), ...extra])),
      })),
    fc.constantFrom<Step>(
      { name: "use the sibling's path", apply: (b) => void (b.proof = sibling.proof) },
      { name: "use the sibling's secret", apply: (b) => void (b.secret = sibling.secret) },
      {
        name: "use the sibling's values with the genuine secret",
        apply: (b) => void (b.credential = structuredClone(sibling.credential)),
      },
      { name: "use the sibling's anchor block", apply: (b) => void (b.anchor.block = sibling.anchor.block) },
      { name: "use the sibling's root", apply: (b) => void (b.root = sibling.root) },
      {
        name: "name the genuine leaf as the root, with no path (a one-leaf re-anchoring)",
        apply: (b) => {
          b.root = toBase64url(leafOfGenuine(genuine));
          b.proof = "";
        },
      },
    ),
    fc.oneof(bytes32, fc.constant(pathOf(genuine)[0] ?? new Uint8Array(32))).map((root): Step => ({
      name: `name the root ${toHex(root).slice(0, 12)}…`,
      apply: (b) => void (b.root = toBase64url(root)),
    })),
    // The anchor: what the leaf is bound to.
    fc.tuple(fc.nat(), fc.nat(3)).map(([k, how]): Step => ({
      name: `name another batch ${k} (${["issuer and batch id", "and its root", "and its root and path", "its root and path only"][how]})`,
      apply: (b) => {
        const other = pick(ctx.otherBatches, k);
        if (!other) return;
        if (how < 3) Object.assign(b.anchor, { issuerId: other.issuerId, batchId: other.batchId });
        if (how >= 1 && other.root) b.root = toBase64url(Buffer.from(other.root.slice(2), "hex"));
        if (how >= 2 && other.proof) b.proof = joinBase64url(other.proof.map((h) => Buffer.from(h.slice(2), "hex")));
      },
    })),
    fc.nat().map((k): Step => ({
      name: `name trusted registry ${k} elsewhere`,
      apply: (b) => {
        const other = pick(ctx.otherTrusted, k);
        if (other) Object.assign(b.anchor, other);
      },
    })),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((chainId): Step => ({
      name: `name chain ${chainId}`,
      apply: (b) => void (b.anchor.chainId = chainId),
    })),
    address.map((registry): Step => ({
      name: `name registry ${registry}`,
      apply: (b) => void (b.anchor.registry = registry),
    })),
    fc.boolean().map((upper): Step => ({
      name: `write the registry in ${upper ? "upper" : "lower"} case`,
      apply: (b) =>
        void (b.anchor.registry = `0x${b.anchor.registry.slice(2)[upper ? "toUpperCase" : "toLowerCase"]()}`),
    })),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((issuerId): Step => ({
      name: `name issuer ${issuerId}`,
      apply: (b) => void (b.anchor.issuerId = issuerId),
    })),
    fc
      .oneof(
        fc.uuid(),
        fc.uuid().map((u) => u.toUpperCase()),
      )
      .map((batchId): Step => ({
        name: `name batch ${batchId}`,
        apply: (b) => void (b.anchor.batchId = batchId),
      })),
    fc.nat().map((block): Step => ({ name: `name block ${block}`, apply: (b) => void (b.anchor.block = block) })),
    fc
      .tuple(fc.constantFrom("chainId", "issuerId", "block" as const), fc.constantFrom(...AWKWARD_NUMBERS))
      .map(([field, n]): Step => ({ name: `set anchor.${field} to ${n}`, apply: (b) => void (b.anchor[field] = n) })),
    // The values, as a holder would change them: drop, add, rename, replace, swap, hide.
    fc.nat().map((k): Step => ({
      name: `remove value ${k}`,
      apply: (b) => {
        const at = pick(valuePositions(b), k);
        if (!at) return;
        resalted(
          b,
          () => {
            if (Array.isArray(at.parent)) at.parent.splice(Number(at.key), 1);
            else Reflect.deleteProperty(at.parent, at.key);
          },
          () => new Uint8Array(16),
        );
      },
    })),
    fc
      .tuple(fc.nat(), key, wrongValue, fc.uint8Array({ minLength: 16, maxLength: 16 }))
      .map(([k, name, value, salt]): Step => ({
        name: `add value ${JSON.stringify(name)} to object ${k} of the credential`,
        apply: (b) => {
          const object = pick(objectsOf(b.credential), k);
          if (!object) return;
          resalted(
            b,
            () => Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true }),
            () => salt,
          );
        },
      })),
    fc.tuple(fc.nat(), wrongValue).map(([k, value]): Step => ({
      name: `replace value ${k} with ${JSON.stringify(value).slice(0, 30)}`,
      apply: (b) => {
        const at = pick(valuePositions(b), k);
        if (at) (at.parent as Record<string | number, JsonValue>)[at.key] = value;
      },
    })),
    fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Step => ({
      name: `swap values ${i} and ${j}`,
      apply: (b) => {
        const all = valuePositions(b);
        const [x, y] = [pick(all, i), pick(all, j)];
        if (!x || !y) return;
        const [px, py] = [
          x.parent as Record<string | number, JsonValue>,
          y.parent as Record<string | number, JsonValue>,
        ];
        [px[x.key], py[y.key]] = [py[y.key]!, px[x.key]!];
      },
    })),
    fc.tuple(fc.nat(), key).map(([k, to]): Step => ({
      name: `rename value ${k} to ${JSON.stringify(to)}`,
      apply: (b) => {
        const at = pick(
          valuePositions(b).filter((p) => !Array.isArray(p.parent)),
          k,
        );
        if (!at || at.key === to) return;
        const parent = at.parent as JsonObject;
        resalted(
          b,
          () => {
            Object.defineProperty(parent, to, {
              value: parent[at.key]!,
              enumerable: true,
              writable: true,
              configurable: true,
            });
            Reflect.deleteProperty(parent, at.key);
          },
          () => new Uint8Array(16),
        );
      },
    })),
    fc.constantFrom(...VALID_UNTIL).map((validUntil): Step => ({
      name: `set validUntil to ${validUntil}`,
      apply: (b) => void (b.credential.validUntil = validUntil),
    })),
    fc.constant<Step>({
      name: "claim an awarding body",
      apply: (b) =>
        resalted(
          b,
          () => void (b.credential.awardingBody = { name: "Harvard University", country: "US" }),
          () => new Uint8Array(16),
        ),
    }),
    fc.nat().map((k): Step => ({
      name: `make value ${k} a 300 000-character string`,
      apply: (b) => {
        const at = pick(valuePositions(b), k);
        if (at) (at.parent as Record<string | number, JsonValue>)[at.key] = "x".repeat(300_000);
      },
    })),
    // Disclosure, legitimately (discloseBundle) and not.
    fc.subarray(hideablePointers(genuine), { minLength: 1, maxLength: 4 }).map((hide): Step => ({
      name: `disclose, hiding ${hide.join(", ")}`,
      apply: (b) => {
        try {
          Object.assign(b, discloseBundle(b, hide));
          delete b.secret;
        } catch {
          // Not a bundle any more, or a field already gone: nothing to disclose.
        }
      },
    })),
    fc.tuple(pointer, hex32).map(([p, hash]): Step => ({
      name: `hide ${p} under a made-up hash`,
      apply: (b) => void (b.hidden = { ...b.hidden, [p]: toBase64url(Buffer.from(hash.slice(2), "hex")) }),
    })),
    fc.constantFrom<Step>(
      {
        name: "drop the secret",
        apply: (b) => {
          delete b.secret;
        },
      },
      { name: "add the genuine secret", apply: (b) => void (b.secret = genuine.secret) },
      {
        name: "drop the salts",
        apply: (b) => {
          delete b.salts;
        },
      },
      {
        name: "drop the hidden fields",
        apply: (b) => {
          delete b.hidden;
        },
      },
      { name: "add salts for every shown field", apply: (b) => void (b.salts = discloseBundle(genuine, []).salts) },
    ),
    // Anything at all, anywhere.
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
    fc.tuple(fc.nat(), fc.string({ maxLength: 10 }), wrongValue).map(([k, name, value]): Step => ({
      name: `add key ${JSON.stringify(name)} to object ${k}`,
      apply: (b) => {
        const object = pick(objectsOf(asTree(b)), k);
        if (object)
          Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
      },
    })),
  );
}

/** The pointers of `bundle` a holder may hide. */
export function hideablePointers(bundle: Bundle): string[] {
  return shownPointers(bundle).filter((p) => !ALWAYS_DISCLOSED.includes(p));
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

/**
 * Hostile bundles: the genuine bundle or a disclosure of it, up to three mutations, then,
 * sometimes, a mutation of its JSON text. Delivered as text (JSON.stringify when no text
 * mutation) or as the parsed value.
 */
export function hostileBundles(ctx: MutationContext): fc.Arbitrary<HostileInput> {
  const hideable = hideablePointers(ctx.genuine);
  return fc
    .tuple(
      fc.option(fc.subarray(hideable), { freq: 2 }),
      fc.array(structuredSteps(ctx), { minLength: 0, maxLength: 3 }),
      fc.option(textSteps(), { freq: 3 }),
      fc.boolean(),
    )
    .map(([hide, steps, textStep, asText]) => {
      const bundle = hide ? discloseBundle(ctx.genuine, hide) : structuredClone(ctx.genuine);
      const names = hide ? [`start from a disclosure hiding [${hide.join(", ")}]`] : [];
      for (const step of steps) {
        try {
          step.apply(bundle);
          names.push(step.name);
        } catch {
          // An earlier step broke the shape this one expects (say, `proof` is now a number).
          names.push(`${step.name} (skipped)`);
        }
      }
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

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The oracle: may `candidate` (parsed) verify valid? Only when everything the verifier vouches
 * for is the genuine bundle's: the same chain, registry, issuer and batch, the same root and path, and
 * every field either shown with the genuine salt and (canonically) the genuine value, or
 * legitimately hidden under its genuine value hash (as `discloseBundle` does). `anchor.block` is a
 * locator the verifier does not check; it is deliberately not compared.
 */
export function isGenuineOrDisclosure(candidate: Bundle, genuine: Bundle): boolean {
  const [c, g] = [candidate.anchor, genuine.anchor];
  if (c.chainId !== g.chainId || c.registry !== g.registry || c.issuerId !== g.issuerId || c.batchId !== g.batchId) {
    return false;
  }
  if (candidate.proof !== genuine.proof || candidate.root !== genuine.root) return false;
  let opened;
  try {
    opened = openBundle(candidate);
  } catch {
    return false;
  }
  const original = openBundle(genuine).shown;
  if (opened.shown.size + opened.hidden.size !== original.size) return false;
  return [...original].every(([p, field]) => {
    const shown = opened.shown.get(p);
    if (shown) return sameBytes(shown.salt, field.salt) && sameJson(shown.value, field.value);
    const hidden = opened.hidden.get(p);
    return (
      hidden !== undefined && !ALWAYS_DISCLOSED.includes(p) && sameBytes(hidden, valueHash(field.salt, field.value))
    );
  });
}
