import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { closedPort } from "./net";

const run = promisify(execFile);

export const POSTGRES_MISSING =
  "PostgreSQL not found: run ./scripts/test-deps.sh (installs Debian's postgresql and chromium)";

/** A throwaway PostgreSQL server for tests. */
export interface PostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (a superuser). */
  url: string;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`), the newest version first. */
export function postgresBinDir(root = "/usr/lib/postgresql"): string {
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+(\.\d+)?$/.test(name)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl"))) return bin;
  }
  throw new Error(POSTGRES_MISSING);
}

/** uid and gid of the `postgres` system user (initdb refuses to run as root). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Creates a PostgreSQL cluster in a new temporary folder and starts it on a free port of
 * 127.0.0.1 only (its unix socket in that folder, fsync off: tests need no durability), with a
 * random superuser password. Run as root, the binaries run as the `postgres` system user, which
 * then owns the folder.
 * @throws Error {@link POSTGRES_MISSING} when Debian's binaries are not installed.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "credroot-pg-"));
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const asRoot = process.getuid?.() === 0;
  const exec = async (program: string, args: string[]) => {
    const command = asRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, program), ...args]]
      : [join(bin, program), args];
    await run(command[0] as string, command[1] as string[], { cwd: dir, env: { ...process.env, LC_ALL: "C" } });
  };
  try {
    writeFileSync(join(dir, "password"), password);
    if (asRoot) {
      const { uid, gid } = await postgresUser();
      chownSync(dir, uid, gid);
      chownSync(join(dir, "password"), uid, gid);
    }
    const initdb = ["-D", data, "-U", "postgres", "-A", "scram-sha-256", `--pwfile=${join(dir, "password")}`];
    await exec("initdb", [...initdb, "-E", "UTF8", "--no-locale", "--no-sync"]);
    const port = await closedPort();
    const settings = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=300",
    ];
    await exec("pg_ctl", ["start", "-w", "-D", data, "-l", join(dir, "server.log"), "-o", settings.join(" ")]);
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      async stop() {
        await exec("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Creates a database with a random name on the server `adminUrl` names and returns its URL:
 * each test gets an empty database of its own.
 */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `t_${randomBytes(8).toString("hex")}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
