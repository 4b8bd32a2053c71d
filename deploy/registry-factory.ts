import { type AddressLike, type BigNumberish, ContractFactory, type Signer } from "ethers";
import { type CredentialRegistry, CredentialRegistry__factory } from "../src";
import { type ContractArtifact, registryArtifact } from "./artifact";

/** What the registry's constructor takes: `(uint48 adminDelay, address admin, address accreditor)`. */
export type RegistryConstructorArgs = [adminDelay: BigNumberish, admin: AddressLike, accreditor: AddressLike];

/** A ContractFactory whose `deploy` takes the registry's constructor arguments and gives its typed contract. */
export type RegistryFactory = ContractFactory<RegistryConstructorArgs, CredentialRegistry>;

/**
 * The registry's factory for `signer`: the ABI of the library's bindings with the creation code of
 * the compiled artifact (the bindings carry no bytecode; the deployment checks compare the chain's
 * code with this same artifact).
 * @example
 * const registry = await registryFactory(signer).deploy(0, admin, accreditor);
 */
export function registryFactory(signer: Signer, artifact: ContractArtifact = registryArtifact()): RegistryFactory {
  return new ContractFactory(CredentialRegistry__factory.abi, artifact.bytecode, signer);
}
