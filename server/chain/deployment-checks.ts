import { AbiCoder, Contract, Interface, type Provider, ZeroHash, concat, getAddress } from "ethers";
import type { ContractArtifact } from "./artifact";
import { type CodeComparison, compareCode } from "./bytecode";

/** One check of a deployment: what was compared and whether it held. */
export interface DeploymentCheck {
  name: "code" | "creation" | "roles";
  ok: boolean;
  message: string;
}

/** The addresses a deployment's roles were meant for, and who sent it. */
export interface RoleHolders {
  deployer: string;
  admin: string;
  accreditor: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Reads the runtime code at `address` and compares it with the artifact's (see {@link compareCode}). */
export async function checkCode(
  provider: Provider,
  address: string,
  artifact: ContractArtifact,
): Promise<CodeComparison & { name: "code" }> {
  return { name: "code", ...compareCode(await provider.getCode(address), artifact) };
}

/**
 * Checks the creation transaction: it created `address`, its input is exactly the artifact's
 * creation code followed by `(admin, accreditor)`, and the only role grants it logged are
 * DEFAULT_ADMIN_ROLE to `admin` and ACCREDITOR_ROLE to `accreditor` (AccessControl cannot list
 * holders, so this is what shows that nobody else, the deployer included, was given a role).
 */
export async function checkCreation(
  provider: Provider,
  deployment: RoleHolders & { address: string; txHash: string },
  artifact: ContractArtifact,
): Promise<DeploymentCheck> {
  const fail = (message: string): DeploymentCheck => ({ name: "creation", ok: false, message });
  const [tx, receipt] = await Promise.all([
    provider.getTransaction(deployment.txHash),
    provider.getTransactionReceipt(deployment.txHash),
  ]);
  if (!tx || !receipt) return fail(`transaction ${deployment.txHash} is not on this chain`);
  if (!receipt.contractAddress || !same(receipt.contractAddress, deployment.address)) {
    return fail(`transaction ${deployment.txHash} did not create ${deployment.address}`);
  }
  const args = AbiCoder.defaultAbiCoder().encode(["address", "address"], [deployment.admin, deployment.accreditor]);
  if (tx.data.toLowerCase() !== concat([artifact.bytecode, args]).toLowerCase()) {
    return fail("the creation input is not the artifact's creation code with (admin, accreditor)");
  }
  const registry = new Interface(artifact.abi as never[]);
  const grants = receipt.logs
    .filter((log) => same(log.address, deployment.address))
    .map((log) => registry.parseLog(log))
    .filter((event) => event?.name === "RoleGranted")
    .map((event) => `${String(event!.args[0])}:${getAddress(String(event!.args[1]))}`);
  const accreditorRole = String(
    await new Contract(deployment.address, registry, provider).getFunction("ACCREDITOR_ROLE")(),
  );
  const expected = [
    `${ZeroHash}:${getAddress(deployment.admin)}`,
    `${accreditorRole}:${getAddress(deployment.accreditor)}`,
  ];
  if (grants.length !== 2 || !expected.every((grant) => grants.includes(grant))) {
    return fail(`the creation granted ${grants.length} role(s), not exactly admin → admin and accreditor → accreditor`);
  }
  return {
    name: "creation",
    ok: true,
    message: `transaction ${deployment.txHash} created it from the artifact with (admin, accreditor), granting only those two roles`,
  };
}

/**
 * Checks the roles as they are now: `admin` holds DEFAULT_ADMIN_ROLE, `accreditor` ACCREDITOR_ROLE,
 * and the deployer holds neither unless it was itself named for it.
 */
export async function checkRoles(
  provider: Provider,
  address: string,
  holders: RoleHolders,
  artifact: ContractArtifact,
): Promise<DeploymentCheck> {
  const registry = new Contract(address, artifact.abi as never[], provider);
  const accreditorRole = String(await registry.getFunction("ACCREDITOR_ROLE")());
  const hasRole = async (role: string, account: string) =>
    Boolean(await registry.getFunction("hasRole")(role, account));
  const wanted: [string, string, string][] = [
    ["admin", ZeroHash, holders.admin],
    ["accreditor", accreditorRole, holders.accreditor],
  ];
  const problems: string[] = [];
  for (const [label, role, account] of wanted) {
    if (!(await hasRole(role, account))) problems.push(`${label} ${account} does not hold the ${label} role`);
    if (!same(holders.deployer, account) && (await hasRole(role, holders.deployer))) {
      problems.push(`the deployer ${holders.deployer} still holds the ${label} role`);
    }
  }
  if (problems.length > 0) return { name: "roles", ok: false, message: problems.join("; ") };
  const deployerKeeps = wanted.filter(([, , account]) => same(account, holders.deployer)).map(([label]) => label);
  return {
    name: "roles",
    ok: true,
    message:
      `admin ${holders.admin} and accreditor ${holders.accreditor} hold their roles; the deployer holds ` +
      (deployerKeeps.length === 0 ? "none" : `only the one(s) it was named for (${deployerKeeps.join(", ")})`),
  };
}

/** Every check of a deployment, in order: code, creation, roles. */
export async function checkDeployment(
  provider: Provider,
  deployment: RoleHolders & { address: string; txHash: string },
  artifact: ContractArtifact,
): Promise<{ code: CodeComparison; checks: DeploymentCheck[] }> {
  const code = await checkCode(provider, deployment.address, artifact);
  if (!code.ok) {
    // Calls into code that is not the registry's would only add noise.
    return { code, checks: [code] };
  }
  const creation = await checkCreation(provider, deployment, artifact);
  const roles = await checkRoles(provider, deployment.address, deployment, artifact);
  return { code, checks: [code, creation, roles] };
}
