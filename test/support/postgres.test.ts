import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POSTGRES_MISSING, postgresBinDir } from "../../harness/postgres";

describe("postgresBinDir", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "credroot-pgbin-"));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A version folder with the given programs in its bin/. */
  const version = (name: string, programs: string[]) => {
    mkdirSync(join(root, name, "bin"), { recursive: true });
    for (const program of programs) {
      writeFileSync(join(root, name, "bin", program), "#!/bin/sh\n");
      chmodSync(join(root, name, "bin", program), 0o755);
    }
  };

  it("picks the newest version that has both initdb and pg_ctl", () => {
    version("9.6", ["initdb", "pg_ctl"]);
    version("15", ["initdb", "pg_ctl"]);
    version("16", ["initdb"]); // half installed
    version("notes", ["initdb", "pg_ctl"]);
    expect(postgresBinDir(root)).toBe(join(root, "15", "bin"));
  });

  it("says in one line how to install PostgreSQL when no version is there", () => {
    expect(() => postgresBinDir(join(root, "missing"))).toThrow(POSTGRES_MISSING);
    version("15", ["pg_ctl"]);
    expect(() => postgresBinDir(root)).toThrow(
      "PostgreSQL not found: run ./scripts/test-deps.sh (installs Debian's postgresql and chromium)",
    );
  });
});
