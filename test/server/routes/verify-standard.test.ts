import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { fromVerifiableCredential, toVerifiableCredential } from "../../../src/export";
import { IssuerKey, signCredentialJwt } from "../../../src/standard";
import { bakePng, defaultBadgePng, extractBakedCredential } from "../../../src/standard/baked";
import { type ServiceFixture, startService } from "../../support/service";
import { type AcceptedBatch, expectError, issueFinalBatch, postVerify } from "../helpers";
import { BADGE_SEED, recordedKey } from "./badges-fixture";

interface Verdict {
  verdict: string;
  kind?: string;
  valid?: boolean;
  signer?: string | null;
  checks: { name: string; ok: boolean | null; message: string }[];
  issuer: { id: number; name: string } | null;
}

describe("POST /v1/verify with signed credentials and baked badges", () => {
  let fx: ServiceFixture;
  let accepted: AcceptedBatch;
  let did: string;
  const forms: Record<string, { type: string; body: string | Buffer }> = {};

  const post = (type: string, payload: string | Buffer) =>
    fx.app.inject({ method: "POST", url: "/v1/verify", headers: { "content-type": type }, payload });
  const verdictOf = (res: LightMyRequestResponse): Verdict => {
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Verdict>();
  };
  const get = async (path: string) => {
    const res = await fx.app.inject({ url: `/v1/credentials/${accepted.credentials[0]!.id}/${path}` });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: BADGE_SEED } });
    did = (await recordedKey(fx)).did;
    ({ accepted } = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]));
    forms["vc-json (ob3)"] = { type: "application/json", body: (await get("credential?format=ob3")).body };
    forms["vc-json (vc)"] = { type: "application/json", body: (await get("credential?format=vc")).body };
    forms.jwt = { type: "text/plain", body: (await get("credential?format=jwt")).body };
    forms.png = { type: "image/png", body: (await get("badge.png")).rawPayload };
    forms["png (jwt)"] = { type: "image/png", body: (await get("badge.png?format=jwt")).rawPayload };
    forms.svg = { type: "image/svg+xml", body: (await get("badge.svg")).body };
    forms["svg (jwt)"] = { type: "image/svg+xml", body: (await get("badge.svg?format=jwt")).body };
    forms["sd-jwt"] = { type: "text/plain", body: (await get("credential?format=sd-jwt")).body };
    forms["sd-jwt (hidden)"] = {
      type: "text/plain",
      body: (await get("credential?format=sd-jwt&hide=learner.email")).body,
    };
  });
  afterAll(async () => {
    await fx.close();
  });

  it.each([
    "vc-json (ob3)",
    "vc-json (vc)",
    "jwt",
    "png",
    "png (jwt)",
    "svg",
    "svg (jwt)",
    "sd-jwt",
    "sd-jwt (hidden)",
  ])("answers valid for the %s form, with the bundle's checks plus signature and issuer-key", async (form) => {
    const { type, body } = forms[form]!;
    const result = verdictOf(await post(type, body));
    expect(result.verdict, JSON.stringify(result.checks)).toBe("valid");
    expect(result.valid).toBe(true);
    expect(result.kind).toBe(form.split(" ")[0]);
    const format = form.startsWith("sd-jwt") ? "sd-jwt" : /^jwt|\(jwt\)/.test(form) ? "jwt" : "data-integrity";
    expect((result as Verdict & { format?: string }).format).toBe(format);
    expect(result.signer).toBe(did);
    expect(result.issuer).toMatchObject({ id: fx.issuerId, name: "Test University" });
    const bundleChecks = verdictOf(
      await postVerify(fx, fromVerifiableCredential(JSON.parse(forms["vc-json (ob3)"]!.body as string))),
    ).checks.map((c) => c.name);
    const names = result.checks.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([...bundleChecks, "signature", "issuer-key"]));
    expect(result.checks.every((c) => c.ok === true)).toBe(true);
  });

  it("answers tampered for a baked PNG whose credential was edited", async () => {
    const { text } = extractBakedCredential(new Uint8Array(forms.png!.body as Buffer));
    const edited = text.replace('"identityHash":"Ana Novak"', '"identityHash":"Eve Novak"');
    expect(edited).not.toBe(text);
    const result = verdictOf(await post("image/png", Buffer.from(bakePng(defaultBadgePng(), edited))));
    expect(result.verdict).toBe("tampered");
    expect(result.valid).toBe(false);
    expect(result.checks.find((c) => c.name === "signature")?.ok).toBe(false);
  });

  it("refuses an SD-JWT VC whose disclosed value was edited, and answers valid once the holder drops a field", async () => {
    const sdJwt = forms["sd-jwt"]!.body as string;
    const [jws, ...disclosures] = sdJwt.split("~");
    const decoded = disclosures.map((d) =>
      d ? (JSON.parse(Buffer.from(d, "base64url").toString()) as unknown[]) : null,
    );
    const title = decoded.findIndex((d) => d?.[1] === "title");
    expect(title).toBeGreaterThanOrEqual(0);
    const forged = [...decoded[title]!.slice(0, 2), "Brain surgery (advanced)"];
    const edited = [...disclosures];
    edited[title] = Buffer.from(JSON.stringify(forged)).toString("base64url");
    // The edited disclosure's digest is in no signed _sd: it is refused before anything is judged.
    const refused = await post("text/plain", [jws, ...edited].join("~"));
    expectError(refused, 400, "not-a-credential");
    expect(refused.json<{ message: string }>().message).toMatch(/does not reference \(edited\?\)/);
    const grade = decoded.findIndex((d) => d?.[1] === "grade");
    expect(grade).toBeGreaterThanOrEqual(0);
    const dropped = [jws, ...disclosures.filter((_, i) => i !== grade)].join("~");
    const shown = verdictOf(await post("text/plain", dropped));
    expect(shown.verdict, JSON.stringify(shown.checks)).toBe("valid");
    const { credential, hidden } = shown as Verdict & { credential: { assessment?: object }; hidden: string[] };
    expect(credential.assessment).not.toHaveProperty("grade");
    expect(hidden).toContain("/assessment/grade");
  });

  it("refuses an SVG with two credential elements with 400 not-a-credential", async () => {
    const svg = (forms.svg!.body as string).replace(
      "</svg>",
      `<openbadges:credential><![CDATA[{"forged":true}]]></openbadges:credential></svg>`,
    );
    const body = expectError(await post("image/svg+xml", svg), 400, "not-a-credential");
    expect(body.message).toMatch(/2 credential elements/);
  });

  it("does not answer valid for a JWT signed by a key the registry does not record for the issuer", async () => {
    const stranger = await IssuerKey.fromSeed("77".repeat(32));
    const bundle = fromVerifiableCredential(JSON.parse(forms["vc-json (ob3)"]!.body as string));
    const issuer = { id: fx.issuerId, name: "Test University", uri: "https://uni.test" };
    const jwt = await signCredentialJwt(toVerifiableCredential(bundle, issuer, { issuerDid: stranger.did }), stranger);
    const result = verdictOf(await post("text/plain", jwt));
    expect(result.verdict).not.toBe("valid");
    expect(result.valid).toBe(false);
    expect(result.checks.find((c) => c.name === "signature")?.ok).toBe(true);
    expect(result.checks.find((c) => c.name === "issuer-key")?.ok).toBe(false);
  });

  it("refuses what is none of the formats with one sentence, never '/@context is not a known field'", async () => {
    const ld = JSON.stringify({ "@context": ["https://www.w3.org/ns/credentials/v2"], type: ["Thing"] });
    for (const [type, payload] of [
      ["application/json", ld],
      ["text/plain", "hello"],
      ["image/png", "not a png"],
      ["image/svg+xml", "<svg><g></svg>"],
      ["text/plain", JSON.stringify({ type: "credroot/bundle", version: 2 })],
    ] as const) {
      const body = expectError(await post(type, payload), 400, "not-a-credential");
      expect(body.message).not.toMatch(/known field/);
    }
  });

  it("refuses an image over the route's body limit with 413", async () => {
    const huge = Buffer.concat([forms.png!.body as Buffer, Buffer.alloc(300 * 1024)]);
    expectError(await post("image/png", huge), 413, "body-too-large");
  });

  it("still verifies a bundle as before", async () => {
    const bundle = fromVerifiableCredential(JSON.parse(forms["vc-json (ob3)"]!.body as string));
    expect(verdictOf(await postVerify(fx, bundle)).verdict).toBe("valid");
  });
});
