/**
 * `npm run build:web`: bundles the web verifier page into web/dist (what the service serves).
 * With --rpc, --chain-id and --registry it also writes config.json beside it: a self-contained
 * static folder anyone can host, e.g. an employer's own copy, so that not even the page comes
 * from the issuer.
 */
import { Command, InvalidArgumentError } from "commander";
import { isAddress } from "ethers";
import { buildWeb, WEB_DIST } from "../server/web/build";

function chainId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new InvalidArgumentError("must be a positive whole number");
  return Number(value);
}

function registry(value: string, previous: string[] = []): string[] {
  if (!isAddress(value)) throw new InvalidArgumentError("must be a 0x… contract address");
  return [...previous, value];
}

function rpc(value: string): string {
  if (!/^https?:\/\/\S+$/.test(value)) throw new InvalidArgumentError("must be an http(s) URL");
  return value;
}

const program = new Command("build:web")
  .description(
    "bundle the web verifier page; with --rpc, --chain-id and --registry, a static copy with its config.json",
  )
  .option("--rpc <url>", "JSON-RPC URL the page asks (public: it ends up in config.json)", rpc)
  .option("--chain-id <n>", "chain id of the registry", chainId)
  .option("--registry <0x…>", "trusted registry address (repeatable)", registry)
  .option("--out <dir>", "folder to write", WEB_DIST)
  .action(async (options: { rpc?: string; chainId?: number; registry?: string[]; out: string }) => {
    const given = [options.rpc, options.chainId, options.registry].filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3) program.error("build:web: --rpc, --chain-id and --registry go together");
    const trust =
      options.rpc && options.chainId && options.registry
        ? { chains: [{ chainId: options.chainId, registries: options.registry, rpcUrl: options.rpc }] }
        : undefined;
    const out = await buildWeb({ outDir: options.out, ...(trust ? { trust } : {}) });
    console.log(`web verifier page written to ${out}${trust ? " (with config.json)" : ""}`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`build:web: ${(error as Error).message}`);
  process.exitCode = 1;
});
