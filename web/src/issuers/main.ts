/*
 * The issuers page (`/issuers`): every issuer of every registry this copy of the page trusts, with
 * its status, signers, keys and history, read in the browser from the chain alone.
 */
import { decodeRegistryError } from "../../../src";
import { byId } from "../dom";
import { rpcOverrides, showSettings } from "../settings";
import { chainProviderFor, loadTrustConfig } from "../trust";
import { readIssuers } from "./read";
import { registryError, registrySection } from "./render";

const list = byId("issuers", HTMLElement);
const status = byId("issuers-status", HTMLElement);

async function show(config: Awaited<ReturnType<typeof loadTrustConfig>>): Promise<void> {
  status.textContent = "Reading the registry from the chain…";
  const sections: HTMLElement[] = [];
  let read = 0;
  for (const { chainId, registries } of config.chains) {
    const provider = chainProviderFor(config, rpcOverrides(), chainId);
    for (const registry of registries) {
      if (provider === null) {
        sections.push(registryError(chainId, registry, `no blockchain node is set for chain ${chainId}`));
        continue;
      }
      try {
        const [issuers, latest] = await Promise.all([readIssuers(provider, registry), provider.getBlock("latest")]);
        const now = latest?.timestamp ?? Math.floor(Date.now() / 1000);
        sections.push(registrySection(chainId, registry, issuers, now));
        read += issuers.length;
      } catch (error) {
        sections.push(registryError(chainId, registry, decodeRegistryError(error).message));
      }
    }
  }
  list.replaceChildren(...sections);
  status.textContent = `${read} issuer${read === 1 ? "" : "s"} listed.`;
}

async function start(): Promise<void> {
  try {
    let config;
    try {
      config = await loadTrustConfig();
    } catch (error) {
      status.textContent = (error as Error).message;
      status.setAttribute("role", "alert");
      return;
    }
    showSettings(config, () => void show(config));
    await show(config);
  } finally {
    document.body.dataset.ready = "true";
  }
}

void start();
