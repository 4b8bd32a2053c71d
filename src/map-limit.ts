/**
 * Runs `fn` over `items`, at most `concurrency` calls at a time, results in input order (the CLI's
 * downloads and chain reads, the benchmarks' load). Rejects with the first error `fn` throws.
 * @example
 * const bundles = await mapLimit(ids, 8, (id) => fetchBundle(id));
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
