import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AnchorContext, newBatchId, prepareBatch } from "../../src";
import { parseCredentialsCsv } from "../../src/node/csv";

const example = (name: string) => readFileSync(join(__dirname, "../../examples", name), "utf8");
const context = (): AnchorContext => ({
  chainId: 31337,
  registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  issuerId: 1,
  batchId: newBatchId(),
});

describe("the example batches (examples/, used in docs/http-api.md)", () => {
  it("batch.csv parses and every row is a valid (format v2) credential", () => {
    const { credentials } = parseCredentialsCsv(example("batch.csv"));
    expect(prepareBatch(credentials, context()).count).toBe(3);
  });

  it("batch.json is a valid POST /v1/batches body with the same credentials as batch.csv", () => {
    const body = JSON.parse(example("batch.json")) as { credentials: unknown[] };
    expect(prepareBatch(body.credentials, context()).count).toBe(3);
    expect(body.credentials).toEqual(parseCredentialsCsv(example("batch.csv")).credentials);
  });

  it("name no awarding body (it comes from the registry) and give the issuer's country", () => {
    expect(example("batch.csv").split("\n")[0]).not.toContain("awardingBody");
    const body = JSON.parse(example("batch.json")) as { credentials: Record<string, unknown>[] };
    for (const credential of body.credentials) {
      expect(credential).not.toHaveProperty("awardingBody");
      expect(credential.issuerCountry).toMatch(/^[A-Z]{2}$/);
    }
  });
});
