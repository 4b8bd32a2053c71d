import { type Bundle, createBundle } from "./bundle";
import type { AnchorContext, CommitOptions, CommittedCredential } from "./commit";
import { commitInto } from "./commit-into";
import { type Credential, parseCredential } from "./credential";
import { CredrootError, type ErrorDetail, isCredrootError } from "./errors";
import { fromHex32, type Hex32 } from "./hash";
import { buildTree, type MerkleTree, proofOf, treeRoot } from "./merkle";
import { checkDistinctLeaves, treeOfLeafLayer } from "./merkle-layers";

/** A batch ready to anchor: its root, and every credential committed with its proof. */
export interface PreparedBatch {
  /** Where the batch will be anchored: what every leaf commits to. */
  context: AnchorContext;
  root: Hex32;
  count: number;
  credentials: CommittedCredential[];
  tree: MerkleTree;
}

export interface PrepareOptions extends CommitOptions {
  /** Called after each credential is committed, e.g. to drive a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Validates `inputs` (row numbers in errors start at `firstRow`): the valid credentials, and one
 * detail per bad field (`/3/learner/name`).
 */
export function validateRows(
  inputs: readonly unknown[],
  firstRow = 0,
): { credentials: Credential[]; details: ErrorDetail[] } {
  const credentials: Credential[] = [];
  const details: ErrorDetail[] = [];
  inputs.forEach((input, i) => {
    const row = firstRow + i;
    try {
      credentials.push(parseCredential(input));
    } catch (error) {
      if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
      for (const d of error.details) {
        details.push({ path: `/${row}${d.path === "/" ? "" : d.path}`, message: d.message });
      }
    }
  });
  return { credentials, details };
}

/** The one `INVALID_CREDENTIAL` error for a batch whose rows produced `details`. */
export function invalidRowsError(details: readonly ErrorDetail[], total: number): CredrootError {
  const rows = new Set(details.map((d) => d.path.split("/")[1])).size;
  return new CredrootError("INVALID_CREDENTIAL", `${rows} of ${total} credentials are invalid`, { details });
}

/** Builds the Merkle tree over credentials already committed for `context`. */
export function assembleBatch(context: AnchorContext, credentials: CommittedCredential[]): PreparedBatch {
  if (credentials.length === 0) throw new CredrootError("INVALID_ARGUMENT", "a batch needs at least one credential");
  const tree = buildTree(credentials.map((c) => fromHex32(c.leaf)));
  return { context, root: treeRoot(tree), count: credentials.length, credentials, tree };
}

/**
 * Validates every credential first, then commits each for anchoring at `context` (chain,
 * registry, issuer and batch id: every leaf is bound to them) and builds the Merkle tree.
 * @throws CredrootError `INVALID_CREDENTIAL` listing every bad row and field (`/3/learner/name`);
 * nothing is committed then. `DUPLICATE_LEAF` cannot happen with random salts but is checked.
 * @example
 * const batch = prepareBatch(rows, { chainId, registry: address, issuerId, batchId: newBatchId() });
 * await registry.anchor(batch.context.batchId, batch.root, batch.count);
 */
export function prepareBatch(
  inputs: readonly unknown[],
  context: AnchorContext,
  options: PrepareOptions = {},
): PreparedBatch {
  if (inputs.length === 0) throw new CredrootError("INVALID_ARGUMENT", "a batch needs at least one credential");
  const { credentials: valid, details } = validateRows(inputs);
  if (details.length > 0) throw invalidRowsError(details, inputs.length);
  // Each leaf's bytes go straight into the tree's first layer: no hex round trip per leaf.
  const leaves = new Uint8Array(valid.length * 32);
  const credentials = valid.map((credential, i) => {
    const committed = commitInto(credential, context, options, leaves, i * 32);
    options.onProgress?.(i + 1, valid.length);
    return committed;
  });
  checkDistinctLeaves(leaves, credentials.length);
  const tree = treeOfLeafLayer(leaves, credentials.length);
  return { context, root: treeRoot(tree), count: credentials.length, credentials, tree };
}

/** The bundle of credential `index` of a batch anchored in block `block`. */
export function bundleFor(batch: PreparedBatch, index: number, block: number): Bundle {
  const committed = batch.credentials[index];
  if (!committed) throw new CredrootError("INVALID_ARGUMENT", `batch has no credential ${index}`);
  return createBundle(committed, { path: proofOf(batch.tree, index), root: batch.root }, { ...batch.context, block });
}
