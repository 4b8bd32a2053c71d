/**
 * Every accreditor operation of the registry as one table: the command, its options, and the
 * contract call it makes. Sending (send.ts) and writing a Safe batch (safe.ts) share it, so a
 * Safe file holds exactly the call the command would send.
 */
import { Option } from "commander";
import { address } from "../options";
import { didKey, type EffectiveFrom, effectiveFrom, issuerId, nonBlank, uriText } from "./inputs";

/** One call to the registry, with what it does in words. */
export interface AccreditorCall {
  /** The registry function (its ABI name). */
  method: string;
  /** Its arguments in ABI order: numbers for uint64, text for strings, addresses and bytes32. */
  args: readonly (string | number | boolean)[];
  /** What the call does, in a sentence (printed, and listed in a Safe file's description). */
  summary: string;
  /** The issuer acted on, which must exist before anything is sent. */
  issuerId?: number;
}

/** The options every operation may be given (commander's camelCase names). */
export interface OperationFlags {
  issuer?: number;
  name?: string;
  uri?: string;
  signer?: string;
  from?: EffectiveFrom;
  reason?: string;
  /** The did:key given, and its raw 32-byte public key (0x…). */
  did?: { did: string; key: string };
  compromised?: boolean;
}

/** A command of `credroot accreditor`. */
export interface Operation {
  command: string;
  summary: string;
  /** Its own options (all required unless they say otherwise). */
  options: () => Option[];
  /** The call, with `now` (seconds) standing for `--from now`. */
  call(flags: OperationFlags, now: number): AccreditorCall;
  /** Only the accreditor may send it (the signer operations also take a signer of the issuer). */
  accreditorOnly: boolean;
}

const issuerOption = () =>
  new Option("--issuer <id>", "the issuer's id (see `credroot issuers`)").argParser(issuerId).makeOptionMandatory();
const nameOption = () =>
  new Option("--name <text>", "name of the awarding body, as verifiers show it")
    .argParser(nonBlank)
    .makeOptionMandatory();
const uriOption = () =>
  new Option("--uri <uri>", "website, DID or other metadata URI of the issuer")
    .argParser(uriText)
    .makeOptionMandatory();
const didOption = (what: string) =>
  new Option("--did <did:key>", what).argParser((value) => ({ did: value, key: didKey(value) })).makeOptionMandatory();
const signerOption = (what: string) => new Option("--signer <address>", what).argParser(address).makeOptionMandatory();

/** `2026-11-01T00:00:00.000Z` for seconds since the epoch. */
export const isoOf = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The flag commander guarantees (a mandatory option): a bug, not a usage error, when missing. */
function given<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new Error(`--${flag} is missing`);
  return value;
}

export const OPERATIONS: readonly Operation[] = [
  {
    command: "register-issuer",
    summary: "register an issuer with its first signer",
    accreditorOnly: true,
    options: () => [nameOption(), uriOption(), signerOption("the issuer's first signer (it anchors and revokes)")],
    call: (f) => {
      const [name, uri, signer] = [given(f.name, "name"), given(f.uri, "uri"), given(f.signer, "signer")];
      return {
        method: "registerIssuer",
        args: [name, uri, signer],
        summary: `register issuer ${JSON.stringify(name)} (${uri || "no URI"}) with signer ${signer}`,
      };
    },
  },
  {
    command: "update-issuer",
    summary: "change an issuer's name and metadata URI",
    accreditorOnly: true,
    options: () => [issuerOption(), nameOption(), uriOption()],
    call: (f) => {
      const [id, name, uri] = [given(f.issuer, "issuer"), given(f.name, "name"), given(f.uri, "uri")];
      return {
        method: "updateIssuer",
        args: [id, name, uri],
        summary: `rename issuer ${id} to ${JSON.stringify(name)} (${uri || "no URI"})`,
        issuerId: id,
      };
    },
  },
  {
    command: "add-signer",
    summary: "allow an address to anchor and revoke for an issuer",
    accreditorOnly: false,
    options: () => [issuerOption(), signerOption("the address to add (one that never served another issuer)")],
    call: (f) => {
      const [id, signer] = [given(f.issuer, "issuer"), given(f.signer, "signer")];
      return { method: "addSigner", args: [id, signer], summary: `add signer ${signer} to issuer ${id}`, issuerId: id };
    },
  },
  {
    command: "remove-signer",
    summary: "stop an address acting for an issuer (for good)",
    accreditorOnly: false,
    options: () => [issuerOption(), signerOption("the address to remove")],
    call: (f) => {
      const [id, signer] = [given(f.issuer, "issuer"), given(f.signer, "signer")];
      return {
        method: "removeSigner",
        args: [id, signer],
        summary: `remove signer ${signer} from issuer ${id}`,
        issuerId: id,
      };
    },
  },
  {
    command: "deactivate",
    summary: "stop an issuer anchoring (its earlier batches stay valid)",
    accreditorOnly: true,
    options: () => [issuerOption()],
    call: (f) => {
      const id = given(f.issuer, "issuer");
      return { method: "setIssuerActive", args: [id, false], summary: `deactivate issuer ${id}`, issuerId: id };
    },
  },
  {
    command: "reactivate",
    summary: "let a deactivated issuer anchor again",
    accreditorOnly: true,
    options: () => [issuerOption()],
    call: (f) => {
      const id = given(f.issuer, "issuer");
      return { method: "setIssuerActive", args: [id, true], summary: `reactivate issuer ${id}`, issuerId: id };
    },
  },
  {
    command: "withdraw",
    summary: "withdraw an issuer's accreditation from a date (batches from then on stop verifying)",
    accreditorOnly: true,
    options: () => [
      issuerOption(),
      new Option("--from <date|now>", "first moment it is no longer accredited: now, 2026-11-01 or 2026-11-01T09:30Z")
        .argParser(effectiveFrom)
        .makeOptionMandatory(),
      new Option("--reason <text>", "why, in words (recorded on chain: never personal data)")
        .argParser(nonBlank)
        .makeOptionMandatory(),
    ],
    call: (f, now) => {
      const [id, from, reason] = [given(f.issuer, "issuer"), given(f.from, "from"), given(f.reason, "reason")];
      const seconds = from.kind === "now" ? now : from.seconds;
      return {
        method: "withdrawAccreditation",
        args: [id, seconds, reason],
        summary: `withdraw the accreditation of issuer ${id} from ${isoOf(seconds)}: ${reason}`,
        issuerId: id,
      };
    },
  },
  {
    command: "add-key",
    summary: "record an issuer's credential-signing key (its did:key)",
    accreditorOnly: true,
    options: () => [issuerOption(), didOption("the issuer's Ed25519 did:key (did:key:z6Mk…)")],
    call: (f) => {
      const [id, did] = [given(f.issuer, "issuer"), given(f.did, "did")];
      return {
        method: "addIssuerKey",
        args: [id, did.key],
        summary: `record key ${did.did} for issuer ${id}`,
        issuerId: id,
      };
    },
  },
  {
    command: "retire-key",
    summary: "retire an issuer's key (--compromised: refuse every signature it made)",
    accreditorOnly: true,
    options: () => [
      issuerOption(),
      didOption("the did:key to retire"),
      new Option("--compromised", "the key is or may be in other hands: refuse even what it signed before"),
    ],
    call: (f) => {
      const [id, did, compromised] = [given(f.issuer, "issuer"), given(f.did, "did"), f.compromised === true];
      return {
        method: "retireIssuerKey",
        args: [id, did.key, compromised],
        summary: `retire key ${did.did} of issuer ${id}${compromised ? " as compromised" : ""}`,
        issuerId: id,
      };
    },
  },
];
