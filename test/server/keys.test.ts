import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestSecret, generateApiKey, newCredentialId, parseApiKey, secretMatches } from "../../server/keys";

const KEY_SHAPE = /^crk_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}$/;

describe("generateApiKey", () => {
  it("makes a crk_<id>_<secret> key whose id it returns and whose secret only its digest reveals", () => {
    const { key, id, digest } = generateApiKey();
    expect(key).toMatch(KEY_SHAPE);
    const parsed = parseApiKey(key);
    expect(parsed?.id).toBe(id);
    expect(digest).toEqual(createHash("sha256").update(parsed!.secret).digest());
    expect(digest.toString("hex")).not.toContain(Buffer.from(parsed!.secret).toString("hex"));
  });

  it("never makes the same key twice", () => {
    const keys = Array.from({ length: 200 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
  });
});

describe("parseApiKey", () => {
  const { key, id } = generateApiKey();
  const secret = key.slice(4 + 16 + 1);

  it("splits a key into its id and secret", () => {
    expect(parseApiKey(key)).toEqual({ id, secret });
  });

  it("accepts _ and - inside the id and the secret", () => {
    const odd = `crk_${"_-".repeat(8)}_${"-_".repeat(21)}a`;
    expect(parseApiKey(odd)).toEqual({ id: "_-".repeat(8), secret: `${"-_".repeat(21)}a` });
  });

  it.each([
    ["an empty string", ""],
    ["the prefix alone", "crk_"],
    ["another prefix", key.replace("crk_", "crx_")],
    ["an upper-case prefix", key.replace("crk_", "CRK_")],
    ["an id one character short", `crk_${id.slice(1)}_${secret}`],
    ["an id one character long", `crk_${id}a_${secret}`],
    ["a secret one character short", `crk_${id}_${secret.slice(1)}`],
    ["a secret one character long", `crk_${id}_${secret}a`],
    ["a + (base64, not base64url)", `crk_${id}_+${secret.slice(1)}`],
    ["padding", `crk_${id}_${secret.slice(1)}=`],
    ["a leading space", ` ${key}`],
    ["a trailing newline", `${key}\n`],
    ["a Bearer prefix", `Bearer ${key}`],
    ["a missing separator", `crk_${id}${secret}`],
  ])("rejects %s", (_what, text) => {
    expect(parseApiKey(text)).toBeNull();
  });
});

describe("secretMatches", () => {
  const { key, digest } = generateApiKey();
  const { secret } = parseApiKey(key)!;

  it("matches the secret its digest was made from", () => {
    expect(secretMatches(secret, digest)).toBe(true);
  });

  it("does not match another secret, even one character off", () => {
    const last = secret.at(-1) === "A" ? "B" : "A";
    expect(secretMatches(`${secret.slice(0, -1)}${last}`, digest)).toBe(false);
    expect(secretMatches("", digest)).toBe(false);
    expect(secretMatches(parseApiKey(generateApiKey().key)!.secret, digest)).toBe(false);
  });

  it("returns false, without throwing, for a digest of the wrong length", () => {
    expect(secretMatches(secret, digest.subarray(0, 16))).toBe(false);
    expect(secretMatches(secret, Buffer.alloc(0))).toBe(false);
  });

  it("does not match the all-zero digest used for unknown ids", () => {
    expect(secretMatches(secret, Buffer.alloc(32))).toBe(false);
  });
});

describe("digestSecret", () => {
  it("is the SHA-256 of the UTF-8 secret", () => {
    expect(digestSecret("abc").toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("newCredentialId", () => {
  it("is 128 random bits in base64url: 22 characters, never repeated", () => {
    const ids = Array.from({ length: 500 }, () => newCredentialId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(500);
  });

  it("never starts with '-', which a spreadsheet reads as a formula and credentials.csv would have to alter", () => {
    // One id in 64 would start with '-' if drawn plainly: among 5,000 draws, about 78.
    const ids = Array.from({ length: 5000 }, () => newCredentialId());
    expect(ids.filter((id) => id.startsWith("-"))).toEqual([]);
    expect(ids.filter((id) => id.startsWith("_")).length).toBeGreaterThan(0);
  });
});
