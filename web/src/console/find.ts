/* Find a credential by learner name, learner identifier or credential id; share it, print it, revoke it. */
import { byId, el } from "../dom";
import { problemText, request } from "./api";
import { confirmRevocation } from "./confirm";

interface Found {
  id: string;
  credentialId: string | null;
  learner: string | null;
  learnerName?: string | null;
  title: string | null;
  batchId: string;
  status: string;
  revoked: boolean;
  revokedReason: string | null;
}

const OFFERED = new Set(["anchored", "final", "revoked"]);

/** How the batch's status reads to a registrar. */
const STATE_WORDS: Record<string, string> = {
  pending: "Waiting to be sent to the blockchain",
  submitted: "Sent to the blockchain",
  anchored: "Recorded in a block",
  final: "Issued (final)",
  failed: "Failed: not issued",
  revoked: "Revoked",
};

const form = byId("find-form", HTMLFormElement);
const by = byId("find-by", HTMLSelectElement);
const text = byId("find-text", HTMLInputElement);
const status = byId("find-status", HTMLElement);
const results = byId("find-results", HTMLElement);

const path = (id: string, rest: string) => `/v1/credentials/${encodeURIComponent(id)}/${rest}`;

async function share(found: Found, box: HTMLElement, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const { url } = await request<{ url: string; qr: string }>(path(found.id, "share"));
    const input = el("input", { id: `share-${found.id}`, readonly: "", value: url, "data-testid": "share-url" });
    box.replaceChildren(
      el("label", { for: input.id }, "Share link (the learner's, to send them)"),
      input,
      el("img", {
        class: "qr",
        src: path(found.id, "qr.svg"),
        alt: `QR code of the share link of ${found.learnerName ?? found.learner ?? "this credential"}`,
        "data-testid": "share-qr",
      }),
    );
    input.focus();
    input.select();
  } catch (error) {
    box.replaceChildren(el("p", { role: "alert" }, `No share link: ${problemText(error)}`));
  } finally {
    button.disabled = false;
  }
}

async function revoke(found: Found, button: HTMLButtonElement, line: HTMLElement): Promise<void> {
  const who = found.learnerName ?? found.learner ?? "this learner";
  const reason = await confirmRevocation(`Revoke “${found.title ?? "the credential"}” of ${who}?`, button);
  if (reason === null) return;
  try {
    await request(path(found.id, "revoke"), { json: { reason } });
    line.textContent = `Revocation on its way to the blockchain (reason: ${reason}).`;
    line.dataset.revocation = "queued";
    button.disabled = true;
  } catch (error) {
    line.textContent = `Not revoked: ${problemText(error)}`;
  }
}

function card(found: Found, index: number): HTMLElement {
  const heading = `result-${index}`;
  const offered = OFFERED.has(found.status);
  const shareBox = el("div", { "data-testid": "share-box" });
  const line = el("p", { role: "status", "data-testid": "result-status" });
  const shareButton = el(
    "button",
    { type: "button", class: "small", "data-testid": "result-share" },
    "Share link and QR code",
  );
  shareButton.addEventListener("click", () => void share(found, shareBox, shareButton));
  const revokeButton = el(
    "button",
    { type: "button", class: "small danger", "data-testid": "result-revoke" },
    "Revoke…",
  );
  revokeButton.addEventListener("click", () => void revoke(found, revokeButton, line));
  const certificate = el(
    "a",
    {
      href: path(found.id, "certificate.pdf"),
      download: "",
      "data-testid": "result-certificate",
      class: "button small",
    },
    "Download the certificate (PDF)",
  );
  const facts: [string, string][] = [
    ["Learner", found.learnerName ?? "—"],
    ["Learner id", found.learner ?? "—"],
    ["Credential id", found.credentialId ?? "—"],
    ["Batch", found.batchId],
    [
      "State",
      found.revoked
        ? `Revoked: ${found.revokedReason ?? "no reason given"}`
        : (STATE_WORDS[found.status] ?? found.status),
    ],
  ];
  return el(
    "article",
    { class: "result", "aria-labelledby": heading, "data-testid": "result", "data-id": found.id },
    el("h3", { id: heading }, found.title ?? "Untitled credential"),
    el("dl", {}, ...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", { class: "id" }, value)])),
    offered
      ? el("div", { class: "actions" }, shareButton, certificate, found.revoked ? null : revokeButton)
      : el("p", { class: "small" }, "Share link, certificate and revocation come once its batch is anchored."),
    line,
    shareBox,
  );
}

async function find(): Promise<void> {
  const query = text.value.trim();
  if (query === "") return;
  status.textContent = "Searching…";
  try {
    const { credentials } = await request<{ credentials: Found[] }>(
      `/v1/credentials?${new URLSearchParams({ [by.value]: query }).toString()}`,
    );
    results.replaceChildren(...credentials.map(card));
    status.textContent =
      credentials.length === 0 ? "No credential of yours matches." : `${credentials.length} credential(s) found.`;
  } catch (error) {
    status.textContent = `Could not search: ${problemText(error)}`;
  }
}

export function setUpFind(): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void find();
  });
}
