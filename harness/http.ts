/** A response of the service over real HTTP: status and parsed JSON body. */
export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** `fetch` and parse the JSON answer (every credroot route answers JSON). */
export async function fetchJson<T>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

/** Maps `items` through `fn`, at most `concurrency` calls at a time, keeping the order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
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
