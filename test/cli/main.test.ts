import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CredrootError, type ErrorCode } from "../../src";
import { ApiError } from "../../cli/api";
import { CliError } from "../../cli/io";
import { report } from "../../cli/main";
import { version } from "../../package.json";
import { cli, recorder, tempFolder, writeFile } from "./harness";

const OPTIONS: Record<string, string[]> = {
  issue: [
    "--api <url>",
    "--key <key>",
    "--rpc <url>",
    "--chain-id <n>",
    "--registry <address>",
    "--out <folder>",
    "--until <state>",
    "--timeout <seconds>",
  ],
  status: [
    "<batchId>",
    "--api <url>",
    "--key <key>",
    "--rpc <url>",
    "--chain-id <n>",
    "--registry <address>",
    "--issuer <id>",
    "--root <hex>",
    "--json",
  ],
  revoke: [
    "--api <url>",
    "--key <key>",
    "--rpc <url>",
    "--chain-id <n>",
    "--registry <address>",
    "--batch <id>",
    "--credential <id>",
    "--bundle <file>",
    "--digest <hex>",
    "--reason <text>",
    "--no-wait",
    "--timeout <seconds>",
  ],
  disclose: ["<bundle>", "--hide <fields>", "-o, --output <file>"],
  verify: [
    "<file...>",
    "--rpc <url>",
    "--chain-id <n>",
    "--registry <address>",
    "--trust-bundle-registry",
    "--timeout <seconds>",
    "--json",
    "--skill <uri>",
    "--min-eqf <level>",
    "--total-ects [field]",
  ],
  present: ["<bundle...>", "-o, --output <file>"],
  export: [
    "<source>",
    "--api <url>",
    "--registry <address>",
    "--format <format>",
    "--hide <fields>",
    "-o, --output <file>",
  ],
  import: ["<credential>", "-o, --output <file>"],
  issuers: [
    "--api <url>",
    "--rpc <url>",
    "--chain-id <n>",
    "--registry <address>",
    "--signers",
    "--signer <address>",
    "--json",
  ],
};

describe("credroot --help", () => {
  it("lists every command and exits 0", async () => {
    const { status, stdout, stderr } = await cli(["--help"]);
    expect(status).toBe(0);
    expect(stderr).toBe("");
    for (const command of Object.keys(OPTIONS)) expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(stdout).toContain("CREDROOT_PRIVATE_KEY");
  });

  it.each(Object.entries(OPTIONS))("documents every option of %s and exits 0", async (command, options) => {
    const { status, stdout } = await cli([command, "--help"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: credroot ${command} `));
    for (const option of options) expect(stdout).toContain(option);
  });

  it("prints the version with --version", async () => {
    expect(await cli(["--version"])).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
  });
});

describe("credroot usage errors", () => {
  it("exits 2 with the help on stderr when no command is given", async () => {
    const { status, stdout, stderr } = await cli([]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: credroot [options] [command]");
  });

  it("exits 2 for an unknown command or option, with one line and a pointer to --help", async () => {
    const command = await cli(["verfy", "b.json"]);
    expect(command.status).toBe(2);
    expect(command.stderr).toBe("credroot: unknown command 'verfy' (Did you mean verify?) (see --help)\n");
    const option = await cli(["disclose", "b.json", "--hide", "x", "--shout"]);
    expect(option).toMatchObject({ status: 2, stderr: "credroot: unknown option '--shout' (see --help)\n" });
  });

  it.each([
    [["verify"], "missing required argument 'file'"],
    [["disclose", "x.json"], "required option '--hide <fields>' not specified"],
    [["revoke"], "required option '--reason <text>' not specified"],
    [["verify", "x.json", "--registry"], "option '--registry <address>' argument missing"],
  ])("writes the usage error of credroot %j as one line", async (argv, message) => {
    const { status, stdout, stderr } = await cli(argv);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`credroot: ${message} (see --help)\n`);
  });

  it("rejects a malformed option value", async () => {
    const { status, stderr } = await cli(["verify", "b.json", "--chain-id", "main"]);
    expect(status).toBe(2);
    expect(stderr).toContain("option '--chain-id <n>' argument 'main' is invalid. expected a positive integer");
  });
});

describe("report", () => {
  const reported = (error: unknown, env: Record<string, string> = {}) => {
    const stderr = recorder();
    const status = report({ stdout: recorder(), stderr, env }, error);
    return { status, stderr: stderr.text() };
  };

  it.each<[ErrorCode, number]>([
    ["INVALID_CREDENTIAL", 1],
    ["DUPLICATE_LEAF", 1],
    ["CONTRACT_REVERT", 1],
    ["INVALID_BUNDLE", 2],
    ["INVALID_ARGUMENT", 2],
    ["CHAIN_UNAVAILABLE", 2],
    ["INVARIANT", 70],
  ])("maps a CredrootError %s to exit %i and one line", (code, status) => {
    expect(reported(new CredrootError(code, "what went\nwrong"))).toEqual({
      status,
      stderr: "credroot: what went wrong\n",
    });
  });

  it("maps a refusal of the service to 1 and its unavailability to 2", () => {
    const refused = new ApiError(409, "already-revoked", "the batch is already revoked", []);
    expect(reported(refused)).toEqual({
      status: 1,
      stderr: "credroot: the service answered 409 already-revoked: the batch is already revoked\n",
    });
    expect(reported(new ApiError(503, "chain-unavailable", "no chain", [])).status).toBe(2);
    expect(reported(new ApiError(429, "rate-limited", "slow down", [])).status).toBe(2);
  });

  it("prints no escape sequence or control character a message quotes", () => {
    const error = new CliError("bundle \u001b[2K\rVALID\u202e", 1, ["line 2: \u001b]0;x\u0007 /title\nbad"]);
    expect(reported(error)).toEqual({ status: 1, stderr: "credroot: bundle  VALID\n  line 2:  /title bad\n" });
  });

  it("lists the details of a CliError under its line", () => {
    const error = new CliError("2 rows are invalid", 1, ["line 3: /title missing", "line 5: /eqfLevel too high"]);
    expect(reported(error)).toEqual({
      status: 1,
      stderr: "credroot: 2 rows are invalid\n  line 3: /title missing\n  line 5: /eqfLevel too high\n",
    });
  });

  it("reports anything else as an internal error, exit 70, with the stack only under CREDROOT_DEBUG", () => {
    expect(reported(new TypeError("x is undefined"))).toEqual({
      status: 70,
      stderr: "credroot: internal error: x is undefined\n",
    });
    expect(reported(new TypeError("x is undefined"), { CREDROOT_DEBUG: "1" }).stderr).toContain("at ");
  });
});

describe("bin/credroot.cjs", () => {
  it("runs the CLI through node", async () => {
    const bin = join(__dirname, "../../bin/credroot.cjs");
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "verify", "--help"]);
    expect(stdout).toContain("Usage: credroot verify [options] <file...>");
  });

  it("reads file names from the caller's folder under `npm run credroot` (npm runs it in the package's)", async () => {
    const bin = join(__dirname, "../../bin/credroot.cjs");
    const folder = tempFolder();
    writeFile(folder, "bundle.json", { not: "a bundle" });
    const run = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [bin, "disclose", "bundle.json", "--hide", "learner.email"], {
        cwd: join(__dirname, "../.."),
        env: { ...process.env, ...env },
      }).catch((error: unknown) => error as { code: number; stderr: string });
    // Found in the caller's folder: read, and refused as not a bundle.
    expect(await run({ npm_lifecycle_event: "credroot", INIT_CWD: folder })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^credroot: invalid bundle: /) as unknown,
    });
    // Outside npm, the working folder is the caller's own: here the repository, where there is none.
    expect(await run({ npm_lifecycle_event: "", INIT_CWD: folder })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("cannot read bundle.json") as unknown,
    });
  });

  it("exits with the command's status", async () => {
    const bin = join(__dirname, "../../bin/credroot.cjs");
    const failed = await promisify(execFile)(process.execPath, [bin, "verify", "missing.json"], {
      env: { ...process.env, CREDROOT_RPC_URL: "" },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failed).toMatchObject({
      code: 2,
      stderr: "credroot: no JSON-RPC endpoint: pass --rpc URL or set CREDROOT_RPC_URL\n",
    });
  });
});
