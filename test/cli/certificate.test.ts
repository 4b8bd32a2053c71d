import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFArray, PDFDict, PDFDocument, PDFName } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, discloseBundle } from "../../src";
import { bundleFromPdf } from "../../src/certificate";
import { sampleCredential } from "../../scripts/lib/samples";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { bundleOfLink, pdfText, scanQr } from "../src/certificate/pdf-reader";
import { anchorBatch, cli, digestOf, tempFolder, writeFile } from "./harness";

const VERIFIER = "https://credentials.example.edu/";
const ON_CHAIN_NAME = "Universiteit van Voorbeeld";
const LEARNER = "Zoë Ørsted";

/** The certificate at `path` with its attachment swapped for `bundle`, what the page prints left as it was. */
async function withAttachment(path: string, bundle: Bundle): Promise<Uint8Array> {
  const doc = await PDFDocument.load(readFileSync(path));
  const names = doc.catalog
    .lookup(PDFName.of("Names"), PDFDict)
    .lookup(PDFName.of("EmbeddedFiles"), PDFDict)
    .lookup(PDFName.of("Names"), PDFArray);
  const files = names.lookup(1, PDFDict).lookup(PDFName.of("EF"), PDFDict);
  files.set(
    PDFName.of("F"),
    doc.context.register(doc.context.flateStream(new TextEncoder().encode(JSON.stringify(bundle)))),
  );
  return doc.save();
}

describe("credroot certificate", () => {
  let fx: RegistryFixture;
  let folder: string;
  let full: string;
  let disclosed: string;
  let revoked: string;
  let tampered: string;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];
  const make = (file: string, out: string, ...extra: string[]) =>
    cli(["certificate", file, "-o", out, "--verifier", VERIFIER, ...trust(), ...extra]);

  beforeAll(async () => {
    fx = await startRegistry();
    const { bundles } = await anchorBatch(fx, [
      sampleCredential(0, { learner: { name: LEARNER, identifier: "S1", email: "zoe@example.org" } }),
      sampleCredential(1),
    ]);
    // The file never names the awarding body; the registry's name is the one printed.
    await fx.accreditor.updateIssuer(fx.issuerId, ON_CHAIN_NAME, "https://uni.example.org");
    folder = tempFolder();
    full = writeFile(folder, "full.json", bundles[0]);
    disclosed = writeFile(folder, "disclosed.json", discloseBundle(bundles[0]!, ["learner.email"]));
    revoked = writeFile(folder, "revoked.json", bundles[1]);
    await fx.issuer.revokeCredential(digestOf(bundles[1]!), "issued in error");
    const forged = structuredClone(bundles[0]!);
    forged.credential.title = "Doctorate in Everything";
    tampered = writeFile(folder, "tampered.json", forged);
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  it("writes a PDF naming the awarding body the registry records, with the bundle attached and a QR code carrying it", async () => {
    const out = join(folder, "full.pdf");
    const { status, stderr, stdout } = await make(full, out);
    expect(stderr).toBe(`wrote ${out}: awarded by ${ON_CHAIN_NAME}; its QR code carries the bundle\n`);
    expect(stdout).toBe("");
    expect(status).toBe(0);
    const pdf = readFileSync(out);
    const text = await pdfText(pdf);
    expect(text).toContain(LEARNER);
    expect(text).toContain(ON_CHAIN_NAME);
    expect(text).not.toContain("Test University");
    const bundle = JSON.parse(readFileSync(full, "utf8")) as Bundle;
    expect(await bundleFromPdf(pdf)).toEqual(bundle);
    expect(bundleOfLink((await scanQr(pdf))!)).toEqual(bundle);
  });

  it("makes a certificate of a disclosed copy that leaves the hidden field out and says so", async () => {
    const out = join(folder, "disclosed.pdf");
    const { status, stderr } = await make(disclosed, out);
    expect(stderr).toContain("; 1 hidden field left out\n");
    expect(status).toBe(0);
    const pdf = readFileSync(out);
    expect(await pdfText(pdf)).not.toContain("zoe@example.org");
    expect(pdf.toString("latin1")).not.toContain("zoe@example.org");
    expect((await bundleFromPdf(pdf)).hidden).toHaveProperty(["/learner/email"]);
  });

  it("makes no certificate of a revoked or a tampered bundle, and exits 1", async () => {
    for (const [file, verdict] of [
      [revoked, "revoked"],
      [tampered, "tampered"],
    ] as const) {
      const out = join(folder, `${verdict}.pdf`);
      const { status, stderr } = await make(file, out);
      expect(stderr).toMatch(
        new RegExp(`^credroot: the bundle is not valid \\(${verdict}\\): .+; no certificate was made\\n$`),
      );
      expect(status).toBe(1);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("exits 2 when the chain cannot be asked, without printing the RPC URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = join(folder, "unreachable.pdf");
    const { status, stderr } = await cli([
      ...["certificate", full, "-o", out, "--verifier", VERIFIER],
      ...["--rpc", url, "--registry", fx.registry, "--timeout", "3"],
    ]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: .+\n$/);
    expect(stderr).not.toContain(url);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 on usage mistakes: no --registry, no --verifier, a verifier that is not http(s), -o on the bundle", async () => {
    const out = join(folder, "usage.pdf");
    const noRegistry = await cli(["certificate", full, "-o", out, "--verifier", VERIFIER, "--rpc", fx.chain.url]);
    expect(noRegistry).toMatchObject({
      status: 2,
      stderr: "credroot: no trusted registry: pass --registry 0x… (the registry contract)\n",
    });
    const noVerifier = await cli(["certificate", full, "-o", out, ...trust()]);
    expect(noVerifier.status).toBe(2);
    expect(noVerifier.stderr).toMatch(/--verifier/);
    const badVerifier = await cli(["certificate", full, "-o", out, "--verifier", "file:///etc/passwd", ...trust()]);
    expect(badVerifier.status).toBe(2);
    expect(badVerifier.stderr).toMatch(/expected an http\(s\) URL/);
    const sameFile = await make(full, full);
    expect(sameFile).toMatchObject({
      status: 2,
      stderr: "credroot: -o names the bundle: write the PDF to another file\n",
    });
    expect(existsSync(out)).toBe(false);
  });
});

describe("credroot verify with a certificate PDF", () => {
  let fx: RegistryFixture;
  let folder: string;
  let certificate: string;
  let bundle: Bundle;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    const { bundles } = await anchorBatch(fx, [
      sampleCredential(0, { learner: { name: LEARNER } }),
      sampleCredential(1),
    ]);
    bundle = bundles[0]!;
    folder = tempFolder();
    certificate = join(folder, "certificate.pdf");
    const made = await cli([
      ...["certificate", writeFile(folder, "bundle.json", bundle), "-o", certificate],
      ...["--verifier", VERIFIER, ...trust()],
    ]);
    expect(made.status, made.stderr).toBe(0);
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  it("verifies the bundle attached to a PDF: VALID, exit 0", async () => {
    const { status, stdout, stderr } = await cli(["verify", certificate, ...trust()]);
    expect(stderr).toBe("");
    expect(stdout).toContain(`${certificate}: VALID\n`);
    expect(stdout).toContain(LEARNER);
    expect(status).toBe(0);
  });

  it("says NOT VALID (tampered) for a PDF whose attachment was swapped, and exits 1", async () => {
    const forged = structuredClone(bundle);
    forged.credential.title = "Doctorate in Everything";
    const file = join(folder, "forged.pdf");
    writeFileSync(file, await withAttachment(certificate, forged));
    const { status, stdout } = await cli(["verify", file, ...trust()]);
    expect(stdout).toContain(`${file}: NOT VALID (tampered)\n`);
    expect(stdout).not.toContain("Doctorate in Everything");
    expect(status).toBe(1);
  });

  it("exits 2 with a sentence for a damaged PDF, a PDF without the bundle, and bytes that are no PDF, checking the rest", async () => {
    const damaged = writeFile(folder, "damaged.pdf", "%PDF-1.7\n%garbage\n");
    const plain = join(folder, "plain.pdf");
    const doc = await PDFDocument.create();
    doc.addPage();
    writeFileSync(plain, await doc.save());
    const noise = join(folder, "noise.bin");
    writeFileSync(noise, Buffer.from([0x00, 0xff, 0x25, 0x50, 0x44, 0x46]));
    const { status, stdout } = await cli(["verify", damaged, plain, noise, certificate, ...trust()]);
    expect(stdout).toMatch(
      new RegExp(`^${damaged}: COULD NOT CHECK \\(not a credroot certificate: this PDF .+\\)$`, "m"),
    );
    expect(stdout).toContain(
      `${plain}: COULD NOT CHECK (not a credroot certificate: this PDF has no credroot-bundle.json attached: it is not a credroot certificate)`,
    );
    expect(stdout).toMatch(
      new RegExp(`^${noise}: COULD NOT CHECK \\(this is not a credential credroot can check: .+\\)$`, "m"),
    );
    expect(stdout).toContain(`${certificate}: VALID\n`);
    expect(status).toBe(2);
  });
});
