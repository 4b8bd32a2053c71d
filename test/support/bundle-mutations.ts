import canonicalize from "canonicalize";
import fc from "fast-check";
import { ALWAYS_DISCLOSED, type Bundle, discloseBundle, type JsonValue, openBundle, valueHash } from "../../src";
import { hideablePointers, type HostileInput, type MutationContext, type Step } from "./mutation-kit";
import { proofAndAnchorSteps } from "./proof-steps";
import { textSteps } from "./text-steps";
import { valueAndShapeSteps } from "./value-steps";

/**
 * Hostile variants of a genuine (format v2) proof bundle, for the security fuzz tests
 * (test/security/, test/e2e/mutations.test.ts): what an attacker can hand a verifier, as a parsed
 * value or as raw JSON text, and the oracle that says which of them may legitimately verify.
 */

export { hideablePointers, type HostileInput, type MutationContext } from "./mutation-kit";
export { AWKWARD_NUMBER_TEXT, AWKWARD_NUMBERS, flipBase64urlBit, flipBit, hex32, rawFragment } from "./mutation-values";

/** One mutation of the bundle as a parsed value, any of the steps equally likely. */
function structuredSteps(ctx: MutationContext): fc.Arbitrary<Step> {
  return fc.oneof(...proofAndAnchorSteps(ctx), ...valueAndShapeSteps(ctx));
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
