import type { JsonValue, PresentationResult, StackLink, VerificationResult, Verdict } from "../../src";
import { type Child, el, linkOrText } from "./dom";
import { CHECK_ORDER, checkWords, FIELD_LABELS, HIDDEN_WORDS, VALUE_WORDS, VERDICT_WORDS } from "./words";

/** The value at a JSON Pointer of the disclosed credential (fields are never deeper than a few levels). */
function valueAt(credential: { [key: string]: JsonValue }, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = credential;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
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

function showValue(pointer: string, value: JsonValue): Child {
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const text = typeof item === "string" ? item : JSON.stringify(item);
      return el("li", {}, pointer === "/stackability/buildsOn" ? shortHex(text) : linkOrText(text));
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

/** The credential as an employer reads it; hidden fields are listed where they belong. */
function fieldList(result: VerificationResult): HTMLElement {
  const hidden = new Set(result.hidden);
  const known = new Set(FIELD_LABELS.map(([pointer]) => pointer).concat("/title"));
  const rows: Child[] = [];
  if (result.issuer) {
    const at = result.anchoredAt ? `, recorded ${new Date(result.anchoredAt * 1000).toISOString().slice(0, 10)}` : "";
    rows.push(
      el("dt", {}, "Issuer (on the blockchain)"),
      el("dd", { "data-testid": "issuer" }, `${result.issuer.name} (issuer no. ${result.issuer.id})${at}`),
    );
  }
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

function stackList(links: readonly StackLink[], titles: ReadonlyMap<string, string>): Child {
  if (links.length === 0) return null;
  const items = links.map((link) =>
    el(
      "li",
      { "data-testid": "stack-link", "data-status": link.status, "data-leaf": link.leaf },
      `${titles.get(link.leaf) ?? shortHex(link.leaf)}: ${STACK_WORDS[link.status]}`,
    ),
  );
  return el("section", {}, el("h4", {}, "Builds on"), el("ul", { class: "stack", "data-testid": "stack" }, ...items));
}

/** One credential: its title, its own verdict, what was checked and what it says. */
export function credentialCard(result: VerificationResult, extra: Child = null): HTMLElement {
  const title = valueAt(result.credential, "/title");
  const words = VERDICT_WORDS[result.verdict];
  return el(
    "article",
    { class: "card", "data-testid": "credential-card", "data-verdict": result.verdict },
    el("h3", { "data-testid": "credential-title" }, typeof title === "string" ? title : "(untitled)"),
    el(
      "p",
      { class: "card-verdict", "data-ok": String(result.verdict === "valid"), "data-testid": "card-verdict" },
      words.headline,
    ),
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

/** One card per credential of a presentation, each with what it builds on. */
export function presentationCards(result: PresentationResult): HTMLElement[] {
  const titles = new Map<string, string>();
  for (const c of result.credentials) {
    const title = valueAt(c.credential, "/title");
    if (typeof title === "string") titles.set(c.leaf, title);
  }
  return result.credentials.map((c) => credentialCard(c, stackList(c.stack, titles)));
}
