/**
 * `ICredentialRegistry.Status`, the verdict of the registry's views, in the contract's order (the
 * index is the `uint8` the contract answers). The one list of it in TypeScript:
 * test/src/registry-status.test.ts holds it to the Solidity enum.
 */
export const REGISTRY_STATUS = [
  "valid",
  "not-anchored",
  "bad-proof",
  "batch-revoked",
  "credential-revoked",
  "issuer-not-accredited",
] as const;
export type RegistryStatus = (typeof REGISTRY_STATUS)[number];

/**
 * The status the contract's `uint8` stands for; `undefined` for a value the enum does not have.
 * @example
 * registryStatusOf(2n); // "bad-proof"
 */
export function registryStatusOf(code: bigint | number): RegistryStatus | undefined {
  const index = Number(code);
  return Number.isInteger(index) ? REGISTRY_STATUS[index] : undefined;
}

/**
 * The contract's `uint8` for a status, for encoding answers as the contract gives them.
 * @example
 * registryStatusCode("valid"); // 0
 */
export function registryStatusCode(status: RegistryStatus): number {
  return REGISTRY_STATUS.indexOf(status);
}
