import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { fromVerifiableCredential } from "../../../src/export";
import { extractBakedCredential, OB3_SVG_NAMESPACE } from "../../../src/standard/baked";
import { type ServiceFixture, startService } from "../../support/service";
import { digitalbazaarVerify, joseVerify } from "../../src/standard/third-party";
import { type AcceptedBatch, expectError, issueFinalBatch, verdictOf } from "../helpers";
import { achievementSlug } from "../../../server/routes/badges";
import { borrowedStore } from "../../support/issuer-key";
import { BADGE_SEED, recordedKey } from "./badges-fixture";

describe("GET /v1/credentials/:id/badge.png|svg", () => {
  let fx: ServiceFixture;
  let keyless: ServiceFixture;
  let withImages: ServiceFixture | undefined;
  let accepted: AcceptedBatch;
  let did: string;
  const imageDir = mkdtempSync(join(tmpdir(), "credroot-badges-"));

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: BADGE_SEED } });
    did = (await recordedKey(fx)).did;
    // Same chain, another master secret (so another key for the issuer, never recorded), same credentials.
    keyless = await startService({
      registry: fx,
      worker: false,
      store: borrowedStore(fx.store),
      env: { ISSUER_SIGNING_KEY: "6c".repeat(32) },
    });
    ({ accepted } = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]));
  });
  afterAll(async () => {
    await withImages?.close();
    await keyless.close();
    await fx.close();
    rmSync(imageDir, { recursive: true, force: true });
  });

  const id = (index = 0) => accepted.credentials[index]!.id;
  const get = (path: string, service = fx) => service.app.inject({ url: `/v1/credentials/${id()}/${path}` });

  it("bakes the signed OB3 JSON into a PNG that pngjs decodes and @digitalbazaar/vc verifies", async () => {
    const res = await get("badge.png");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(PNG.sync.read(res.rawPayload).width).toBe(128);
    const { format, text } = extractBakedCredential(new Uint8Array(res.rawPayload));
    expect(format).toBe("json");
    const credential = JSON.parse(text) as { type: string[]; issuer: { id: string } };
    expect(credential.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
    expect(credential.issuer.id).toBe(did);
    const result = await digitalbazaarVerify(credential);
    expect(result.verified, result.error?.message).toBe(true);
    expect(await verdictOf(fx, fromVerifiableCredential(credential))).toBe("valid");
  });

  it("bakes the JWT into an SVG's verify attribute with format=jwt, which jose verifies", async () => {
    const res = await get("badge.svg?format=jwt");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    expect(res.body).toContain(`xmlns:openbadges="${OB3_SVG_NAMESPACE}"`);
    const baked = extractBakedCredential(new Uint8Array(res.rawPayload));
    expect(baked.format).toBe("jwt");
    expect((await joseVerify(baked.text, did)).payload).toMatchObject({ iss: did });
  });

  it("bakes the JSON in CDATA into the generated SVG, which names the achievement and the issuer", async () => {
    const res = await get("badge.svg");
    expect(res.body).toContain("<openbadges:credential><![CDATA[{");
    expect(res.body).toContain(`<title>${sampleCredential(0).title} — Test University</title>`);
    expect(res.body).toContain(">Test University</text>");
  });

  it("leaves out hidden fields, as the credential route does", async () => {
    const res = await get("badge.png?hide=learner.email");
    const { text } = extractBakedCredential(new Uint8Array(res.rawPayload));
    expect(text).not.toContain(sampleCredential(0).learner.email!);
    expect(fromVerifiableCredential(JSON.parse(text)).hidden).toHaveProperty(["/learner/email"]);
  });

  it("uses the operator's image per achievement, else per issuer, and never fetches one", async () => {
    const title = sampleCredential(0).title;
    const own = new PNG({ width: 7, height: 5 });
    mkdirSync(join(imageDir, String(fx.issuerId)), { recursive: true });
    writeFileSync(join(imageDir, String(fx.issuerId), `${achievementSlug(title)}.png`), PNG.sync.write(own));
    writeFileSync(
      join(imageDir, `${fx.issuerId}.svg`),
      `<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>`,
    );
    withImages = await startService({ env: { ISSUER_SIGNING_KEY: BADGE_SEED, BADGE_IMAGE_DIR: imageDir } });
    await recordedKey(withImages);
    const { accepted: mine } = await issueFinalBatch(withImages, [sampleCredential(0)]);
    const url = (file: string) => `/v1/credentials/${mine.credentials[0]!.id}/${file}`;
    const png = await withImages.app.inject({ url: url("badge.png") });
    expect(png.statusCode, png.body).toBe(200);
    expect(PNG.sync.read(png.rawPayload).width).toBe(7);
    const svg = await withImages.app.inject({ url: url("badge.svg") });
    expect(svg.body).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" xmlns:openbadges="[^"]+"><openbadges:credential>/,
    );
    expect(svg.body).toContain(`<rect width="9"/>`);
  });

  it("answers 409 key-not-registered before the issuer's key is recorded, 404 for an unknown id, 400 for a bad format", async () => {
    expectError(await get("badge.png", keyless), 409, "key-not-registered");
    expectError(await fx.app.inject({ url: `/v1/credentials/${"A".repeat(22)}/badge.svg` }), 404, "not-found");
    expectError(await get("badge.png?format=vc"), 400, "invalid-request");
  });

  it("answers 409 not-valid once the credential is revoked: a revoked badge is never baked", async () => {
    const other = await issueFinalBatch(fx, [sampleCredential(4)]);
    await fx.issuer.revokeBatch(other.accepted.id, "issued in error");
    const path = `/v1/credentials/${other.accepted.credentials[0]!.id}/badge.png`;
    expect(expectError(await fx.app.inject({ url: path }), 409, "not-valid").message).toMatch(
      /^the credential is revoked/,
    );
  });
});
