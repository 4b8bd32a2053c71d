import type {
  JsonValue,
  PresentationResult,
  RevocationReason,
  StackLink,
  VerificationResult,
  Verdict,
} from "../../src";
import { type Child, el, linkOrText } from "./dom";
import {
  CHECK_ORDER,
  checkWords,
  FIELD_LABELS,
  HIDDEN_WORDS,
  ISSUER_WORDS,
  REASON_WORDS,
  UNVERIFIED_WORDS,
  VALUE_WORDS,
  VERDICT_WORDS,
} from "./words";

/*
 * What a verdict shows. Every value from a bundle goes into the page as text (el() makes text
 * nodes), and only a credential that itself verified valid shows its title and values: a changed,
 * revoked or unchecked one shows its verdict, its checks and the id it gives, nothing it claims.
 */

/** The value at a JSON Pointer of the disclosed credential: own properties only, never inherited ones. */
function valueAt(credential: { [key: string]: JsonValue }, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = credential;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    node = Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}

/** Pointers of every disclosed leaf value (arrays count as one field, as in a bundle). */
function pointersOf(value: JsonValue, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    pointersOf(child, `${prefix}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`),
  );
}

const shortHex = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;

/**
 * A skill URI as a short, readable link (the full URI is its target and its tooltip): an ESCO
 * concept reads "ESCO skill 5b1d…", another URI its host and last path segment.
 */
export function skillLink(uri: string): Node {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return document.createTextNode(uri);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return document.createTextNode(uri);
  const segments = url.pathname.split("/").filter((part) => part !== "");
  const last = decodeURIComponent(segments.at(-1) ?? url.host);
  const esco = /(^|\.)data\.europa\.eu$/.test(url.host) && segments[0] === "esco";
  const kind = esco ? `ESCO ${segments[1] ?? "concept"}` : url.host;
  const label = `${kind} ${last.length > 12 ? `${last.slice(0, 8)}…` : last}`;
  return el("a", { href: uri, class: "skill", title: uri, rel: "noopener noreferrer", target: "_blank" }, label);
}

/** A moment in the viewer's local time, the UTC instant beside it and on hover. */
export function localTime(seconds: number): HTMLElement {
  const instant = new Date(seconds * 1000);
  const utc = instant.toISOString().replace(/\.000Z$/, "Z");
  const local = instant.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return el(
    "span",
    {},
    el("time", { datetime: utc, title: `${utc} (UTC)`, "data-testid": "local-time" }, local),
    el("span", { class: "small" }, ` (${utc.replace("T", " ").replace("Z", " UTC")})`),
  );
}

function showValue(pointer: string, value: JsonValue): Child {
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const text = typeof item === "string" ? item : JSON.stringify(item);
      if (pointer === "/stackability/buildsOn") return el("li", {}, shortHex(text));
      return el("li", {}, pointer === "/skills" ? skillLink(text) : linkOrText(text));
    });
    return el("ul", {}, ...items);
  }
  if (typeof value === "string") return VALUE_WORDS[pointer]?.[value] ?? linkOrText(value);
  return typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

function fieldRow(pointer: string, label: string, value: JsonValue | undefined, hidden: boolean): Child[] {
  const attributes = { "data-testid": "field", "data-pointer": pointer, "data-hidden": String(hidden) };
  if (hidden) return [el("dt", {}, label), el("dd", { ...attributes, class: "hidden-field" }, HIDDEN_WORDS)];
  if (value === undefined) return [];
  return [el("dt", {}, label), el("dd", attributes, showValue(pointer, value))];
}

/** The awarding body: the issuer the registry records for this credential (never a name from the file). */
function issuerRows(result: VerificationResult): Child[] {
  const { issuer } = result;
  if (!issuer) return [];
  const at = result.anchoredAt ? [", which recorded this credential on ", localTime(result.anchoredAt)] : [];
  return [
    el("dt", {}, ISSUER_WORDS.awardingBody),
    el("dd", { "data-testid": "awarding-body" }, issuer.name),
    el("dt", {}, ISSUER_WORDS.record),
    el("dd", { "data-testid": "issuer" }, `issuer no. ${issuer.id} in the registry`, ...at),
    ...(issuer.uri === ""
      ? []
      : [el("dt", {}, ISSUER_WORDS.uri), el("dd", { "data-testid": "issuer-uri" }, linkOrText(issuer.uri))]),
  ];
}

/** The credential as an employer reads it; hidden fields are listed where they belong. */
function fieldList(result: VerificationResult): HTMLElement {
  const hidden = new Set(result.hidden);
  const known = new Set(FIELD_LABELS.map(([pointer]) => pointer).concat("/title"));
  const rows: Child[] = [...issuerRows(result)];
  for (const [pointer, label] of FIELD_LABELS) {
    const value = valueAt(result.credential, pointer);
    const noExpiry = pointer === "/validUntil" && value === undefined && !hidden.has(pointer);
    rows.push(...fieldRow(pointer, label, noExpiry ? "does not expire" : value, hidden.has(pointer)));
  }
  // Fields this page has no label for, shown under their own names.
  const extra = [...pointersOf(result.credential), ...hidden].filter((p) => !known.has(p));
  for (const pointer of [...new Set(extra)].sort()) {
    rows.push(...fieldRow(pointer, pointer, valueAt(result.credential, pointer), hidden.has(pointer)));
  }
  return el("dl", { class: "fields" }, ...rows);
}

function checkList(result: VerificationResult): HTMLElement {
  const items = CHECK_ORDER.map((name) => {
    const check = result.checks.find((c) => c.name === name);
    const ok = check ? check.ok : null;
    return el(
      "li",
      { "data-testid": "check", "data-check": name, "data-ok": String(ok) },
      checkWords(name, ok, check !== undefined),
      check ? el("span", { class: "why" }, check.message) : null,
    );
  });
  return el("ul", { class: "checks", "aria-label": "What was checked" }, ...items);
}

const STACK_WORDS: Record<StackLink["status"], string> = {
  valid: "shown here, and valid",
  missing: "missing: not shown in this presentation",
  "not-valid": "shown here, but not valid",
};

/** What a credential builds on. A title only ever comes from the valid bundle the library names. */
function stackList(links: readonly StackLink[]): Child {
  if (links.length === 0) return null;
  const items = links.map((link) => {
    const attributes = { "data-testid": "stack-link", "data-status": link.status, "data-leaf": link.leaf };
    if (link.status === "valid" && link.valid) {
      const { index, title } = link.valid;
      return el("li", { ...attributes, "data-index": String(index) }, `${title}: ${STACK_WORDS.valid}`);
    }
    return el("li", attributes, `${shortHex(link.leaf)}: ${STACK_WORDS[link.status]}`);
  });
  return el("section", {}, el("h4", {}, "Builds on"), el("ul", { class: "stack", "data-testid": "stack" }, ...items));
}

function verdictLine(verdict: Verdict): HTMLElement {
  return el(
    "p",
    { class: "card-verdict", "data-ok": String(verdict === "valid"), "data-testid": "card-verdict" },
    VERDICT_WORDS[verdict].headline,
  );
}

/** A credential that did not verify: its verdict, its checks and the id it gives, nothing it claims. */
function unverifiedCard(result: VerificationResult): HTMLElement {
  const id = valueAt(result.credential, "/id");
  const heading = result.verdict === "chain-unavailable" ? UNVERIFIED_WORDS.unchecked : UNVERIFIED_WORDS.heading;
  return el(
    "article",
    { class: "card unverified", "data-testid": "credential-card", "data-verdict": result.verdict },
    el("h3", { "data-testid": "unverified-heading" }, heading),
    verdictLine(result.verdict),
    checkList(result),
    typeof id === "string"
      ? el("dl", { class: "fields" }, el("dt", {}, UNVERIFIED_WORDS.id), el("dd", { "data-testid": "claimed-id" }, id))
      : null,
    result.verdict === "revoked"
      ? el("p", { class: "reason", "data-testid": "revocation-reason", "data-state": "loading" }, REASON_WORDS.loading)
      : null,
    el("p", { class: "small" }, UNVERIFIED_WORDS.why),
  );
}

/** Fills a revoked card's reason line with what the chain records (always as text). */
export function showRevocationReason(card: HTMLElement, why: RevocationReason | null | Error): void {
  const line = card.querySelector<HTMLElement>("[data-testid=revocation-reason]");
  if (!line) return;
  if (why instanceof Error) {
    line.dataset.state = "error";
    line.textContent = REASON_WORDS.failed;
  } else if (why === null) {
    line.dataset.state = "none";
    line.textContent = REASON_WORDS.none;
  } else {
    line.dataset.state = why.scope;
    line.textContent = `${REASON_WORDS[why.scope]} “${why.reason}”`;
  }
}

/**
 * One credential: when it verified valid, its title, verdict, checks, awarding body and what it
 * says (and `extra`, e.g. what it builds on); otherwise only its verdict, checks and id.
 */
export function credentialCard(result: VerificationResult, extra: Child = null): HTMLElement {
  if (result.verdict !== "valid") return unverifiedCard(result);
  const title = valueAt(result.credential, "/title");
  return el(
    "article",
    { class: "card", "data-testid": "credential-card", "data-verdict": result.verdict },
    el("h3", { "data-testid": "credential-title" }, typeof title === "string" ? title : "(untitled)"),
    verdictLine(result.verdict),
    checkList(result),
    fieldList(result),
    extra,
  );
}

/** The headline of a presentation: valid only when every credential is. */
export function presentationVerdict(result: PresentationResult): { headline: string; tone: string; code: string } {
  const total = result.credentials.length;
  if (result.allValid) return { headline: `Valid: all ${total} credentials`, tone: "valid", code: "valid" };
  const verdicts: Verdict[] = result.credentials.map((c) => c.verdict);
  const valid = verdicts.filter((v) => v === "valid").length;
  if (verdicts.every((v) => v === "valid" || v === "chain-unavailable")) {
    return { headline: VERDICT_WORDS["chain-unavailable"].headline, tone: "unknown", code: "chain-unavailable" };
  }
  return { headline: `Not all valid: ${valid} of ${total} credentials are valid`, tone: "not-valid", code: "mixed" };
}

/** What the presentation's answers do not say (e.g. different learners), as text; null when nothing. */
export function presentationWarnings(result: PresentationResult): HTMLElement | null {
  const { warnings } = result;
  if (warnings.length === 0) return null;
  const items = warnings.map((w) =>
    el("li", { "data-testid": "presentation-warning", "data-code": w.code }, w.message),
  );
  return el("ul", { class: "warnings", "aria-label": "Warnings" }, ...items);
}

/** One card per credential of a presentation; a valid one also shows what it builds on. */
export function presentationCards(result: PresentationResult): HTMLElement[] {
  return result.credentials.map((c) => credentialCard(c, stackList(c.stack)));
}
