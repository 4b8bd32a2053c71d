/* The issuer's batches: date, count, status, revocations; per batch, its zip and its revocation. */
import { byId, el } from "../dom";
import { dateText, problemText, request, saveBlob } from "./api";
import { confirmRevocation } from "./confirm";

interface BatchSummary {
  id: string;
  createdAt: string;
  count: number;
  status: string;
  revoked: boolean;
  revokedReason: string | null;
  revokedCredentials: number;
}

const STATUS_WORDS: Record<string, string> = {
  pending: "Waiting to be sent",
  submitted: "Sent to the blockchain",
  anchored: "Recorded in a block",
  final: "Final",
  failed: "Failed",
  revoked: "Revoked",
};

const OFFERED = new Set(["anchored", "final", "revoked"]);

const tableBox = byId("batches-table", HTMLElement);
const status = byId("batches-status", HTMLElement);
const refresh = byId("batches-refresh", HTMLButtonElement);

async function download(batch: BatchSummary, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  status.textContent = `Preparing the zip of batch ${batch.id}…`;
  try {
    const response = await request<Response>(`/v1/batches/${encodeURIComponent(batch.id)}/archive.zip`, { raw: true });
    saveBlob(await response.blob(), `credroot-batch-${batch.id}.zip`);
    status.textContent = `Downloaded the ${batch.count} bundles and credentials.csv of batch ${batch.id}.`;
  } catch (error) {
    status.textContent = `Could not download it: ${problemText(error)}`;
  } finally {
    button.disabled = false;
  }
}

async function revoke(batch: BatchSummary, button: HTMLButtonElement): Promise<void> {
  const reason = await confirmRevocation(
    `Revoke every one of the ${batch.count} credentials of the batch of ${dateText(batch.createdAt)}?`,
    button,
  );
  if (reason === null) return;
  try {
    await request(`/v1/batches/${encodeURIComponent(batch.id)}/revoke`, { json: { reason } });
    status.textContent = `The revocation of batch ${batch.id} is on its way to the blockchain.`;
  } catch (error) {
    status.textContent = `Not revoked: ${problemText(error)}`;
  }
}

function row(batch: BatchSummary): HTMLTableRowElement {
  const zip = el("button", { type: "button", class: "small", "data-testid": "batch-zip" }, "Download zip");
  zip.addEventListener("click", () => void download(batch, zip));
  const revokeButton = el("button", { type: "button", class: "small", "data-testid": "batch-revoke" }, "Revoke batch");
  revokeButton.addEventListener("click", () => void revoke(batch, revokeButton));
  const offered = OFFERED.has(batch.status);
  const revocations = batch.revoked
    ? `All (${batch.revokedReason ?? "no reason"})`
    : batch.revokedCredentials === 0
      ? "None"
      : String(batch.revokedCredentials);
  return el(
    "tr",
    { "data-testid": "batch-row", "data-batch": batch.id, "data-status": batch.status },
    el("td", {}, dateText(batch.createdAt)),
    el("td", {}, String(batch.count)),
    el("td", { "data-testid": "batch-status" }, STATUS_WORDS[batch.status] ?? batch.status),
    el("td", {}, revocations),
    el("td", {}, offered ? zip : null, offered && !batch.revoked ? revokeButton : null),
  );
}

/** Fetches and shows the newest 100 batches. */
export async function loadBatches(): Promise<void> {
  status.textContent = "Loading…";
  try {
    const { batches, total } = await request<{ batches: BatchSummary[]; total: number }>("/v1/batches?limit=100");
    const head = el(
      "tr",
      {},
      ...["Date", "Credentials", "Status", "Revoked", "Actions"].map((h) => el("th", { scope: "col" }, h)),
    );
    tableBox.replaceChildren(
      batches.length === 0
        ? el("p", {}, "No batches yet.")
        : el("table", {}, el("thead", {}, head), el("tbody", {}, ...batches.map(row))),
    );
    status.textContent =
      total > batches.length ? `The newest ${batches.length} of ${total} batches.` : `${total} batch(es).`;
  } catch (error) {
    status.textContent = `Could not list the batches: ${problemText(error)}`;
  }
}

export function setUpBatches(): void {
  refresh.addEventListener("click", () => void loadBatches());
}
