/**
 * Mutations of a bundle's bytes, Merkle path, root and anchor: what binds the credential to what
 * the chain holds (the first half of the structured steps of bundle-mutations.ts).
 */
import fc from "fast-check";
import { joinBase64url, toBase64url, toHex } from "../../src";
import { byteSlots, leafOfGenuine, type MutationContext, pathOf, pick, type Step } from "./mutation-kit";
import { address, AWKWARD_NUMBERS, bytes32, flipBase64urlBit } from "./mutation-values";

/** Steps on the bytes (any bit of a secret, salt, hash or path element), the path, the root and the anchor. */
export function proofAndAnchorSteps(ctx: MutationContext): fc.Arbitrary<Step>[] {
  const { genuine, sibling } = ctx;
  return [
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
  ];
}
