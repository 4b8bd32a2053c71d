/* A submitted batch followed live, pending → submitted → anchored → final, by polling its status. */
import { byId, el } from "../dom";
import { problemText, request } from "./api";

const STEPS = [
  { status: "pending", words: "Stored, waiting to be sent" },
  { status: "submitted", words: "Sent to the blockchain" },
  { status: "anchored", words: "Recorded in a block" },
  { status: "final", words: "Final" },
] as const;

const DONE = new Set(["final", "failed", "revoked"]);

const box = byId("watch", HTMLElement);
const steps = byId("watch-steps", HTMLOListElement);
const statusLine = byId("watch-status", HTMLElement);

/** Listeners told when a watched batch reaches an end (final, failed, revoked): the batch list refreshes. */
const settled: (() => void)[] = [];
export function whenBatchSettles(listener: () => void): void {
  settled.push(listener);
}

let watching = 0;

function show(status: string, error: string | null): void {
  const reached = STEPS.findIndex((s) => s.status === status);
  steps.replaceChildren(
    ...STEPS.map((step, i) =>
      el(
        "li",
        {
          "data-status": step.status,
          "data-done": String(i <= reached),
          ...(i === reached ? { "aria-current": "step" } : {}),
        },
        i <= reached ? `✓ ${step.words}` : step.words,
      ),
    ),
  );
  box.dataset.status = status;
  if (status === "final")
    statusLine.textContent = "Final: the credentials are issued. Find them below or download the batch.";
  else if (status === "failed")
    statusLine.textContent = `The batch could not be anchored: ${error ?? "no reason given"}`;
  else if (status === "revoked") statusLine.textContent = "The batch was revoked.";
  else statusLine.textContent = `Status: ${STEPS[reached]?.words ?? status}…`;
}

/** Shows batch `id`'s way to the chain, asking the service every second until it is final (or failed). */
export function watchBatch(id: string): void {
  const mine = ++watching;
  box.hidden = false;
  show("pending", null);
  const poll = async () => {
    if (mine !== watching) return;
    try {
      const batch = await request<{ status: string; error: string | null }>(`/v1/batches/${encodeURIComponent(id)}`);
      if (mine !== watching) return;
      show(batch.status, batch.error);
      if (DONE.has(batch.status)) {
        for (const listener of settled) listener();
        return;
      }
    } catch (error) {
      statusLine.textContent = `Could not ask for the batch's status (${problemText(error)}); trying again…`;
    }
    setTimeout(() => void poll(), 1000);
  };
  void poll();
}
