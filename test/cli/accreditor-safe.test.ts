import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import registryArtifact from "../../artifacts/contracts/CredentialRegistry.sol/CredentialRegistry.json";
import { safeChecksum, type SafeBatchFile, txBuilderHash } from "../../cli/accreditor/safe";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { cli, tempFolder } from "./harness";

/** The registry's ABI straight from the compiler's artifact: ethers decodes, not our encoder. */
const abi = new Interface(registryArtifact.abi);
const SAFE = "0x5aFE3855358E112B5647B952709E6165e1c1eEEe";
const SIGNER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
/** The did:key of the W3C did:key test suite, and its raw Ed25519 public key. */
const DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
const DID_KEY = "0x2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6";
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** The example batch of the Transaction Builder's own checksum test (apps/tx-builder/src/lib/checksum.test.js). */
const TX_BUILDER_EXAMPLE = {
  version: "1.0",
  chainId: "4",
  createdAt: 1646321521061,
  meta: {
    name: "test batch file",
    txBuilderVersion: "1.4.0",
    checksum: "",
    createdFromSafeAddress: "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
    createdFromOwnerAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
  },
  transactions: [
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "0",
      contractMethod: {
        inputs: [{ internalType: "address", name: "paramAddress", type: "address" }],
        name: "testAddress",
        payable: false,
      },
      contractInputsValues: { paramAddress: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6" },
    },
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "0",
      contractMethod: {
        inputs: [{ internalType: "bool", name: "paramBool", type: "bool" }],
        name: "testBool",
        payable: false,
      },
      contractInputsValues: { paramAddress: "", paramBool: "false" },
    },
    {
      to: "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6",
      value: "2000000000000000000",
      data: "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6",
    },
  ],
};

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

const readBatch = (file: string) => JSON.parse(readFileSync(file, "utf8")) as SafeBatchFile;

/** Checks `file` against the Transaction Builder's batch format (version 1.0) and returns it. */
function expectTxBuilderFormat(file: SafeBatchFile, chainId: number): SafeBatchFile {
  expect(Object.keys(file).sort()).toEqual(["chainId", "createdAt", "meta", "transactions", "version"]);
  expect(file.version).toBe("1.0");
  expect(file.chainId).toBe(String(chainId));
  expect(Number.isSafeInteger(file.createdAt)).toBe(true);
  expect(Math.abs(file.createdAt - Date.now())).toBeLessThan(60_000);
  expect(Object.keys(file.meta).sort()).toEqual(
    ["checksum", "createdFromOwnerAddress", "createdFromSafeAddress", "description", "name", "txBuilderVersion"].sort(),
  );
  expect(file.meta.txBuilderVersion).toMatch(/^\d+\.\d+\.\d+$/);
  expect(file.meta.checksum).toBe(safeChecksum(file));
  for (const tx of file.transactions) {
    expect(Object.keys(tx).sort()).toEqual(["contractInputsValues", "contractMethod", "data", "to", "value"]);
    expect(tx.value).toBe("0");
    expect(tx.data).toMatch(/^0x[0-9a-f]{8}([0-9a-f]{64})*$/);
    expect(Object.values(tx.contractInputsValues).every((v) => typeof v === "string")).toBe(true);
    expect(tx.contractMethod.inputs.map((i) => i.name)).toEqual(Object.keys(tx.contractInputsValues));
  }
  return file;
}

/** The call a transaction's calldata makes, decoded by ethers with the compiler's ABI. */
function decoded(tx: SafeBatchFile["transactions"][number]): { name: string; args: unknown[] } {
  const call = abi.parseTransaction({ data: tx.data });
  if (call === null) throw new Error(`calldata ${tx.data} is no registry call`);
  expect(call.name).toBe(tx.contractMethod.name);
  expect(call.fragment.inputs.map((i) => [i.name, i.type])).toEqual(
    tx.contractMethod.inputs.map((i) => [i.name, i.type]),
  );
  return { name: call.name, args: call.args.toArray().map((a: unknown) => (typeof a === "bigint" ? Number(a) : a)) };
}

describe("Safe Transaction Builder checksum", () => {
  it("reproduces the Transaction Builder's own test vector, whatever the key order", () => {
    const expected = "0x832ecdb6653751ed00b79dede73864163e46e71815b72e11e506d6399bedffc9";
    expect(txBuilderHash(TX_BUILDER_EXAMPLE)).toBe(expected);
    expect(txBuilderHash(reversedKeys(TX_BUILDER_EXAMPLE))).toBe(expected);
    expect(
      txBuilderHash({ ...TX_BUILDER_EXAMPLE, transactions: [...TX_BUILDER_EXAMPLE.transactions].reverse() }),
    ).not.toBe(expected);
  });

  it("is computed without meta.checksum, as the Transaction Builder validates an imported file", () => {
    const { checksum: _, ...meta } = TX_BUILDER_EXAMPLE.meta;
    const bare = { ...TX_BUILDER_EXAMPLE, meta };
    expect(safeChecksum({ ...TX_BUILDER_EXAMPLE, meta: { ...meta, checksum: "0xanything" } })).toBe(
      txBuilderHash(bare),
    );
  });
});

describe("credroot accreditor … --safe (a Safe Transaction Builder batch)", () => {
  const safeArgs = (file: string, chainId = 31337) => [
    "--registry",
    REGISTRY,
    "--safe",
    file,
    "--chain-id",
    String(chainId),
    "--safe-address",
    SAFE,
  ];

  it.each([
    [
      ["register-issuer", "--name", "Uni Zes", "--uri", "https://zes.test", "--signer", SIGNER],
      "registerIssuer",
      ["Uni Zes", "https://zes.test", SIGNER],
    ],
    [["update-issuer", "--issuer", "7", "--name", "Uni 6", "--uri", ""], "updateIssuer", [7, "Uni 6", ""]],
    [["add-signer", "--issuer", "7", "--signer", SIGNER], "addSigner", [7, SIGNER]],
    [["remove-signer", "--issuer", "7", "--signer", SIGNER], "removeSigner", [7, SIGNER]],
    [["deactivate", "--issuer", "7"], "setIssuerActive", [7, false]],
    [["reactivate", "--issuer", "7"], "setIssuerActive", [7, true]],
    [
      ["withdraw", "--issuer", "7", "--from", "2026-11-01T09:30:00Z", "--reason", "audit failed"],
      "withdrawAccreditation",
      [7, Date.parse("2026-11-01T09:30:00Z") / 1000, "audit failed"],
    ],
    [["add-key", "--issuer", "7", "--did", DID], "addIssuerKey", [7, DID_KEY]],
    [["retire-key", "--issuer", "7", "--did", DID, "--compromised"], "retireIssuerKey", [7, DID_KEY, true]],
  ])("%j writes one transaction whose calldata decodes to the call", async (args, method, expected) => {
    const file = join(tempFolder(), "batch.json");
    const run = await cli(["accreditor", ...args, ...safeArgs(file)]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`: written to ${file} \\(1 transaction for chain 31337; import it`));
    const batch = expectTxBuilderFormat(readBatch(file), 31337);
    expect(batch.meta.createdFromSafeAddress).toBe(SAFE);
    expect(batch.transactions).toHaveLength(1);
    const [tx] = batch.transactions;
    expect(tx!.to).toBe(REGISTRY);
    expect(decoded(tx!)).toEqual({ name: method, args: expected });
    expect(Object.values(tx!.contractInputsValues)).toEqual(expected.map(String));
  });

  it("appends with --append, numbering each call in the description, and refuses to replace a file without it", async () => {
    const file = join(tempFolder(), "batch.json");
    expect((await cli(["accreditor", "deactivate", "--issuer", "2", ...safeArgs(file)])).status).toBe(0);
    const replace = await cli(["accreditor", "reactivate", "--issuer", "2", ...safeArgs(file)]);
    expect(replace.status).toBe(2);
    expect(replace.stderr).toBe(
      `credroot: ${file} already exists: pass --append to add to its batch, or choose another file\n`,
    );
    const first = readBatch(file);
    const again = await cli([
      "accreditor",
      "add-signer",
      "--issuer",
      "2",
      "--signer",
      SIGNER,
      ...safeArgs(file),
      "--append",
    ]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`appended to ${file} (2 transactions for chain 31337`);
    const batch = expectTxBuilderFormat(readBatch(file), 31337);
    expect(batch.createdAt).toBe(first.createdAt);
    expect(batch.meta.description).toBe(`1. deactivate issuer 2\n2. add signer ${SIGNER} to issuer 2`);
    expect(batch.transactions.map((tx) => decoded(tx))).toEqual([
      { name: "setIssuerActive", args: [2, false] },
      { name: "addSigner", args: [2, SIGNER] },
    ]);
  });

  it("refuses to append to a batch of another chain or Safe, or to a file that is no batch", async () => {
    const folder = tempFolder();
    const file = join(folder, "batch.json");
    await cli(["accreditor", "deactivate", "--issuer", "2", ...safeArgs(file)]);
    const chain = await cli(["accreditor", "reactivate", "--issuer", "2", ...safeArgs(file, 100), "--append"]);
    expect(chain).toMatchObject({
      status: 2,
      stderr: `credroot: ${file} is a batch for chain 31337, not chain 100 (--chain-id)\n`,
    });
    const other = new Wallet(`0x${"11".repeat(32)}`).address;
    const safe = await cli([
      "accreditor",
      "reactivate",
      "--issuer",
      "2",
      ...safeArgs(file),
      "--safe-address",
      other,
      "--append",
    ]);
    expect(safe.stderr).toBe(`credroot: ${file} is a batch for Safe ${SAFE}, not ${other}\n`);
    const junk = join(folder, "junk.json");
    await cli(["accreditor", "deactivate", "--issuer", "2", ...safeArgs(junk)]);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(junk, '{"version":"2.0"}');
    const notBatch = await cli(["accreditor", "reactivate", "--issuer", "2", ...safeArgs(junk), "--append"]);
    expect(notBatch.stderr).toBe(`credroot: ${junk} is not a Safe Transaction Builder batch (version "1.0")\n`);
    expect(readBatch(file).transactions).toHaveLength(1);
  });

  it("needs --chain-id and --registry, and writes nothing on a usage error", async () => {
    const file = join(tempFolder(), "batch.json");
    const noChain = await cli(["accreditor", "deactivate", "--issuer", "2", "--registry", REGISTRY, "--safe", file]);
    expect(noChain).toMatchObject({
      status: 2,
      stderr: "credroot: --safe needs --chain-id N (the chain the Safe is on)\n",
    });
    const noRegistry = await cli(["accreditor", "deactivate", "--issuer", "2", "--safe", file, "--chain-id", "1"]);
    expect(noRegistry.stderr).toBe("credroot: --registry 0x… is required (the registry contract)\n");
    const bad = await cli([
      "accreditor",
      "withdraw",
      "--issuer",
      "2",
      "--from",
      "yesterday",
      "--reason",
      "x",
      ...safeArgs(file),
    ]);
    expect(bad.status).toBe(2);
    expect(existsSync(file)).toBe(false);
  });

  describe("executed as the Safe would", () => {
    let fx: RegistryFixture;
    beforeAll(async () => {
      fx = await startRegistry();
    });
    afterAll(async () => {
      await fx.chain.close();
    });

    it("does what the commands say when the accreditor sends the batch's transactions", async () => {
      const file = join(tempFolder(), "batch.json");
      const signer = new Wallet(fx.chain.privateKey(12)).address;
      const target = ["--registry", fx.registry, "--safe", file, "--chain-id", String(fx.chain.chainId), "--append"];
      for (const args of [
        ["register-issuer", "--name", "Multisig Uni", "--uri", "https://ms.test", "--signer", signer],
        ["update-issuer", "--issuer", "2", "--name", "Multisig University", "--uri", "https://msu.test"],
        ["deactivate", "--issuer", "2"],
        ["withdraw", "--issuer", "2", "--from", "2026-01-01", "--reason", "merged"],
      ]) {
        expect((await cli(["accreditor", ...args, ...target])).status).toBe(0);
      }
      const batch = expectTxBuilderFormat(readBatch(file), fx.chain.chainId);
      expect(batch.meta.createdFromSafeAddress).toBe("");
      // The accreditor account stands in for the Safe: it sends each transaction's to/value/data as they are.
      const safe = await fx.chain.signer(0);
      for (const tx of batch.transactions) {
        await (await safe.sendTransaction({ to: tx.to, value: BigInt(tx.value), data: tx.data })).wait();
      }
      expect(await fx.accreditor.getIssuer(2)).toMatchObject({
        name: "Multisig University",
        uri: "https://msu.test",
        active: false,
        accreditedUntil: Date.parse("2026-01-01T00:00:00Z") / 1000,
      });
      expect(await fx.accreditor.getSigners(2)).toEqual([signer]);
    });
  });
});
