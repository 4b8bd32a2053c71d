import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { type Bundle, parseBundle, type VerificationResult, verifyBundle } from "../src";
import { connect, rpcUrl } from "./chain";
import { CliError, type CliIo, type CommandContext, EXIT, readText, usageError, writeText } from "./io";
import { address, chainIdOption, httpUrl, rpcOption, seconds } from "./options";
import { printable } from "./printable";

export interface CertificateFlags {
  output: string;
  verifier: string;
  shareUrl?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  timeout: number;
}

/**
 * The bundle's verdict from the chain the endpoint serves, trusting `--registry` only: the awarding body the
 * certificate names is the one that registry records, and only a valid credential gets a certificate.
 */
async function verified(io: CliIo, bundle: Bundle, flags: CertificateFlags): Promise<VerificationResult> {
  if (flags.registry === undefined)
    throw usageError("no trusted registry: pass --registry 0x… (the registry contract)");
  const { provider, chainId } = await connect(rpcUrl(io, flags.rpc), flags.chainId, flags.timeout);
  try {
    const chains = [{ chainId, registries: [flags.registry.toLowerCase()], provider }];
    return await verifyBundle(bundle, { chains, timeoutMs: flags.timeout });
  } finally {
    provider.destroy();
  }
}

/** The issuer's name when the bundle is valid; else why no certificate is made, as a CliError. */
function awardingBody(result: VerificationResult): string {
  if (result.verdict === "valid" && result.issuer !== null) return result.issuer.name;
  const failed = result.checks.find((c) => c.ok !== true);
  const why = failed ? `: ${failed.message}` : "";
  if (result.verdict === "chain-unavailable") {
    throw new CliError(
      `the bundle could not be checked against the chain${why}; no certificate was made`,
      EXIT.couldNot,
    );
  }
  throw new CliError(`the bundle is not valid (${result.verdict})${why}; no certificate was made`, EXIT.refused);
}

export function addCertificateCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("certificate")
    .summary("make a printable PDF certificate of a bundle (learners)")
    .description(
      "Make a PDF certificate of a proof bundle: the credential in words, the awarding body as the registry records " +
        "it, a QR code that verifies it (the whole bundle in a link to the verifier page when it fits, else --share-url) " +
        "and the bundle itself attached to the PDF (credroot-bundle.json), so that `credroot verify cert.pdf` and the " +
        "web page check it. The bundle is verified first: a credential that is not valid gets no certificate. Made " +
        "from a disclosed copy (`credroot disclose`), the PDF holds nothing of the hidden fields.",
    )
    .argument("<bundle>", "the bundle file (JSON), full or a disclosed copy")
    .requiredOption("-o, --output <file>", "write the PDF here")
    .addOption(
      new Option("--verifier <url>", "the web verifier page the QR code opens, e.g. https://credentials.example.edu/")
        .argParser(httpUrl)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--share-url <url>",
        "for a bundle too large for a QR code: its share link, which the QR code then holds",
      ).argParser(httpUrl),
    )
    .addOption(rpcOption())
    .addOption(chainIdOption())
    .addOption(new Option("--registry <address>", "the registry contract you trust").argParser(address))
    .addOption(
      new Option("--timeout <seconds>", "give up on the chain after this long")
        .argParser(seconds)
        .default(10_000, "10"),
    )
    .addHelpText(
      "after",
      "\nExample:\n  credroot disclose bundle.json --hide learner.email -o shared.json\n" +
        "  credroot certificate shared.json -o certificate.pdf --verifier https://credentials.example.edu/ \\\n" +
        "    --rpc https://rpc.example.org --registry 0x…\n" +
        "\nExit status: 0 written; 1 the bundle is not valid; 2 it could not be checked or written.\n",
    )
    .action(async (file: string, flags: CertificateFlags) => {
      if (resolve(flags.output) === resolve(file))
        throw usageError("-o names the bundle: write the PDF to another file");
      const bundle = parseBundle(readText(file));
      const issuerName = awardingBody(await verified(io, bundle, flags));
      // Loaded here, not at start: pdf-lib and its font engine take a second to load, and only this command needs them.
      const { certificate } = await import("../src/certificate");
      const { certificateFonts } = await import("../src/node/certificate-fonts");
      const links = {
        verifierUrl: flags.verifier,
        ...(flags.shareUrl === undefined ? {} : { shareUrl: flags.shareUrl }),
      };
      const made = await certificate(bundle, issuerName, { ...links, fonts: certificateFonts() });
      writeText(flags.output, made.pdf);
      const qr = made.qr.carries === "bundle" ? "its QR code carries the bundle" : "its QR code holds the share link";
      const hidden = Object.keys(bundle.hidden ?? {}).length;
      const note = hidden === 0 ? "" : `; ${hidden} hidden field${hidden === 1 ? "" : "s"} left out`;
      io.stderr.write(`${printable(`wrote ${flags.output}: awarded by ${issuerName}; ${qr}${note}`)}\n`);
      exit(EXIT.ok);
    });
}
