/*
 * The web verifier page: a person drops, picks or pastes a credential (a bundle or a
 * presentation), or opens a share link, and the page verifies it in the browser with the
 * library's verifier, asking the chain's JSON-RPC node directly. The issuer's server is only a
 * place a bundle may come from; its word is never taken for the verdict.
 */
import {
  type Bundle,
  revocationReason,
  type TrustConfig,
  type VerificationResult,
  verifyBundle,
  verifyPresentation,
} from "../../src";
import { byId } from "./dom";
import { decodeFragment, encodeFragment, fragmentData, InputError, type Loaded, readCredentialText } from "./input";
import { credentialFileText } from "./input"; // a PDF certificate's bundle (issue 14): kept apart for the main.ts split
import { pngBadge, signedInputOf } from "./input"; // signed credentials and badges (issue 13), verified in ./standard
import type { SignedInput } from "../../src/standard/verify-any";
import {
  credentialCard,
  presentationCards,
  presentationVerdict,
  presentationWarnings,
  showRevocationReason,
} from "./render";
import { rpcOverrides, showSettings } from "./settings";
import { loadTrustConfig, logsProviderFor, trustedChains } from "./trust";
import { EPHEMERAL_NOT_ANCHORED, VERDICT_WORDS } from "./words";

const verdictBox = byId("verdict", HTMLElement);
const errorBox = byId("error", HTMLElement);
const details = byId("details", HTMLElement);
const share = byId("share", HTMLElement);
const shareLink = byId("share-link", HTMLInputElement);

let trust: TrustConfig | null = null;
/** What is on screen, to re-check after a settings change and to put in a share link. */
let current: Loaded | null = null;
/** Each check bumps this; an older check that finishes late does not overwrite a newer one. */
let generation = 0;

function showVerdict(tone: string, code: string, headline: string): void {
  verdictBox.dataset.verdict = tone;
  verdictBox.dataset.code = code;
  verdictBox.textContent = headline;
}

function showError(message: string, headline?: string): void {
  if (headline === undefined) showVerdict("error", "error", "Could not read this: it is not a credential");
  else showVerdict("error", "re-issue", headline);
  errorBox.textContent = message;
  errorBox.hidden = false;
  details.replaceChildren();
  share.hidden = true;
  current = null;
}

function reset(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
  details.replaceChildren();
  share.hidden = true;
  shareLink.value = "";
}

/** Verifies what was loaded against the trusted chains and shows the verdict and the credential(s). */
async function check(loaded: Loaded): Promise<void> {
  if (!trust) return;
  const mine = ++generation;
  reset();
  current = loaded;
  showVerdict("checking", "checking", "Checking with the blockchain…");
  const options = { chains: trustedChains(trust, rpcOverrides()) };
  if (loaded.kind === "bundle") {
    const result = await verifyBundle(loaded.bundle, options);
    if (mine !== generation) return;
    const words = VERDICT_WORDS[result.verdict];
    const ephemeral = trust.chains.find((c) => c.chainId === loaded.bundle.anchor.chainId)?.ephemeral === true;
    const restarted = result.verdict === "not-anchored" && ephemeral;
    showVerdict(
      words.tone,
      result.verdict,
      restarted ? `${words.headline}. ${EPHEMERAL_NOT_ANCHORED}` : words.headline,
    );
    const card = credentialCard(result);
    details.replaceChildren(card);
    void fillReason(card, loaded.bundle, result);
  } else {
    const result = await verifyPresentation(loaded.presentation, options);
    if (mine !== generation) return;
    const { headline, tone, code } = presentationVerdict(result);
    showVerdict(tone, code, headline);
    const cards = presentationCards(result);
    details.replaceChildren(...[presentationWarnings(result)].filter((w) => w !== null), ...cards);
    result.credentials.forEach((c, i) => void fillReason(cards[i]!, loaded.presentation.bundles[i]!, c));
  }
  share.hidden = false;
}

/** A revoked credential's reason, read from the chain the verdict came from (one eth_getLogs). */
async function fillReason(card: HTMLElement, bundle: Bundle, result: VerificationResult): Promise<void> {
  if (result.verdict !== "revoked" || !result.digest || !trust) return;
  const { chainId, registry, issuerId, batchId, block } = bundle.anchor;
  const provider = logsProviderFor(trust, rpcOverrides(), chainId);
  if (!provider) {
    showRevocationReason(card, new Error("no node"));
    return;
  }
  try {
    const why = await revocationReason({
      provider,
      registry,
      issuerId,
      batchId,
      digest: result.digest,
      fromBlock: block,
    });
    showRevocationReason(card, why);
  } catch (error) {
    showRevocationReason(card, error as Error);
  }
}

/** A signed credential or badge: verified by the lazy chunk that brings the JSON-LD stack. */
async function checkSigned(input: SignedInput): Promise<void> {
  if (!trust) return;
  const mine = ++generation;
  reset();
  current = null; // nothing to re-check or share as a bundle link
  showVerdict("checking", "checking", "Checking the signature and the blockchain…");
  const { verifySignedInput } = await import("./standard");
  const shown = await verifySignedInput(input, trustedChains(trust, rpcOverrides()));
  if (mine !== generation) return;
  showVerdict(shown.tone, shown.code, shown.headline);
  details.replaceChildren(...shown.nodes);
}

async function checkText(text: string): Promise<void> {
  try {
    const signed = signedInputOf(text);
    if (signed !== null) await checkSigned(signed);
    else await check(readCredentialText(text));
  } catch (error) {
    generation++;
    if (error instanceof InputError) showError(error.message, error.headline);
    else showError(`Something went wrong: ${(error as Error).message}`);
  }
}

/** `#b=…`: a credential carried in the link itself. */
async function checkFragment(data: string): Promise<void> {
  try {
    await checkText(await decodeFragment(data));
  } catch (error) {
    if (error instanceof InputError) showError(error.message, error.headline);
    else showError(`This link is damaged: ${(error as Error).message}`);
  }
}

/** `/v/<id>?hide=…`: the issuer's service holds the bundle; fetch it, then verify it here. */
async function checkSharedId(id: string): Promise<void> {
  showVerdict("checking", "checking", "Fetching the credential…");
  const url = new URL(`v1/credentials/${encodeURIComponent(id)}/bundle${location.search}`, document.baseURI);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" } });
  } catch {
    showError("The issuer's service could not be reached to fetch this credential.");
    return;
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `the service answered ${response.status}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status
    }
    showError(`This share link does not lead to a credential: ${message}.`);
    return;
  }
  await checkText(text);
}

async function checkFile(file: File | undefined): Promise<void> {
  if (!file) return;
  const badge = await pngBadge(file).catch((e: unknown) => (showError((e as Error).message), undefined));
  if (badge === undefined) return;
  if (badge !== null) {
    await checkSigned(badge).catch((e: unknown) => {
      generation++;
      showError(`This badge could not be checked: ${(e as Error).message}`);
    });
    return;
  }
  await credentialFileText(file).then(checkText, (e: unknown) =>
    showError((e as Error).message, (e as InputError).headline),
  );
}

function wireInput(): void {
  const drop = byId("drop-zone-box", HTMLElement);
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    void checkFile(event.dataTransfer?.files[0]);
  });
  const fileInput = byId("file-input", HTMLInputElement);
  fileInput.addEventListener("change", () => {
    void checkFile(fileInput.files?.[0]).finally(() => (fileInput.value = ""));
  });
  byId("paste-form", HTMLElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void checkText(byId("paste-input", HTMLTextAreaElement).value);
  });
  byId("share-button", HTMLElement).addEventListener("click", () => void copyShareLink());
  window.addEventListener("hashchange", () => {
    const data = fragmentData(location.hash);
    if (data !== null) void checkFragment(data);
  });
}

/** A link that carries what is on screen (as shown: hidden fields stay hidden) in its fragment. */
async function copyShareLink(): Promise<void> {
  if (!current) return;
  const json = JSON.stringify(current.kind === "bundle" ? current.bundle : current.presentation);
  const link = `${new URL("./", document.baseURI).href}#b=${await encodeFragment(json)}`;
  shareLink.value = link;
  shareLink.select();
  try {
    await navigator.clipboard.writeText(link);
    byId("share-button", HTMLElement).textContent = "Copied";
  } catch {
    byId("share-button", HTMLElement).textContent = "Copy the link from the box";
  }
}

/** Opened from a link or QR code: the verdict and the credential first, the inputs folded below. */
function foldInputs(): void {
  const inputs = byId("input-box", HTMLDetailsElement);
  inputs.open = false;
  inputs.before(byId("result", HTMLElement));
}

async function start(): Promise<void> {
  try {
    wireInput();
    await load();
  } finally {
    document.body.dataset.ready = "true";
  }
}

async function load(): Promise<void> {
  try {
    trust = await loadTrustConfig();
  } catch (error) {
    showVerdict("error", "error", "This page is not set up: nothing can be checked");
    errorBox.textContent = (error as Error).message;
    errorBox.hidden = false;
    return;
  }
  showSettings(trust, () => {
    if (current) void check(current);
  });
  const data = fragmentData(location.hash);
  const shared = /\/v\/([^/]+)$/.exec(location.pathname);
  if (data !== null || shared) foldInputs();
  if (data !== null) await checkFragment(data);
  else if (shared) await checkSharedId(decodeURIComponent(shared[1]!));
}

void start();
