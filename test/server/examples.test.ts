import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareBatch } from "../../src";
import { parseCredentialsCsv } from "../../src/csv";

const example = (name: string) => readFileSync(join(__dirname, "../../examples", name), "utf8");

describe("the README's example batches (examples/)", () => {
  it("batch.csv parses and every row is a valid credential", () => {
    const { credentials } = parseCredentialsCsv(example("batch.csv"));
    expect(prepareBatch(credentials).count).toBe(3);
  });

  it("batch.json is a valid POST /v1/batches body with the same credentials as batch.csv", () => {
    const body = JSON.parse(example("batch.json")) as { credentials: unknown[] };
    expect(prepareBatch(body.credentials).count).toBe(3);
    expect(body.credentials).toEqual(parseCredentialsCsv(example("batch.csv")).credentials);
  });
});
