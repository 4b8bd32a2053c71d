/**
 * What the bundle mutations (bundle-mutations.ts) are made of: their context, the two kinds of
 * step, and the bundle seen as a JSON tree whose positions, byte strings and salts a step edits.
 */
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  chunksOf,
  digestOfOpening,
  type Hex32,
  joinBase64url,
  type JsonValue,
  leafOf,
  openBundle,
} from "../../src";

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

export type JsonObject = { [key: string]: JsonValue };
export type Container = JsonObject | JsonValue[];

/** A mutation of the bundle as a parsed value; it may break every type the format promises. */
export interface Step {
  name: string;
  apply(bundle: Bundle): void;
}

/** A mutation of the JSON text itself (raw fragments, keys JSON.parse treats specially, cuts). */
export interface TextStep {
  name: string;
  apply(bundle: Bundle): string;
}

/** A marker value a text step puts in the tree, then replaces in the JSON text. */
export const MARK = "\u0001credroot-mark\u0001";
export const MARK_JSON = JSON.stringify(MARK);

/** Element `k` of `list`, wrapping around (undefined for an empty list). */
export const pick = <T>(list: readonly T[], k: number): T | undefined => list[k % Math.max(1, list.length)];

/** The bundle as the JSON tree it is (for steps that break its types). */
export const asTree = (bundle: Bundle) => bundle as unknown as JsonObject;
/** Code-unit order, as the salts of a disclosed copy are. */
export const ascending = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The shown pointers of `bundle`, in the order its salts are. */
export function shownPointers(bundle: Bundle): string[] {
  return [...openBundle(bundle).shown.keys()].sort(ascending);
}

/** The genuine bundle's leaf, as the verifier derives it. */
export function leafOfGenuine(genuine: Bundle): Uint8Array {
  return leafOf(genuine.anchor, digestOfOpening(openBundle(genuine)));
}

/** The 32-byte path elements of the bundle. */
export function pathOf(bundle: Bundle): Uint8Array[] {
  return chunksOf(bundle.proof, 32, "the proof");
}

/** Every byte string of a bundle (secret, salts, hidden hashes, proof) as a slot to read and overwrite. */
export function byteSlots(bundle: Bundle): { get(): string; set(value: string): void }[] {
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
export function positions(root: Container): { parent: Container; key: string | number }[] {
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

/** Every object of a JSON tree, `root` first. */
export function objectsOf(root: JsonObject): JsonObject[] {
  const objects: JsonObject[] = [root];
  for (const { parent, key } of positions(root)) {
    const child = (parent as Record<string | number, JsonValue>)[key];
    if (typeof child === "object" && child !== null && !Array.isArray(child)) objects.push(child);
  }
  return objects;
}

/** The positions of the credential's values (every key at any depth of `credential`). */
export function valuePositions(bundle: Bundle) {
  return positions(bundle.credential);
}

/** The bundle's values and salts rebuilt after `change` edits its shown values (salts stay with their pointers). */
export function resalted(bundle: Bundle, change: () => void, saltFor: (pointer: string) => Uint8Array): void {
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

/** The pointers of `bundle` a holder may hide. */
export function hideablePointers(bundle: Bundle): string[] {
  return shownPointers(bundle).filter((p) => !ALWAYS_DISCLOSED.includes(p));
}
