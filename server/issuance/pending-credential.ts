import { type CommittedCredential, type MerkleTree, proofOf } from "../../src";
import type { NewCredential } from "../store/types";

/**
 * A credential to store, whose Merkle path is worked out when the store reads it: the paths of a
 * 1,000,000-credential batch held at once were 20 million hex strings (≈ 1.8 GB of heap).
 */
export class PendingCredential implements NewCredential {
  readonly leaf: string;
  readonly digest: string;
  readonly secret: string;
  readonly credential: Record<string, unknown>;

  constructor(
    readonly id: string,
    readonly index: number,
    committed: CommittedCredential,
    private readonly tree: MerkleTree,
  ) {
    this.leaf = committed.leaf;
    this.digest = committed.digest;
    this.secret = committed.secret;
    this.credential = committed.credential;
  }

  get proof(): string[] {
    return proofOf(this.tree, this.index);
  }
}
