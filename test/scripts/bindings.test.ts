import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BINDING_SETS, generateBindings, listFiles } from "../../scripts/lib/bindings";

const ROOT = resolve(__dirname, "../..");

describe("generateBindings", () => {
  const out = mkdtempSync(join(tmpdir(), "credroot-bindings-out-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("gives the committed bindings from the compiled contracts (run `npm run build:bindings` after changing them)", async () => {
    const generated = await generateBindings(ROOT, out);
    const committed = BINDING_SETS.flatMap((set) => listFiles(join(ROOT, set.outDir)))
      .map((file) => relative(ROOT, file))
      .sort();
    expect(committed).toEqual(generated);
    for (const file of generated) {
      expect(readFileSync(join(ROOT, file), "utf8"), file).toBe(readFileSync(join(out, file), "utf8"));
    }
  });

  it("types the registry's factory with the ABI alone: no creation code for the library to carry", () => {
    const factory = readFileSync(join(ROOT, "src/contracts/factories/CredentialRegistry__factory.ts"), "utf8");
    expect(factory).not.toMatch(/bytecode/i);
    expect(factory).not.toContain("ContractFactory");
  });
});
