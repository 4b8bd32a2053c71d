/*
 * The issuer console (`/console`): a registrar signs in with the issuer's API key, uploads and checks a
 * batch, follows it onto the chain, finds, shares and revokes credentials, and manages the API keys.
 * The key lives in this tab's sessionStorage and travels only in the Authorization header.
 */
import { byId } from "../dom";
import { ApiError, problemText, request, storedKey, storeKey, whenKeyRefused } from "./api";
import { loadBatches, setUpBatches } from "./batches";
import { setUpFind } from "./find";
import { loadKeys, setUpKeys } from "./keys";
import { setUpUpload } from "./upload";
import { whenBatchSettles } from "./watch";

const signin = byId("signin", HTMLElement);
const signinForm = byId("signin-form", HTMLFormElement);
const keyInput = byId("signin-key", HTMLInputElement);
const signinError = byId("signin-error", HTMLElement);
const consoleBox = byId("console", HTMLElement);
const who = byId("who", HTMLElement);
const signoutButton = byId("signout", HTMLButtonElement);

function signedOut(message = ""): void {
  storeKey(null);
  consoleBox.hidden = true;
  signin.hidden = false;
  signinError.textContent = message;
  keyInput.value = "";
  keyInput.focus();
}

function signedIn(issuer: string): void {
  signin.hidden = true;
  consoleBox.hidden = false;
  signinError.textContent = "";
  who.textContent = `Signed in for ${issuer}.`;
  // Focus moves off the sign-in form (now hidden) to what says who is signed in; Tab goes on to the upload.
  who.focus();
  void loadBatches();
  void loadKeys();
}

/** Checks a key by asking for the issuer's keys with it; keeps it for the tab when the service takes it. */
async function trySignIn(key: string): Promise<void> {
  try {
    const { keys } = await request<{ keys: { id: string; name: string }[] }>("/v1/keys", { key });
    storeKey(key);
    const id = /^crk_([A-Za-z0-9_-]{16})_/.exec(key)?.[1];
    const name = keys.find((k) => k.id === id)?.name;
    signedIn(name ? `your issuer, with the key “${name}”` : "your issuer");
  } catch (error) {
    const refused = error instanceof ApiError && error.status === 401;
    signedOut(refused ? `The service refused this key: ${error.message}.` : problemText(error));
  }
}

signinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key !== "") void trySignIn(key);
});
signoutButton.addEventListener("click", () => signedOut("Signed out."));
whenKeyRefused((message) => signedOut(`Signed out: ${message}.`));
whenBatchSettles(() => void loadBatches());

setUpUpload();
setUpBatches();
setUpFind();
setUpKeys();

const kept = storedKey();
if (kept === null) {
  document.body.dataset.ready = "true";
} else {
  void trySignIn(kept).finally(() => {
    document.body.dataset.ready = "true";
  });
}
