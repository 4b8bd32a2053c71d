/**
 * The one way credroot waits with a deadline (browser-safe). Each caller used to race its own timer and
 * clear it by hand; a missed `clearTimeout` kept a process alive for the whole timeout.
 */

/** Thrown by {@link withTimeout} when the deadline passes first. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * `work`'s result, or a rejection with {@link TimeoutError} (or what `onTimeout` returns, when given)
 * once `ms` milliseconds pass first. The timer is always cleared, so nothing is left pending.
 * @example
 * const block = await withTimeout(provider.getBlockNumber(), 2_000);
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout?: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout ? onTimeout() : new TimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise that resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
