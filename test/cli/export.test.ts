import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { type Bundle, bundleFor, discloseBundle, newBatchId, parseBundle, prepareBatch, verifyBundle } from "../../src";
import { toVerifiableCredential, UNSIGNED_NOTICE } from "../../src/export";
import { IssuerKey } from "../../src/standard";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { type ServiceFixture, startService } from "../support/service";
import { issueFinalBatch } from "../server/helpers";
import { borrowedStore, recordIssuerKey } from "../support/issuer-key";
import { digitalbazaarVerify, joseVerify } from "../src/standard/third-party";
import { cli, tempFolder, writeFile } from "./harness";

/** An issuer's Ed25519 key (hex seed), as CREDROOT_SIGNING_KEY and ISSUER_SIGNING_KEY take it. */
const SEED = "3c".repeat(32);

/** What `credroot export` says on stderr about an unsigned document. */
const UNSIGNED_NOTE = `credroot: note: ${UNSIGNED_NOTICE}\n`;

/** The name the registry records for the fixture's issuer in these tests: what every export must say. */
const CHAIN_NAME = "Universiteit van Voorbeeld (as the registry records it)";

describe("credroot export and import", () => {
  let fx: RegistryFixture;
  let full: Bundle;
  let shared: Bundle;
  let folder: string;
  let bundleFile: string;
  /** --rpc and --registry of the fixture's chain. */
  let chainFlags: string[];

  beforeAll(async () => {
    fx = await startRegistry();
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId: newBatchId() };
    const batch = prepareBatch([sampleCredential(0), sampleCredential(1)], context);
    const { blockNumber } = await fx.issuer.anchor(context.batchId, batch.root, batch.count);
    full = bundleFor(batch, 0, blockNumber);
    shared = discloseBundle(full, ["learner.email"]);
    await fx.accreditor.updateIssuer(fx.issuerId, CHAIN_NAME, "https://uni.example.org");
    folder = tempFolder();
    bundleFile = writeFile(folder, "shared.json", shared);
    chainFlags = ["--rpc", fx.chain.url, "--registry", fx.registry];
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  describe("credroot export", () => {
    it("prints an UNSIGNED Open Badges 3.0 credential by default, saying so, its issuer named as the registry records it", async () => {
      const { status, stdout, stderr } = await cli(["export", bundleFile, ...chainFlags]);
      expect([status, stderr]).toEqual([0, UNSIGNED_NOTE]);
      const doc = JSON.parse(stdout) as {
        type: string[];
        issuer: Record<string, unknown>;
        evidence: { hiddenFields?: string[] }[];
        credrootUnsigned: string;
      };
      expect(doc.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
      const urn = `urn:credroot:issuer:${fx.chain.chainId}:${fx.registry.toLowerCase()}:${fx.issuerId}`;
      expect(doc.issuer).toEqual({
        id: urn,
        type: ["Profile"],
        name: CHAIN_NAME,
        url: "https://uni.example.org",
        address: { type: ["Address"], addressCountryCode: "NL" },
        otherIdentifier: [{ type: "IdentifierEntry", identifier: urn, identifierType: "ext:credrootRegistryIssuer" }],
      });
      expect(doc.credrootUnsigned).toBe(UNSIGNED_NOTICE);
      expect(doc).not.toHaveProperty("proof");
      expect(doc.evidence.at(-1)?.hiddenFields).toEqual(["/learner/email"]);
      expect(stdout).not.toContain("learner0@example.org");
    });

    it("signs offline with the issuer's key in CREDROOT_SIGNING_KEY: @digitalbazaar/vc and jose verify the result", async () => {
      const did = (await IssuerKey.fromSeed(SEED)).did;
      const env = { CREDROOT_SIGNING_KEY: SEED };
      const ob3 = await cli(["export", bundleFile, ...chainFlags], env);
      expect([ob3.status, ob3.stderr]).toEqual([0, ""]);
      const doc = JSON.parse(ob3.stdout) as { issuer: { id: string } };
      expect(doc.issuer.id).toBe(did);
      expect((await digitalbazaarVerify(doc)).verified).toBe(true);
      const file = join(folder, "badge.jwt");
      const jwt = await cli(["export", bundleFile, ...chainFlags, "--format", "jwt", "-o", file], env);
      expect(jwt).toEqual({ status: 0, stdout: "", stderr: `wrote ${file} (VC-JOSE JWT, signed by ${did})\n` });
      await expect(joseVerify(readFileSync(file, "utf8").trim(), did)).resolves.toBeDefined();
      expect(parseBundle((await cli(["import", file])).stdout)).toEqual(shared);
    });

    it("signs nothing that does not verify, and wants a key for a JWT", async () => {
      const env = { CREDROOT_SIGNING_KEY: SEED };
      const forged = writeFile(folder, "forged.json", {
        ...shared,
        credential: { ...shared.credential, title: "PhD" },
      });
      const refused = await cli(["export", forged, ...chainFlags], env);
      expect([refused.status, refused.stdout]).toEqual([1, ""]);
      expect(refused.stderr).toMatch(
        /^credroot: the bundle is tampered .*: only a credential that verifies is signed\n$/,
      );
      const keyless = await cli(["export", bundleFile, ...chainFlags, "--format", "jwt"]);
      expect(keyless).toMatchObject({ status: 2, stdout: "" });
      expect(keyless.stderr).toMatch(/^credroot: a JWT is always signed: set CREDROOT_SIGNING_KEY/);
      const bad = await cli(["export", bundleFile, ...chainFlags], { CREDROOT_SIGNING_KEY: "secret-ish" });
      expect(bad).toMatchObject({ status: 2, stdout: "" });
      expect(bad.stderr).toBe(
        "credroot: CREDROOT_SIGNING_KEY: an Ed25519 private key is 64 hex digits (0x optional)\n",
      );
    });

    it("reads the RPC endpoint from CREDROOT_RPC_URL when --rpc is not given", async () => {
      const run = await cli(["export", bundleFile, "--registry", fx.registry], { CREDROOT_RPC_URL: fx.chain.url });
      expect(run.status).toBe(0);
      expect((JSON.parse(run.stdout) as { issuer: { name: string } }).issuer.name).toBe(CHAIN_NAME);
    });

    it("writes a plain VC with -o, and import gives the same v2 bundle back, which verifies on chain", async () => {
      const vc = join(folder, "vc.json");
      const exported = await cli(["export", bundleFile, ...chainFlags, "--format", "vc", "-o", vc]);
      expect(exported).toEqual({
        status: 0,
        stdout: "",
        stderr: `wrote ${vc} (Verifiable Credential 2.0, UNSIGNED)\n${UNSIGNED_NOTE}`,
      });
      const back = join(folder, "back.json");
      const imported = await cli(["import", vc, "-o", back]);
      expect(imported).toEqual({ status: 0, stdout: "", stderr: `wrote ${back} (bundle)\n` });
      const bundle = parseBundle(readFileSync(back, "utf8"));
      expect(bundle).toEqual(shared);
      expect(bundle.version).toBe(2);
      expect(parseBundle((await cli(["import", vc])).stdout)).toEqual(shared);
      const result = await verifyBundle(bundle, { chains: fx.trusted });
      expect(result.verdict).toBe("valid");
      expect(result.issuer?.name).toBe(CHAIN_NAME);
    });

    it("exits 2 for an unknown format, a file that is not a bundle, a v1 bundle, or -o naming the input", async () => {
      const format = await cli(["export", bundleFile, ...chainFlags, "--format", "pdf"]);
      expect(format.status).toBe(2);
      expect(format.stderr).toContain("Allowed choices are ob3, vc, jwt");
      const notBundle = await cli(["export", writeFile(folder, "x.json", [1]), ...chainFlags]);
      expect(notBundle.status).toBe(2);
      expect(notBundle.stderr).toMatch(/^credroot: invalid bundle: /);
      const v1 = await cli(["export", join(__dirname, "../fixtures/bundle-v1.json"), ...chainFlags]);
      expect(v1).toMatchObject({ status: 2, stdout: "" });
      expect(v1.stderr).toMatch(/^credroot: this is a version 1 credroot bundle, .*re-issue it\n$/);
      const same = await cli(["export", bundleFile, ...chainFlags, "-o", bundleFile]);
      expect(same).toMatchObject({ status: 2, stderr: "credroot: -o names the input file: write to another file\n" });
    });

    it("needs the registry you trust and a JSON-RPC endpoint: never names an issuer without asking the chain", async () => {
      const noRegistry = await cli(["export", bundleFile, "--rpc", fx.chain.url]);
      expect(noRegistry).toMatchObject({ status: 2, stdout: "" });
      expect(noRegistry.stderr).toMatch(/^credroot: no registry: pass --registry <address>/);
      const noRpc = await cli(["export", bundleFile, "--registry", fx.registry]);
      expect(noRpc).toMatchObject({
        status: 2,
        stdout: "",
        stderr: "credroot: no JSON-RPC endpoint: pass --rpc URL or set CREDROOT_RPC_URL\n",
      });
      const dead = await cli([
        "export",
        bundleFile,
        "--rpc",
        `http://127.0.0.1:${await closedPort()}`,
        "--registry",
        fx.registry,
      ]);
      expect([dead.status, dead.stdout]).toEqual([2, ""]);
      expect(dead.stderr).toMatch(/^credroot: chain call failed: connect ECONNREFUSED/);
    });

    it("refuses a bundle of another registry than the trusted one, or of another chain than the endpoint's (exit 1)", async () => {
      const lookAlike = "0x000000000000000000000000000000000000dEaD";
      const other = await cli(["export", bundleFile, "--rpc", fx.chain.url, "--registry", lookAlike]);
      expect(other).toEqual({
        status: 1,
        stdout: "",
        stderr: `credroot: the bundle names registry ${fx.registry.toLowerCase()}, not ${lookAlike.toLowerCase()} (--registry): its issuer is not one you trust\n`,
      });
      const elsewhere = writeFile(folder, "chain1.json", { ...shared, anchor: { ...shared.anchor, chainId: 1 } });
      const wrongChain = await cli(["export", elsewhere, ...chainFlags]);
      expect(wrongChain).toEqual({
        status: 1,
        stdout: "",
        stderr: `credroot: the JSON-RPC endpoint serves chain ${fx.chain.chainId}, but the bundle is anchored on chain 1\n`,
      });
    });

    it("refuses a bundle under an issuer the registry does not know (exit 1)", async () => {
      const unknown = writeFile(folder, "issuer9.json", { ...shared, anchor: { ...shared.anchor, issuerId: 9 } });
      const run = await cli(["export", unknown, ...chainFlags]);
      expect([run.status, run.stdout]).toEqual([1, ""]);
      expect(run.stderr).toBe("credroot: registry reverted: UnknownIssuer(9)\n");
    });
  });

  describe("credroot import", () => {
    async function exportedDoc(bundle: Bundle): Promise<Record<string, unknown>> {
      const run = await cli(["export", writeFile(folder, "b.json", bundle), ...chainFlags]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    }

    it("refuses a credential whose visible title was edited, in one line, exit 2", async () => {
      const doc = await exportedDoc(full);
      doc.name = "Doctorate in Everything";
      const { status, stdout, stderr } = await cli(["import", writeFile(folder, "edited.json", doc)]);
      expect([status, stdout]).toEqual([2, ""]);
      expect(stderr).toBe("credroot: the credential's /name disagrees with its embedded bundle\n");
    });

    it("refuses a credential with a claim the bundle does not make (a grade put back by hand)", async () => {
      const doc = (await exportedDoc(discloseBundle(full, ["assessment.grade"]))) as {
        credentialSubject: Record<string, unknown>;
      };
      doc.credentialSubject.result = [{ type: ["Result"], value: "A+" }];
      const run = await cli(["import", writeFile(folder, "grade.json", doc)]);
      expect(run).toEqual({
        status: 2,
        stdout: "",
        stderr: "credroot: the credential's /credentialSubject/result disagrees with its embedded bundle\n",
      });
    });

    it("refuses a credential file that repeats a key, though JSON.parse would read the genuine claim", async () => {
      const text = JSON.stringify(await exportedDoc(full));
      const forged = text.replace('"name":', '"name":"Doctorate in Everything","name":');
      const run = await cli(["import", writeFile(folder, "twice.json", forged)]);
      expect(run).toEqual({ status: 2, stdout: "", stderr: 'credroot: the credential repeats the key "name"\n' });
    });

    it("refuses a credential without a credroot proof, and a missing file", async () => {
      const none = await cli(["import", writeFile(folder, "none.json", { type: ["VerifiableCredential"] })]);
      expect(none).toMatchObject({
        status: 2,
        stderr: "credroot: the credential carries no CredrootBundle evidence\n",
      });
      const missing = await cli(["import", join(folder, "nope.json")]);
      expect(missing).toMatchObject({
        status: 2,
        stderr: `credroot: cannot read ${join(folder, "nope.json")}: no such file\n`,
      });
    });
  });
});

describe("credroot export --api", () => {
  let fx: ServiceFixture;
  let keyless: ServiceFixture;
  let url: string;
  let keylessUrl: string;
  let id: string;
  let did: string;
  let folder: string;

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: SEED, RATE_LIMIT_PER_MINUTE: "1000000" } });
    // The same credentials, signed with a key the registry does not record (its secret is in the database).
    keyless = await startService({ registry: fx, worker: false, store: borrowedStore(fx.store) });
    url = await fx.app.listen({ host: "127.0.0.1", port: 0 });
    keylessUrl = await keyless.app.listen({ host: "127.0.0.1", port: 0 });
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0)]);
    id = accepted.credentials[0]!.id;
    did = await recordIssuerKey(fx);
    folder = tempFolder();
  });
  afterAll(async () => {
    await keyless.close();
    await fx.close();
  });

  it("writes the service's signed Open Badge, checked, with the hidden fields left out", async () => {
    const run = await cli(["export", "--api", url, id, "--hide", "learner.email"]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).not.toContain("learner0@example.org");
    const doc = JSON.parse(run.stdout) as { issuer: { id: string }; type: string[] };
    expect(doc.issuer.id).toBe(did);
    expect((await digitalbazaarVerify(doc)).verified).toBe(true);
    const bundle = parseBundle((await cli(["import", writeFile(folder, "badge.json", doc)])).stdout);
    expect(Object.keys(bundle.hidden ?? {})).toEqual(["/learner/email"]);
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
  });

  it("writes a VC 2.0 document or a JWT with -o, naming the signer", async () => {
    const vc = join(folder, "vc.json");
    expect(await cli(["export", "--api", url, id, "--format", "vc", "-o", vc])).toEqual({
      status: 0,
      stdout: "",
      stderr: `wrote ${vc} (Verifiable Credential 2.0, signed by ${did})\n`,
    });
    expect((await digitalbazaarVerify(JSON.parse(readFileSync(vc, "utf8")) as object)).verified).toBe(true);
    const jwt = join(folder, "badge.jwt");
    expect((await cli(["export", "--api", url, id, "--format", "jwt", "-o", jwt])).status).toBe(0);
    await expect(joseVerify(readFileSync(jwt, "utf8").trim(), did)).resolves.toBeDefined();
  });

  it("says what the service answered: key not registered (exit 1), an unknown id (exit 1), no service (exit 2)", async () => {
    const noKey = await cli(["export", "--api", keylessUrl, id]);
    expect(noKey).toMatchObject({ status: 1, stdout: "" });
    expect(noKey.stderr).toMatch(
      /^credroot: the service answered 409 key-not-registered: did:key:z6Mk\w+ is not a key the registry records for issuer 1.*credroot accreditor add-key --issuer 1 --did did:key:z6Mk/,
    );
    const unknown = await cli(["export", "--api", url, "AAAAAAAAAAAAAAAAAAAAAA"]);
    expect(unknown).toMatchObject({ status: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/^credroot: the service answered 404 not-found/);
    const dead = await cli(["export", "--api", `http://127.0.0.1:${await closedPort()}`, id]);
    expect(dead).toMatchObject({ status: 2, stdout: "" });
    expect(dead.stderr).toMatch(/^credroot: cannot reach the service at/);
    const mixed = await cli(["export", "--api", url, id, "--registry", fx.registry]);
    expect(mixed).toMatchObject({ status: 2, stdout: "" });
  });

  it("refuses, writing nothing, a service answer that does not verify", async () => {
    const bundle = (await fx.app.inject({ url: `/v1/credentials/${id}/bundle` })).json<Bundle>();
    const issuer = { id: fx.issuerId, name: "Test University", uri: "https://uni.test" };
    const unsigned = toVerifiableCredential(bundle, issuer, { issuerDid: did });
    const liar = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/vc" }).end(JSON.stringify(unsigned));
    });
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    try {
      const out = join(folder, "liar.json");
      const run = await cli([
        "export",
        "--api",
        `http://127.0.0.1:${(liar.address() as AddressInfo).port}`,
        id,
        "-o",
        out,
      ]);
      expect([run.status, run.stdout]).toEqual([1, ""]);
      expect(run.stderr).toMatch(/^credroot: the service's credential does not verify: /);
      expect(() => readFileSync(out)).toThrow();
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });
});
