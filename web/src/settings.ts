/*
 * The settings panel of the web verifier page: which node (JSON-RPC URL) the page asks for each
 * trusted chain. The person's own choices are kept in this browser (localStorage).
 */
import type { TrustConfig } from "../../src";
import { byId, el } from "./dom";
import { isRpcUrl, probeNode, readOverrides, rpcUrlFor, type RpcOverrides, saveOverrides } from "./trust";

let overrides: RpcOverrides = readOverrides();

/** The nodes the person chose, by chain id (what the checks ask instead of the page's defaults). */
export function rpcOverrides(): RpcOverrides {
  return overrides;
}

function renderSettings(config: TrustConfig): void {
  const rows = config.chains.map(({ chainId, rpcUrl }) => {
    const id = `settings-rpc-${chainId}`;
    return el(
      "div",
      {},
      el("label", { for: id }, `Blockchain node (JSON-RPC URL) for chain ${chainId}`),
      el("input", {
        id,
        "data-testid": id,
        "data-chain": String(chainId),
        type: "url",
        placeholder: rpcUrl ?? "https://… (your own node: this page has none set)",
        value: overrides[String(chainId)] ?? "",
      }),
    );
  });
  byId("settings-chains", HTMLElement).replaceChildren(...rows);
  const summary = config.chains.map((c) => {
    const url = rpcUrlFor(config, overrides, c.chainId);
    const registries = c.registries.join(", ");
    return `Trusts registry ${registries} on chain ${c.chainId}, asking ${url ?? "no node yet: enter one above"}.`;
  });
  byId("trust-summary", HTMLElement).textContent = summary.join(" ");
  if (config.chains.some((c) => rpcUrlFor(config, overrides, c.chainId) === null)) {
    byId("settings", HTMLDetailsElement).open = true;
  }
}

/**
 * Saves the person's nodes, but only ones this page may really ask: a node its own security
 * policy (connect-src) blocks is refused, saying which nodes it may ask, never "saved".
 */
async function saveSettings(config: TrustConfig, status: HTMLElement, onChange: () => void): Promise<void> {
  const next: RpcOverrides = {};
  const unanswered: string[] = [];
  status.classList.remove("refused");
  for (const input of byId("settings-chains", HTMLElement).querySelectorAll<HTMLInputElement>("input[data-chain]")) {
    const value = input.value.trim();
    if (value === "") continue;
    if (!isRpcUrl(value)) {
      status.textContent = `"${value}" is not an http(s) URL.`;
      return;
    }
    if (value !== overrides[input.dataset.chain!]) {
      status.textContent = `Trying ${value}…`;
      const probe = await probeNode(value);
      if (probe.kind === "blocked") {
        const allowed = probe.allowed
          .split(/\s+/)
          .map((source) => (source === "'self'" ? "this site" : source))
          .join(", ");
        status.classList.add("refused");
        status.textContent =
          `Not saved: this page's security policy only lets it talk to ${allowed}, so it cannot ask ` +
          `${new URL(value).origin}. Checks still ask the node they asked before. To use your own node, ` +
          `open a copy of this page that allows it (npm run build:web), or ask this site's operator.`;
        return;
      }
      if (probe.kind === "chain" && probe.chainId !== Number(input.dataset.chain)) {
        status.classList.add("refused");
        status.textContent = `Not saved: ${value} serves chain ${probe.chainId}, not chain ${input.dataset.chain}.`;
        return;
      }
      if (probe.kind === "unreachable") unanswered.push(value);
    }
    next[input.dataset.chain!] = value;
  }
  overrides = next;
  saveOverrides(overrides);
  renderSettings(config);
  status.textContent =
    unanswered.length === 0
      ? "Saved in this browser. Checks now ask this node."
      : `Saved in this browser, but ${unanswered.join(", ")} did not answer: checks will say the chain did not answer.`;
  onChange();
}

/**
 * Shows the settings panel for `config`'s chains and wires its buttons; `onChange` runs after the
 * person saved or reset their nodes, to check again what is on screen.
 */
export function showSettings(config: TrustConfig, onChange: () => void): void {
  renderSettings(config);
  const status = byId("settings-status", HTMLElement);
  byId("settings-form", HTMLElement).addEventListener("submit", (event) => {
    event.preventDefault();
    void saveSettings(config, status, onChange);
  });
  byId("settings-reset", HTMLElement).addEventListener("click", () => {
    overrides = {};
    saveOverrides(overrides);
    renderSettings(config);
    status.textContent = "Back to this page's default node.";
    onChange();
  });
}
