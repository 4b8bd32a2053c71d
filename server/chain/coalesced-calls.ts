import type { CallProvider } from "../../src";
import { encodeVerifyManyOfRequests, splitVerifyManyAnswer, verifyRequestOfCall } from "../../src/registry-abi";

/** At most this many verifications share one `verifyMany` call (≈ 40 kB of calldata, a few million gas). */
export const MAX_COALESCED = 64;

/** A verification waiting for the next call to its registry. */
interface Waiting {
  tx: { to: string; data: string };
  /** Its request as a `VerifyRequest` tuple (verifyRequestOfCall). */
  request: string;
  resolve: (answer: string) => void;
  reject: (error: unknown) => void;
}

/**
 * The `verifyWithIssuer` calls of concurrent verifications sent as one `verifyMany` call per
 * registry: those made in the same turn of the event loop (flushed by `setImmediate`), or
 * {@link MAX_COALESCED} at a time. Each caller gets the `verifyWithIssuer` answer to its own request,
 * cut out of the batch's answer in order (`splitVerifyManyAnswer`), and verifies it as if it had
 * asked alone: the leaf the registry answered about is still checked against the bundle's.
 *
 * A batch call that fails, or answers anything but an answer to that many requests, fails every
 * caller of the batch with that error (`chain-unavailable` for each), never an answer. A lone
 * request, and every other call (verifyMany of a presentation, key and status reads), goes as it is.
 */
export class CoalescedCalls implements CallProvider {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;
  /** Calls sent to the provider for verifications, and the verifications they carried. */
  readonly sent = { calls: 0, verifications: 0 };

  constructor(
    private readonly provider: CallProvider,
    private readonly maxBatch = MAX_COALESCED,
  ) {}

  call(tx: { to: string; data: string }): Promise<string> {
    const request = verifyRequestOfCall(tx.data);
    if (request === undefined) return this.provider.call(tx);
    return new Promise<string>((resolve, reject) => {
      const to = tx.to.toLowerCase();
      const queue = this.waiting.get(to) ?? [];
      queue.push({ tx, request, resolve, reject });
      if (queue.length >= this.maxBatch) {
        this.waiting.delete(to);
        this.send(queue);
        return;
      }
      this.waiting.set(to, queue);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.waiting.values()];
    this.waiting.clear();
    for (const queue of queues) this.send(queue);
  }

  private send(queue: Waiting[]): void {
    this.sent.calls += 1;
    this.sent.verifications += queue.length;
    const first = queue[0]!;
    if (queue.length === 1) {
      this.ask(first.tx).then(first.resolve, first.reject);
      return;
    }
    const data = encodeVerifyManyOfRequests(queue.map((w) => w.request));
    this.ask({ to: first.tx.to, data }).then(
      (answer) => {
        let answers: string[];
        try {
          // No contract at the address answers "0x" to anything: each caller reads that as a lone call would.
          answers = answer === "0x" ? queue.map(() => answer) : splitVerifyManyAnswer(answer, queue.length);
        } catch (error) {
          for (const w of queue) w.reject(error);
          return;
        }
        queue.forEach((w, i) => w.resolve(answers[i]!));
      },
      (error: unknown) => {
        for (const w of queue) w.reject(error);
      },
    );
  }

  /** The provider's call, a synchronous throw included as a rejection. */
  private async ask(tx: { to: string; data: string }): Promise<string> {
    return await this.provider.call(tx);
  }
}
