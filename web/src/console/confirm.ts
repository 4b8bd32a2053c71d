/* The one confirmation a revocation needs: what is revoked, and a reason the chain will record. */
import { byId } from "../dom";

const dialog = byId("revoke-dialog", HTMLDialogElement);
const form = byId("revoke-form", HTMLFormElement);
const what = byId("revoke-what", HTMLElement);
const reason = byId("revoke-reason", HTMLTextAreaElement);
const cancel = byId("revoke-cancel", HTMLButtonElement);

let answer: ((reason: string | null) => void) | null = null;

function close(value: string | null): void {
  const resolve = answer;
  answer = null;
  if (dialog.open) dialog.close();
  resolve?.(value);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = reason.value.trim();
  if (text === "") {
    reason.focus();
    return;
  }
  close(text);
});
cancel.addEventListener("click", () => close(null));
dialog.addEventListener("close", () => close(null)); // Escape

/**
 * Asks to confirm revoking `description`, with a reason; the promise gives the reason, or null when
 * the registrar cancelled. Focus goes back to `returnTo` afterwards (keyboard users stay in place).
 */
export function confirmRevocation(description: string, returnTo: HTMLElement): Promise<string | null> {
  what.textContent = `${description} This cannot be undone: everyone who checks it will see it revoked, with your reason.`;
  reason.value = "";
  dialog.showModal();
  reason.focus();
  return new Promise((resolve) => {
    answer = (value) => {
      returnTo.focus();
      resolve(value);
    };
  });
}
