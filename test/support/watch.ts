/**
 * Runs `sample` over and over (every `intervalMs`) in the background until {@link stop}: how the
 * fault tests watch what the service reports while a fault plays out. A sample that throws is kept
 * in `errors` (the test asserts there are none) and polling goes on.
 * @example
 * const statuses: string[] = [];
 * const poller = new Poller(async () => void statuses.push((await client.batch(id)).status));
 * poller.start();
 * … // the fault
 * await poller.stop();
 */
export class Poller {
  readonly errors: unknown[] = [];
  /** How many samples ran to completion. */
  samples = 0;
  private running: Promise<void> | null = null;
  /** The sample in progress, or the last one. */
  private current: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;

  constructor(
    private readonly sample: () => Promise<void>,
    private readonly intervalMs = 5,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Resolves once the sample in progress (if any) has finished; none starts until {@link resume}. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.current;
  }

  resume(): void {
    this.paused = false;
  }

  /** Stops polling and waits for the last sample. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.paused) {
        const one = this.sample().then(
          () => {
            this.samples += 1;
          },
          (error: unknown) => {
            this.errors.push(error);
          },
        );
        this.current = one;
        await one;
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}

/** `values` with consecutive repeats collapsed: `[a, a, b, a]` → `[a, b, a]`. */
export function collapse<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

/** True when `needle` occurs in `haystack` in order, not necessarily contiguously. */
export function isSubsequence<T>(needle: readonly T[], haystack: readonly T[]): boolean {
  let i = 0;
  for (const value of haystack) if (i < needle.length && value === needle[i]) i += 1;
  return i === needle.length;
}

/** `promise`, or an error naming `what` once `ms` pass first (so a hang fails fast and says what hung). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no outcome within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
