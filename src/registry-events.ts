import type { CredentialRegistry } from "./contracts";
import type { TypedLogDescription } from "./contracts/common";
import { credentialRegistryInterface } from "./registry-interface";

type Filters = CredentialRegistry["filters"];

/** The registry's events, by name (`IssuerRegistered`, `BatchAnchored`…). */
export type RegistryEventName = {
  [K in keyof Filters]: K extends `${string}(${string}` ? never : K;
}[keyof Filters];

/** The arguments of registry event `N`, by position and by name, as its bindings type them. */
export type RegistryEventArgs<N extends RegistryEventName> = TypedLogDescription<Filters[N]>["args"];

/**
 * Decodes `log` as the registry's event `name`; `null` for any other log (another event, or a
 * log whose topics do not decode). Does not check who emitted it: compare `log.address` first.
 * @example
 * const anchored = parseRegistryEvent(log, "BatchAnchored");
 * if (anchored) console.log(anchored.issuerId, anchored.root);
 */
export function parseRegistryEvent<N extends RegistryEventName>(
  log: { topics: readonly string[]; data: string },
  name: N,
): RegistryEventArgs<N> | null {
  const fragment = credentialRegistryInterface.getEvent(name);
  if (log.topics[0]?.toLowerCase() !== fragment.topicHash) return null;
  try {
    // ethers decodes the log with the event's ABI; the bindings, generated from that ABI, type it.
    const args: unknown = credentialRegistryInterface.decodeEventLog(fragment, log.data, log.topics);
    return args as RegistryEventArgs<N>;
  } catch {
    return null;
  }
}
