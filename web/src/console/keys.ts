/* The issuer's API keys: create one with a name (its secret shown once), list them, revoke one. */
import { byId, el } from "../dom";
import { dateText, problemText, request, storedKey } from "./api";

interface KeyInfo {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

const form = byId("keys-form", HTMLFormElement);
const nameInput = byId("keys-name", HTMLInputElement);
const newBox = byId("keys-new", HTMLElement);
const secret = byId("keys-secret", HTMLInputElement);
const status = byId("keys-status", HTMLElement);
const tableBox = byId("keys-table", HTMLElement);

/** The id part of the key this tab signed in with (`crk_<id>_<secret>`), to say "this key". */
const ownId = () => /^crk_([A-Za-z0-9_-]{16})_/.exec(storedKey() ?? "")?.[1] ?? null;

async function revoke(key: KeyInfo, button: HTMLButtonElement): Promise<void> {
  const own = key.id === ownId();
  const sure = window.confirm(
    own
      ? `Revoke “${key.name}”, the key you are signed in with? You will be signed out.`
      : `Revoke the key “${key.name}”? Whatever uses it is refused from now on.`,
  );
  if (!sure) return;
  button.disabled = true;
  try {
    await request(`/v1/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
    await loadKeys();
    status.textContent = `Key “${key.name}” revoked.`;
  } catch (error) {
    status.textContent = `Not revoked: ${problemText(error)}`;
    button.disabled = false;
  }
}

function row(key: KeyInfo): HTMLTableRowElement {
  const button = el("button", { type: "button", class: "small", "data-testid": "key-revoke" }, "Revoke");
  button.addEventListener("click", () => void revoke(key, button));
  const state = key.revokedAt
    ? `Revoked ${dateText(key.revokedAt)}`
    : key.id === ownId()
      ? "In use (this tab)"
      : "Active";
  return el(
    "tr",
    { "data-testid": "key-row", "data-key": key.id },
    el("td", {}, key.name),
    el("td", { class: "id" }, key.id),
    el("td", {}, dateText(key.createdAt)),
    el("td", {}, state),
    el("td", {}, key.revokedAt ? null : button),
  );
}

export async function loadKeys(): Promise<void> {
  try {
    const { keys } = await request<{ keys: KeyInfo[] }>("/v1/keys");
    const head = el(
      "tr",
      {},
      ...["Name", "Id", "Created", "State", "Actions"].map((h) => el("th", { scope: "col" }, h)),
    );
    tableBox.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...keys.map(row))));
  } catch (error) {
    status.textContent = `Could not list the keys: ${problemText(error)}`;
  }
}

export function setUpKeys(): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (name === "") return;
    void (async () => {
      try {
        const created = await request<KeyInfo & { key: string }>("/v1/keys", { json: { name } });
        secret.value = created.key;
        newBox.hidden = false;
        secret.focus();
        secret.select();
        nameInput.value = "";
        await loadKeys();
        status.textContent = `Key “${created.name}” created: copy it now, it is not shown again.`;
      } catch (error) {
        status.textContent = `Not created: ${problemText(error)}`;
      }
    })();
  });
}
