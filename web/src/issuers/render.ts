/*
 * The issuers page's DOM: one card per issuer. Every value from the chain (names, URIs, reasons)
 * goes in as text through el(), never as HTML.
 */
import { el, linkOrText } from "../dom";
import { type HistoryEntry, type IssuerView, type KeyView, utc } from "./read";

/** The issuer's standing now, in words, and a code for tests and styling. */
export function standing(issuer: IssuerView, now: number): { code: string; text: string } {
  if (issuer.accreditedUntil !== null && issuer.accreditedUntil <= now) {
    return {
      code: "withdrawn",
      text:
        `Accreditation withdrawn from ${utc(issuer.accreditedUntil)}: credentials it anchored from then on do not ` +
        `verify${issuer.active ? "" : "; deactivated"}`,
    };
  }
  const ends = issuer.accreditedUntil === null ? "" : `; accreditation ends ${utc(issuer.accreditedUntil)}`;
  return issuer.active
    ? { code: "active", text: `Accredited and active${ends}` }
    : { code: "deactivated", text: `Deactivated: it can no longer anchor; what it anchored before stays valid${ends}` };
}

function keyItem(key: KeyView): HTMLLIElement {
  const state = key.compromised
    ? `compromised (retired ${key.retiredAt === null ? "" : utc(key.retiredAt)}): no signature by it is accepted`
    : key.retiredAt !== null
      ? `retired ${utc(key.retiredAt)}: signatures made before stay valid`
      : "in use";
  const code = key.compromised ? "compromised" : key.retiredAt !== null ? "retired" : "in-use";
  return el(
    "li",
    { "data-testid": "issuer-key", "data-state": code },
    el("code", { class: "id" }, key.did),
    ` — recorded ${utc(key.addedAt)}, ${state}`,
  );
}

function historyItem(entry: HistoryEntry): HTMLLIElement {
  const when =
    entry.time === null
      ? el("span", { class: "when" }, `block ${entry.blockNumber}`)
      : el("time", { class: "when", datetime: new Date(entry.time * 1000).toISOString() }, utc(entry.time));
  return el("li", { "data-testid": "history-entry", "data-kind": entry.kind }, when, " ", entry.text);
}

function list<T>(items: readonly T[], none: string, item: (value: T) => HTMLLIElement): Node {
  return items.length === 0 ? document.createTextNode(none) : el("ul", {}, ...items.map(item));
}

/** The card of one issuer of `registry` on `chainId`. */
export function issuerCard(issuer: IssuerView, chainId: number, registry: string, now: number): HTMLElement {
  const heading = `issuer-${chainId}-${registry.toLowerCase()}-${issuer.id}`;
  const status = standing(issuer, now);
  return el(
    "article",
    { class: "card issuer", "data-testid": "issuer", "data-issuer-id": String(issuer.id), "aria-labelledby": heading },
    el("h3", { id: heading, "data-testid": "issuer-name" }, issuer.name),
    el("p", { class: "issuer-status", "data-testid": "issuer-status", "data-status": status.code }, status.text),
    el(
      "dl",
      { class: "fields" },
      el("dt", {}, "Issuer id"),
      el("dd", {}, String(issuer.id)),
      el("dt", {}, "Website or DID"),
      el("dd", { "data-testid": "issuer-uri" }, issuer.uri === "" ? "none recorded" : linkOrText(issuer.uri)),
      el("dt", {}, "Signers (may anchor and revoke)"),
      el(
        "dd",
        { "data-testid": "issuer-signers" },
        list(issuer.signers, "none", (s) => el("li", {}, el("code", { class: "id" }, s))),
      ),
      el("dt", {}, "Credential-signing keys"),
      el("dd", { "data-testid": "issuer-keys" }, list(issuer.keys, "none recorded", keyItem)),
    ),
    el("h4", {}, "History"),
    el("ol", { class: "history", "data-testid": "history" }, ...issuer.history.map(historyItem)),
  );
}

/** The section of one registry: a heading, then its issuers (or a sentence saying there are none). */
export function registrySection(
  chainId: number,
  registry: string,
  issuers: readonly IssuerView[],
  now: number,
): HTMLElement {
  const id = `registry-${chainId}-${registry.toLowerCase()}`;
  return el(
    "section",
    { class: "registry", "data-testid": "registry", "aria-labelledby": id },
    el("h2", { id }, `Registry ${registry} on chain ${chainId}`),
    issuers.length === 0
      ? el("p", {}, "No issuer is registered yet.")
      : el("p", { class: "small" }, `${issuers.length} issuer${issuers.length === 1 ? "" : "s"}, read from the chain.`),
    ...issuers.map((issuer) => issuerCard(issuer, chainId, registry, now)),
  );
}

/** A registry that could not be read: said, with what to do, never an empty list. */
export function registryError(chainId: number, registry: string, message: string): HTMLElement {
  const id = `registry-${chainId}-${registry.toLowerCase()}`;
  return el(
    "section",
    { class: "registry", "data-testid": "registry", "aria-labelledby": id },
    el("h2", { id }, `Registry ${registry} on chain ${chainId}`),
    el(
      "p",
      { class: "warnings", role: "alert", "data-testid": "registry-error" },
      `Could not read this registry: ${message}. Open the settings below to choose a blockchain node.`,
    ),
  );
}
