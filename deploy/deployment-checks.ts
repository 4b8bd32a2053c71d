import { type Provider, ZeroAddress, ZeroHash, concat, getAddress } from "ethers";
import { CredentialRegistry__factory, credentialRegistryInterface, parseRegistryEvent } from "../src";
import type { ContractArtifact } from "./artifact";
import { type CodeComparison, compareCode } from "./bytecode";

/** One check of a deployment: what was compared and whether it held. */
export interface DeploymentCheck {
  name: "code" | "creation" | "roles" | "admin";
  ok: boolean;
  message: string;
}

/** What a deployment was meant to be: who sent it, its constructor's arguments. */
export interface DeploymentTerms {
  deployer: string;
  /** Seconds a new admin must wait before accepting the admin role (`defaultAdminDelay()`). */
  adminDelay: number;
  admin: string;
  accreditor: string;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const UNITS: readonly [string, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/** `172800 s (2 days)`, `5400 s (1 hour 30 minutes)`, `0 s (none)`: a delay as given and as read. */
export function describeDelay(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  }
  return `${seconds} s (${parts.length === 0 ? "none" : parts.join(" ")})`;
}

const when = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();

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
 * creation code followed by `(adminDelay, admin, accreditor)`, and the only role grants it logged
 * are DEFAULT_ADMIN_ROLE to `admin` and ACCREDITOR_ROLE to `accreditor` (AccessControl cannot list
 * the holders of a role, so this is what shows that nobody else, the deployer included, was given
 * the accreditor role at creation).
 */
export async function checkCreation(
  provider: Provider,
  deployment: DeploymentTerms & { address: string; txHash: string },
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
  const args = credentialRegistryInterface.encodeDeploy([
    deployment.adminDelay,
    deployment.admin,
    deployment.accreditor,
  ]);
  if (tx.data.toLowerCase() !== concat([artifact.bytecode, args]).toLowerCase()) {
    return fail(
      `the creation input is not the artifact's creation code with (adminDelay ${deployment.adminDelay}, admin, accreditor)`,
    );
  }
  const grants = receipt.logs
    .filter((log) => same(log.address, deployment.address))
    .map((log) => parseRegistryEvent(log, "RoleGranted"))
    .filter((grant) => grant !== null)
    .map((grant) => `${grant.role}:${getAddress(grant.account)}`);
  const accreditorRole = await CredentialRegistry__factory.connect(deployment.address, provider).ACCREDITOR_ROLE();
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
    message: `transaction ${deployment.txHash} created it from the artifact with (adminDelay, admin, accreditor), granting only those two roles`,
  };
}

/**
 * Checks the roles as they are now: `defaultAdmin()` (the admin role's one holder) is `admin`,
 * `accreditor` holds ACCREDITOR_ROLE, and the deployer holds the accreditor role only if it was
 * itself named for it.
 */
export async function checkRoles(
  provider: Provider,
  address: string,
  terms: DeploymentTerms,
): Promise<DeploymentCheck> {
  const registry = CredentialRegistry__factory.connect(address, provider);
  const [defaultAdmin, accreditorRole] = await Promise.all([registry.defaultAdmin(), registry.ACCREDITOR_ROLE()]);
  const hasRole = (account: string) => registry.hasRole(accreditorRole, account);
  const problems: string[] = [];
  if (!same(defaultAdmin, terms.admin)) {
    problems.push(
      defaultAdmin === ZeroAddress
        ? `the registry has no admin (the admin role was renounced), not the recorded admin ${terms.admin}`
        : `defaultAdmin() is ${defaultAdmin}, not the recorded admin ${terms.admin}`,
    );
  }
  if (!(await hasRole(terms.accreditor))) {
    problems.push(`accreditor ${terms.accreditor} does not hold the accreditor role`);
  }
  if (!same(terms.deployer, terms.accreditor) && (await hasRole(terms.deployer))) {
    problems.push(`the deployer ${terms.deployer} still holds the accreditor role`);
  }
  if (problems.length > 0) return { name: "roles", ok: false, message: problems.join("; ") };
  const named = [
    ["admin", terms.admin],
    ["accreditor", terms.accreditor],
  ] as const;
  const deployerKeeps = named.filter(([, account]) => same(account, terms.deployer)).map(([label]) => label);
  return {
    name: "roles",
    ok: true,
    message:
      `admin ${terms.admin} is defaultAdmin() and accreditor ${terms.accreditor} holds its role; the deployer holds ` +
      (deployerKeeps.length === 0 ? "none" : `only the one(s) it was named for (${deployerKeeps.join(", ")})`),
  };
}

/**
 * Checks the rules of the admin role as they are now: `defaultAdminDelay()` is the recorded
 * `adminDelay`, and neither a transfer of the admin role (`pendingDefaultAdmin()`, which also
 * shows a scheduled renouncement) nor a change of its delay (`pendingDefaultAdminDelay()`) is
 * pending. A pending transfer fails the check: until it is accepted or cancelled the registry's
 * trust root is changing hands, and whoever did not schedule it has until then to notice.
 */
export async function checkAdmin(
  provider: Provider,
  address: string,
  terms: DeploymentTerms,
): Promise<DeploymentCheck> {
  const registry = CredentialRegistry__factory.connect(address, provider);
  const [delay, [pendingAdmin, adminSchedule], [pendingDelay, delaySchedule], block] = await Promise.all([
    registry.defaultAdminDelay(),
    registry.pendingDefaultAdmin(),
    registry.pendingDefaultAdminDelay(),
    provider.getBlock("latest"),
  ]);
  const now = BigInt(block?.timestamp ?? 0);
  const from = (schedule: bigint) => (schedule <= now ? `since ${when(schedule)}` : `from ${when(schedule)}`);
  const problems: string[] = [];
  if (delay !== BigInt(terms.adminDelay)) {
    problems.push(
      `defaultAdminDelay() is ${describeDelay(Number(delay))}, the record says ${describeDelay(terms.adminDelay)}`,
    );
  }
  if (adminSchedule !== 0n) {
    problems.push(
      pendingAdmin === ZeroAddress
        ? `the admin has scheduled renouncing the admin role: ${from(adminSchedule)} it can renounceRole and leave ` +
            `the registry without an admin (cancelDefaultAdminTransfer() stops it)`
        : `a transfer of the admin role to ${pendingAdmin} is pending: ${pendingAdmin} can call ` +
            `acceptDefaultAdminTransfer() ${from(adminSchedule)}; until then the admin can cancelDefaultAdminTransfer()`,
    );
  }
  if (delaySchedule !== 0n) {
    problems.push(
      `a change of the admin delay to ${describeDelay(Number(pendingDelay))} takes effect at ${when(delaySchedule)}`,
    );
  }
  if (problems.length > 0) return { name: "admin", ok: false, message: problems.join("; ") };
  return {
    name: "admin",
    ok: true,
    message: `defaultAdminDelay() is ${describeDelay(terms.adminDelay)}, as recorded; no transfer of the admin role and no change of its delay pending`,
  };
}

/** Every check of a deployment, in order: code, creation, roles, admin. */
export async function checkDeployment(
  provider: Provider,
  deployment: DeploymentTerms & { address: string; txHash: string },
  artifact: ContractArtifact,
): Promise<{ code: CodeComparison; checks: DeploymentCheck[] }> {
  const code = await checkCode(provider, deployment.address, artifact);
  if (!code.ok) {
    // Calls into code that is not the registry's would only add noise.
    return { code, checks: [code] };
  }
  const creation = await checkCreation(provider, deployment, artifact);
  const roles = await checkRoles(provider, deployment.address, deployment);
  const admin = await checkAdmin(provider, deployment.address, deployment);
  return { code, checks: [code, creation, roles, admin] };
}
