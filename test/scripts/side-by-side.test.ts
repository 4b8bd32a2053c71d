import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Command, runSideBySide } from "../../scripts/lib/side-by-side";

/** `node -e <script>`. */
const node = (script: string): Command => [process.execPath, "-e", script];

/** Runs both; what was written, and the exit code. */
async function sideBySide(shown: Command, held: Command): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await runSideBySide({ name: "tests", command: shown }, { name: "lint", command: held }, (t) => {
    text += t;
  });
  return { code, text };
}

describe("runSideBySide (npm test: the tests and the lint at once)", () => {
  it("runs both at once and passes when both pass, the held output after the shown command", async () => {
    // Each waits for the other's mark: run one after the other, the first would give up (exit 3).
    const mark = join(mkdtempSync(join(tmpdir(), "credroot-side-")), "mark");
    const waitFor = (name: string) =>
      `const fs=require("fs"),t=Date.now();while(!fs.existsSync(${JSON.stringify(`${mark}-${name}`)})){` +
      `if(Date.now()-t>20000)process.exit(3);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20)}`;
    const touch = (name: string) => `require("fs").writeFileSync(${JSON.stringify(`${mark}-${name}`)},"");`;
    const { code, text } = await sideBySide(
      node(`${touch("shown")}${waitFor("held")}`),
      node(`${touch("held")}${waitFor("shown")};console.log("lint said this")`),
    );
    rmSync(dirname(mark), { recursive: true, force: true });
    expect(code).toBe(0);
    expect(text).toMatch(/^\nlint said this\nlint: ok, \d+ s\ntests: ok, \d+ s\n$/);
  });

  it("fails when only the held command (the lint) fails, and still runs the other to its end", async () => {
    const { code, text } = await sideBySide(
      node("setTimeout(() => {}, 300)"),
      node("console.error('bad'); process.exit(2)"),
    );
    expect(code).toBe(1);
    expect(text).toContain("bad\n");
    expect(text).toContain("lint: FAILED (exit 2)");
    expect(text).toContain("tests: ok");
  });

  it("fails when only the shown command (the tests) fails", async () => {
    const { code, text } = await sideBySide(node("process.exit(1)"), node(""));
    expect(code).toBe(1);
    expect(text).toContain("tests: FAILED (exit 1)");
    expect(text).toContain("lint: ok");
  });

  it("fails, with a line of why, when a command cannot start", async () => {
    const { code, text } = await sideBySide(node(""), ["/nonexistent/credroot-lint"]);
    expect(code).toBe(1);
    expect(text).toContain("/nonexistent/credroot-lint: spawn /nonexistent/credroot-lint ENOENT");
    expect(text).toContain("lint: FAILED (exit 1)");
  });
});
