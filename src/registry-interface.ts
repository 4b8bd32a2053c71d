import type { Interface } from "ethers";
import { CredentialRegistry__factory } from "./contracts";

/** The registry's ABI, as the compiled contract gives it (its bindings carry it: src/contracts/). */
export const credentialRegistryAbi = CredentialRegistry__factory.abi;

/**
 * The registry's ABI as an ethers Interface, typed by its bindings: function and event names and
 * call arguments are checked at compile time. Encodes calls, decodes results, events and reverts.
 */
export const credentialRegistryInterface = CredentialRegistry__factory.createInterface();

/**
 * {@link credentialRegistryInterface} typed as ethers' plain `Interface`, for code that names
 * functions and events at run time (the service's outbox, until it moves to the bindings).
 */
export const registryInterface: Interface = credentialRegistryInterface;
