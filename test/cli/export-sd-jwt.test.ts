import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { type Bundle, verifyBundle } from "../../src";
import { IssuerKey, sdJwtToBundle } from "../../src/standard";
import { recordIssuerKey } from "../support/issuer-key";
import { type ServiceFixture, startService } from "../support/service";
import { issueFinalBatch } from "../server/helpers";
import { sdJwtVcVerify } from "../src/standard/sd-jwt-third-party";
import { cli, tempFolder, writeFile } from "./harness";

const SEED = "3d".repeat(32);

describe("credroot export --format sd-jwt", () => {
  let fx: ServiceFixture;
  let url: string;
  let id: string;
  let did: string; // the service's key for the issuer, recorded on chain
  let offlineDid: string; // CREDROOT_SIGNING_KEY's, used as is
  let folder: string;

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: SEED, RATE_LIMIT_PER_MINUTE: "1000000" } });
    url = await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0)]);
    id = accepted.credentials[0]!.id;
    did = await recordIssuerKey(fx);
    offlineDid = (await IssuerKey.fromSeed(SEED)).did;
    folder = tempFolder();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("writes the service's SD-JWT VC with --api, checked, the hidden fields left out", async () => {
    const file = join(folder, "badge.sd-jwt");
    const run = await cli(["export", "--api", url, id, "--format", "sd-jwt", "--hide", "learner.email", "-o", file]);
    expect(run).toEqual({ status: 0, stdout: "", stderr: `wrote ${file} (SD-JWT VC, signed by ${did})\n` });
    const sdJwt = readFileSync(file, "utf8").trim();
    const fetchList = async (uri: string) => (await fx.app.inject({ url: new URL(uri).pathname })).body;
    const { payload } = await sdJwtVcVerify(sdJwt, did, undefined, fetchList); // its status too
    expect(payload.learner).not.toHaveProperty("email");
    const bundle = await sdJwtToBundle(sdJwt);
    expect(Object.keys(bundle.hidden ?? {})).toEqual(["/learner/email"]);
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
  });

  it("signs a bundle file offline with CREDROOT_SIGNING_KEY, and wants the key", async () => {
    const bundle = (await fx.app.inject({ url: `/v1/credentials/${id}/bundle?hide=learner.email` })).json<Bundle>();
    const bundleFile = writeFile(folder, "shared.json", bundle);
    const chainFlags = ["--rpc", fx.chain.url, "--registry", fx.registry];
    const run = await cli(["export", bundleFile, ...chainFlags, "--format", "sd-jwt"], { CREDROOT_SIGNING_KEY: SEED });
    expect([run.status, run.stderr]).toEqual([0, ""]);
    const { payload } = await sdJwtVcVerify(run.stdout.trim(), offlineDid);
    expect(payload).toMatchObject({ iss: offlineDid, title: sampleCredential(0).title });
    expect(await sdJwtToBundle(run.stdout.trim())).toEqual(bundle);
    const keyless = await cli(["export", bundleFile, ...chainFlags, "--format", "sd-jwt"]);
    expect(keyless).toMatchObject({ status: 2, stdout: "" });
    expect(keyless.stderr).toMatch(/^credroot: an SD-JWT VC is always signed: set CREDROOT_SIGNING_KEY/);
  });
});
