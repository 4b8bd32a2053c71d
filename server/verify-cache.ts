import type { JsonRpcProvider } from "ethers";
import type { CallProvider } from "../src";

/**
 * Answers repeated registry reads of `POST /v1/verify` from memory, without ever letting a cached
 * answer outlive the block it belongs to: answers are kept under the newest block number a
 * background poller has seen, and each is read at `latest` after that block was seen, so it is
 * never older than that block. When a new block appears — one that may revoke a credential — the
 * cache starts empty again.
 *
 * What it can serve stale: at most what the chain's own view lags — an answer read at block N is
 * served until the poller (every `pollMs`) sees block N+1. A revocation therefore shows at most
 * one block time plus `pollMs` late, exactly as a verifier polling the chain itself would see it;
 * a revoked credential is never reported valid once its revocation's block has been seen.
 */
export class BlockCachedCalls implements CallProvider {
  private block: number | null = null;
  private readonly answers = new Map<string, Promise<string>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly pollMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Starts polling the block number (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.pollMs);
    this.timer.unref();
  }

  /** Reads the block number now (what the poller does every `pollMs`). */
  async refresh(): Promise<void> {
    try {
      this.advance(await this.provider.getBlockNumber());
    } catch {
      this.advance(null); // chain unreachable: cache nothing, calls go (and fail) live
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private advance(block: number | null): void {
    if (block !== this.block) this.answers.clear();
    this.block = block;
  }

  call(tx: { to: string; data: string }): Promise<string> {
    const block = this.block;
    if (block === null) return this.provider.call(tx);
    const key = `${tx.to.toLowerCase()}:${tx.data}`;
    const cached = this.answers.get(key);
    if (cached) return cached;
    // At `latest`, not at `block`: never older than the block it is filed under, and a batch
    // anchored a moment ago is seen at once rather than after the next poll.
    const answer = this.provider.call(tx);
    if (this.answers.size >= this.maxEntries) this.answers.clear();
    this.answers.set(key, answer);
    // A failed call is not an answer: forget it so the next request asks again.
    answer.catch(() => {
      if (this.answers.get(key) === answer && this.block === block) this.answers.delete(key);
    });
    return answer;
  }
}
