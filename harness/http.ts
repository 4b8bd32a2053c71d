import { mapLimit } from "../src/map-limit";

export { mapLimit };

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
