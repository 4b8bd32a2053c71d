import { type Bundle, bundleSchema, parseBundle } from "./bundle";
import { CredrootError, type ErrorDetail, isCredrootError } from "./errors";
import type { Hex32 } from "./hash";
import { type ChainVerification, decodeVerifyManyResult, encodeVerifyManyCall } from "./registry-verify";
import { compileSchema, describeDetails, schemaErrors } from "./schema";
import { parseStrictJson } from "./json";
import type { VerificationResult, VerifyOptions } from "./verdict";
import { callWithTimeout, type PreparedBundle, prepareBundle, settleBundle } from "./verify-checks";

/** Version 2 of a presentation: the (v2) bundles a learner shows together, e.g. to an employer. */
export interface Presentation {
  type: "credroot/presentation";
  version: 2;
  bundles: Bundle[];
}

/** Most bundles in one presentation: bounds the one `verifyMany` call per registry. */
export const MAX_PRESENTATION_BUNDLES = 100;

/**
 * Largest presentation text accepted by {@link parsePresentation}, in characters: 2 MiB, room for
 * {@link MAX_PRESENTATION_BUNDLES} real bundles (a few KiB each); `POST /v1/verify/presentation` takes as many bytes.
 */
export const MAX_PRESENTATION_TEXT = 2 * 1024 * 1024;

/** JSON Schema (draft-07) of {@link Presentation} version 2; each bundle fits the bundle schema. */
export const presentationSchema = {
  $id: "https://credroot.dev/schemas/presentation-v2.json",
  type: "object",
  additionalProperties: false,
  required: ["type", "version", "bundles"],
  properties: {
    type: { const: "credroot/presentation" },
    version: { const: 2 },
    bundles: {
      type: "array",
      minItems: 1,
      maxItems: MAX_PRESENTATION_BUNDLES,
      items: { $ref: bundleSchema.$id },
    },
  },
} as const;

const validate = compileSchema<Presentation>(presentationSchema);

function isVersion1Bundle(bundle: unknown): boolean {
  const header = bundle as { type?: unknown; version?: unknown } | null;
  return header?.type === "credroot/bundle" && header.version === 1;
}

/**
 * Parses a presentation from JSON text or an already-parsed value.
 * @throws CredrootError `INVALID_BUNDLE` naming what does not fit (`/bundles/2/anchor/batchId …`);
 * duplicate keys and lone surrogates are refused, and a version 1 presentation is told to be re-made.
 * @example
 * const presentation = parsePresentation(await file.text());
 */
export function parsePresentation(input: unknown): Presentation {
  let value = input;
  if (typeof input === "string") {
    if (input.length > MAX_PRESENTATION_TEXT) {
      throw new CredrootError("INVALID_BUNDLE", `presentation is larger than ${MAX_PRESENTATION_TEXT} characters`);
    }
    value = parseStrictJson(input, "INVALID_BUNDLE", "the presentation");
  }
  const header = value as { type?: unknown; version?: unknown } | null;
  if (header?.type === "credroot/presentation" && header.version === 1) {
    throw new CredrootError(
      "INVALID_BUNDLE",
      "this is a version 1 presentation, of bundles no longer accepted: ask the issuers to re-issue them",
    );
  }
  const bundles = (value as { bundles?: unknown } | null)?.bundles;
  const v1 = Array.isArray(bundles) ? bundles.findIndex(isVersion1Bundle) : -1;
  if (v1 >= 0) {
    // Said before the schema would only say "/bundles/0/version must be equal to constant".
    throw new CredrootError(
      "INVALID_BUNDLE",
      `bundle ${v1} of the presentation is a version 1 bundle, which is no longer accepted: ask its issuer to re-issue it`,
      { details: [{ path: `/bundles/${v1}/version`, message: "a version 1 bundle" }] },
    );
  }
  if (!validate(value)) {
    const details = schemaErrors(validate.errors);
    throw new CredrootError("INVALID_BUNDLE", `invalid presentation: ${describeDetails(details)}`, { details });
  }
  // The schema checks each bundle's shape; parseBundle adds the rules a schema cannot say.
  value.bundles.forEach((bundle, i) => {
    try {
      parseBundle(bundle);
    } catch (error) {
      if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
      const details: ErrorDetail[] = error.details.map((d) => ({ ...d, path: `/bundles/${i}${d.path}` }));
      throw new CredrootError("INVALID_BUNDLE", `invalid presentation: bundle ${i}: ${error.message}`, { details });
    }
  });
  return value;
}

/**
 * Puts bundles together into a presentation (copies; the bundles are not changed).
 * @throws CredrootError `INVALID_BUNDLE` when there is no bundle, too many, or one is not a bundle.
 * @example
 * const presentation = createPresentation([degreeBundle, courseBundle]);
 */
export function createPresentation(bundles: readonly Bundle[]): Presentation {
  return parsePresentation({ type: "credroot/presentation", version: 2, bundles: structuredClone([...bundles]) });
}

/** Whether a credential that another builds on is shown in the presentation, and valid. */
export interface StackLink {
  leaf: Hex32;
  /** `missing`: no bundle of the presentation has this leaf; `not-valid`: some do, none is valid. */
  status: "valid" | "missing" | "not-valid";
  /** Index and title of the valid bundle with this leaf: never taken from a bundle that did not verify. */
  valid?: { index: number; title: string };
}

/** One bundle of a presentation, verified: what verifyBundle answers, plus its stack. */
export interface PresentedCredential extends VerificationResult {
  /** One link per leaf of the credential's disclosed `/stackability/buildsOn`, in order. */
  stack: StackLink[];
}

/** Something the verifier should know about a presentation as a whole. */
export interface PresentationWarning {
  /** `different-learners`: the valid credentials do not all name the same learner. */
  code: "different-learners";
  message: string;
}

export interface PresentationResult {
  /** One entry per bundle, in the presentation's order. */
  credentials: PresentedCredential[];
  /** True when every bundle is `valid`. */
  allValid: boolean;
  /** What the answers do not say: e.g. that the credentials are of different learners. */
  warnings: PresentationWarning[];
}

/** The learner a credential discloses: its identifier, its name (either may be hidden). */
function learnerOf(credential: { [key: string]: unknown }): { identifier?: string; name?: string } {
  const learner = credential.learner;
  if (typeof learner !== "object" || learner === null || Array.isArray(learner)) return {};
  const { identifier, name } = learner as { identifier?: unknown; name?: unknown };
  const clean = (value: unknown) =>
    typeof value === "string" && value.trim() !== "" ? value.normalize("NFC").trim().replace(/\s+/g, " ") : undefined;
  const id = clean(identifier);
  const shown = clean(name);
  return { ...(id === undefined ? {} : { identifier: id }), ...(shown === undefined ? {} : { name: shown }) };
}

/** Two credentials name different learners: different identifiers, or (one lacking it) different names. */
function differ(a: { identifier?: string; name?: string }, b: { identifier?: string; name?: string }): boolean {
  if (a.identifier !== undefined && b.identifier !== undefined) return a.identifier !== b.identifier;
  if (a.name !== undefined && b.name !== undefined) return a.name.toLowerCase() !== b.name.toLowerCase();
  return false;
}

/**
 * Warns when the given credentials (the valid ones of a presentation, each with its index there)
 * do not all name the same learner: compared by disclosed `learner.identifier`, else by
 * `learner.name`. A credential that hides both cannot be told apart; that is said only when some differ.
 * @example
 * learnerWarnings(result.credentials.flatMap((c, index) => (c.verdict === "valid" ? [{ index, credential: c.credential }] : [])));
 */
export function learnerWarnings(
  credentials: readonly { index: number; credential: { [key: string]: unknown } }[],
): PresentationWarning[] {
  const learners = credentials.map((c) => ({ index: c.index, ...learnerOf(c.credential) }));
  const known = learners.filter((l) => l.identifier !== undefined || l.name !== undefined);
  if (!known.some((a, i) => known.slice(i + 1).some((b) => differ(a, b)))) return [];
  const labels = [...new Set(known.map((l) => l.identifier ?? l.name!))];
  const hidden = learners.filter((l) => l.identifier === undefined && l.name === undefined).map((l) => l.index);
  const unknown =
    hidden.length === 0
      ? ""
      : `; credential${hidden.length === 1 ? "" : "s"} ${hidden.join(", ")} hide${hidden.length === 1 ? "s" : ""} the learner, so whose ${hidden.length === 1 ? "it is" : "they are"} cannot be told`;
  const shown = labels.slice(0, 5).map((l) => JSON.stringify(l));
  const more = labels.length > 5 ? ` and ${labels.length - 5} more` : "";
  return [
    {
      code: "different-learners",
      message:
        `the valid credentials do not all name the same learner (${shown.join(", ")}${more}): ` +
        `the answers add up credentials of different people${unknown}`,
    },
  ];
}

type ChainOutcome = { answer: ChainVerification } | { error: unknown } | null;

/** Asks one registry about every bundle of `group` in one `verifyMany` call. */
async function askRegistry(group: readonly PreparedBundle[], timeoutMs: number): Promise<ChainOutcome[]> {
  const [first] = group;
  if (!first?.chain) return group.map(() => null);
  try {
    const requests = group.map((p) => p.request!);
    const data = encodeVerifyManyCall(requests);
    const raw = await callWithTimeout(first.chain.provider, first.bundle.anchor.registry, data, timeoutMs);
    return decodeVerifyManyResult(raw, requests).map((answer) => ({ answer }));
  } catch (error) {
    return group.map(() => ({ error }));
  }
}

function buildsOn(result: VerificationResult): Hex32[] {
  const stackability = result.credential.stackability;
  if (typeof stackability !== "object" || stackability === null || Array.isArray(stackability)) return [];
  const leaves = stackability.buildsOn;
  return Array.isArray(leaves) ? leaves.filter((l): l is Hex32 => typeof l === "string") : [];
}

/**
 * Verifies every bundle of a presentation as {@link verifyBundle} would, with the off-chain checks
 * per bundle and ONE `eth_call` (`verifyMany`) per trusted chain and registry. A registry that
 * cannot be asked makes its bundles `chain-unavailable`, never invalid. Also reports, for each
 * credential, which of the credentials it builds on are in the presentation and valid.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a presentation.
 * @example
 * const { credentials, allValid } = await verifyPresentation(json, { chains });
 */
export async function verifyPresentation(input: unknown, options: VerifyOptions): Promise<PresentationResult> {
  const presentation = parsePresentation(input);
  const prepared = presentation.bundles.map((bundle) => prepareBundle(bundle, options.chains));
  const groups = new Map<string, number[]>();
  prepared.forEach(({ bundle: { anchor }, chain }, i) => {
    if (!chain) return;
    const key = `${anchor.chainId}:${anchor.registry}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const outcomes: ChainOutcome[] = prepared.map(() => null);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const answers = await askRegistry(
        indices.map((i) => prepared[i]!),
        options.timeoutMs ?? 10_000,
      );
      indices.forEach((index, j) => (outcomes[index] = answers[j] ?? null));
    }),
  );
  const now = options.now ?? Date.now();
  const results = prepared.map((p, i) => settleBundle(p, outcomes[i]!, now));
  const credentials = results.map((result) => ({
    ...result,
    stack: buildsOn(result).map((leaf): StackLink => {
      const shown = results.flatMap((r, index) => (r.leaf === leaf ? [{ r, index }] : []));
      if (shown.length === 0) return { leaf, status: "missing" };
      // A tampered copy can share a genuine leaf's value only by lying: only a valid one is named.
      const valid = shown.find(({ r }) => r.verdict === "valid");
      if (!valid) return { leaf, status: "not-valid" };
      // A bundle's title is a string (the bundle schema says so); never "[object Object]" otherwise.
      const title = valid.r.credential.title;
      return { leaf, status: "valid", valid: { index: valid.index, title: typeof title === "string" ? title : "" } };
    }),
  }));
  const valid = credentials.flatMap((c, index) => (c.verdict === "valid" ? [{ index, credential: c.credential }] : []));
  return { credentials, allValid: credentials.every((c) => c.verdict === "valid"), warnings: learnerWarnings(valid) };
}
