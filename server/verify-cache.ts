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
  private seen: number | null = null;
  private readonly answers = new Map<string, Promise<string>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param provider polled for the block number, and asked the calls unless `options.calls` is given
   * @param options.calls what a call that is not cached goes to (the service's: a CoalescedCalls over `provider`)
   */
  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly pollMs: number,
    options: { maxEntries?: number; calls?: CallProvider } = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.calls = options.calls ?? provider;
  }

  private readonly maxEntries: number;
  private readonly calls: CallProvider;

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

  /** The block number the poller saw last; null before the first poll or while the chain is unreachable. */
  get block(): number | null {
    return this.seen;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private advance(block: number | null): void {
    if (block !== this.seen) this.answers.clear();
    this.seen = block;
  }

  call(tx: { to: string; data: string }): Promise<string> {
    const block = this.seen;
    if (block === null) return this.calls.call(tx);
    const key = `${tx.to.toLowerCase()}:${tx.data}`;
    const cached = this.answers.get(key);
    if (cached) return cached;
    // At `latest`, not at `block`: never older than the block it is filed under, and a batch
    // anchored a moment ago is seen at once rather than after the next poll.
    const answer = this.calls.call(tx);
    if (this.answers.size >= this.maxEntries) this.answers.clear();
    this.answers.set(key, answer);
    // A failed call is not an answer: forget it so the next request asks again.
    answer.catch(() => {
      if (this.answers.get(key) === answer && this.seen === block) this.answers.delete(key);
    });
    return answer;
  }
}

/** A cached answer and until when (ms since the epoch) it may be served. */
interface Verdict {
  payload: string;
  until: number;
}

/**
 * Whole `POST /v1/verify` answers, by the exact request text: the same bundle asked again at the
 * same blocks of every trusted chain is answered without being parsed, validated or verified
 * again. Bounded like {@link BlockCachedCalls}: entries belong to the blocks (one per trusted
 * chain) their pollers had seen when the verification started, and the cache starts empty when
 * any of them moves on; an entry is also dropped after `ttlMs`, and only stored when the verdict
 * is the same `ttlMs` later (the route checks that), so an expiry date passing in between is never
 * missed. Only 200 answers are kept; `chain-unavailable` always asks again.
 */
export class VerdictCache {
  private epoch: string | null = null;
  private readonly entries = new Map<string, Verdict>();
  private bytes = 0;

  constructor(
    private readonly chains: readonly BlockCachedCalls[],
    readonly ttlMs: number,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** The blocks every trusted chain's poller saw last, as one key; null when any has none. */
  current(): string | null {
    const blocks = this.chains.map((c) => c.block);
    return blocks.includes(null) ? null : blocks.join(",");
  }

  private sync(): string | null {
    const epoch = this.current();
    if (epoch !== this.epoch) {
      this.entries.clear();
      this.bytes = 0;
      this.epoch = epoch;
    }
    return epoch;
  }

  /** The answer stored for this request text at the current blocks, if it has not outlived `ttlMs`. */
  get(text: string, now = Date.now()): string | undefined {
    if (this.sync() === null) return undefined;
    const hit = this.entries.get(text);
    if (hit === undefined) return undefined;
    if (now <= hit.until) return hit.payload;
    this.entries.delete(text);
    return undefined;
  }

  /**
   * Stores the answer to `text`, computed from the chains at `epoch` (what {@link current} said
   * when the verification started) and the same until `until`, unless a block has been seen since.
   */
  set(text: string, epoch: string | null, payload: string, until: number): void {
    if (epoch === null || this.sync() !== epoch || this.entries.has(text)) return;
    const size = 2 * (text.length + payload.length);
    if (size > this.maxBytes) return;
    if (this.bytes + size > this.maxBytes) {
      this.entries.clear();
      this.bytes = 0;
    }
    this.entries.set(text, { payload, until });
    this.bytes += size;
  }
}
