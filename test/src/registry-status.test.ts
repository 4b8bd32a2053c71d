import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REGISTRY_STATUS, registryStatusCode, registryStatusOf } from "../../src";

/** The members of `enum Status` in ICredentialRegistry.sol, in order. */
function solidityStatuses(): string[] {
  const source = readFileSync(join(__dirname, "../../contracts/interfaces/ICredentialRegistry.sol"), "utf8");
  const body = /enum Status \{([^}]*)\}/.exec(source)?.[1];
  if (body === undefined) throw new Error("ICredentialRegistry.sol declares no enum Status");
  return body
    .split(",")
    .map((member) => member.trim())
    .filter((member) => member !== "");
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c, at: number) => (at === 0 ? "" : "-") + c.toLowerCase());

describe("REGISTRY_STATUS", () => {
  it("lists ICredentialRegistry.Status, member for member, in the contract's order", () => {
    expect(REGISTRY_STATUS).toEqual(solidityStatuses().map(kebab));
  });
});

describe("registryStatusOf and registryStatusCode", () => {
  it("map the contract's uint8 to a status and back", () => {
    REGISTRY_STATUS.forEach((status, code) => {
      expect(registryStatusOf(BigInt(code))).toBe(status);
      expect(registryStatusCode(status)).toBe(code);
    });
  });

  it("know no status for a value the enum does not have", () => {
    expect(registryStatusOf(REGISTRY_STATUS.length)).toBeUndefined();
    expect(registryStatusOf(-1)).toBeUndefined();
    expect(registryStatusOf(1.5)).toBeUndefined();
  });
});
