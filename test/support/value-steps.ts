/**
 * Mutations of a bundle's values and shape: what a holder may edit, disclose or break (the second
 * half of the structured steps of bundle-mutations.ts).
 */
import fc from "fast-check";
import { discloseBundle, type JsonValue, toBase64url } from "../../src";
import {
  asTree,
  hideablePointers,
  type JsonObject,
  type MutationContext,
  objectsOf,
  pick,
  positions,
  resalted,
  type Step,
  valuePositions,
} from "./mutation-kit";
import { hex32, key, pointer, VALID_UNTIL, wrongValue } from "./mutation-values";

/** Steps on the credential's values (drop, add, rename, replace, swap), disclosure, and any node at all. */
export function valueAndShapeSteps(ctx: MutationContext): fc.Arbitrary<Step>[] {
  const { genuine } = ctx;
  return [
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
  ];
}
