import Database from "better-sqlite3";

/**
 * One SQLite database through better-sqlite3: opened with the settings the store relies on, and
 * with a cache of prepared statements, one per SQL text.
 */
export class SqliteDb {
  /** The better-sqlite3 handle (migrations run on it). */
  readonly raw: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  /** Opens (creating if needed) the database at `path`. */
  constructor(path: string) {
    this.raw = new Database(path);
    this.raw.pragma("journal_mode = WAL");
    // In WAL mode `synchronous = NORMAL` already survives a process crash (SIGKILL): a commit has
    // written its pages into the WAL file, in the OS page cache, before it returns. It does not
    // survive a power loss or kernel panic, which can lose the last commits. FULL fsyncs the WAL on
    // every commit: the outbox records a signed transaction before broadcasting it and a batch is
    // acknowledged to its issuer once stored, so a commit lost after either would mean a batch
    // silently missing or anchored twice. One fsync per commit is cheap at our write rates.
    this.raw.pragma("synchronous = FULL");
    this.raw.pragma("foreign_keys = ON");
    this.raw.pragma("busy_timeout = 5000");
    // The WAL of a 100k-credential batch reaches ≈ 200 MB; truncate it back after checkpoints.
    this.raw.pragma("journal_size_limit = 67108864");
  }

  /** The prepared statement for `sql`, prepared once per database. */
  statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.raw.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  get(sql: string, ...params: unknown[]): unknown {
    return this.statement(sql).get(...params);
  }

  all(sql: string, ...params: unknown[]): unknown[] {
    return this.statement(sql).all(...params);
  }

  /** Runs a write and returns how many rows it changed. */
  run(sql: string, ...params: unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }

  /** `work()` in an IMMEDIATE transaction: it takes the write lock before its first read. */
  immediate<T>(work: () => T): T {
    return this.raw.transaction(work).immediate();
  }

  close(): void {
    this.#statements.clear();
    this.raw.close();
  }
}
