/**
 * The database schema, as an ordered list of migrations. A migration, once released, is never
 * edited: change the schema by appending one. Each runs in its own transaction and is recorded in
 * `schema_migrations`.
 *
 * The SQL is kept plain so that the PostgreSQL store can reuse it with small changes:
 * `BLOB` → `BYTEA`; `INTEGER PRIMARY KEY AUTOINCREMENT` → `BIGINT GENERATED ALWAYS AS IDENTITY
 * PRIMARY KEY`; `block_number` and `nonce` → `BIGINT` (SQLite's `INTEGER` is already 64-bit);
 * the `*_at` columns could become `TIMESTAMPTZ` (they hold ISO-8601 UTC strings here).
 */

/** One schema change. */
export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
);

CREATE TABLE issuers (
  -- The issuer's id in the registry contract, not assigned here.
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  digest BLOB NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_issuer ON api_keys (issuer_id);

CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  root TEXT NOT NULL UNIQUE,
  count INTEGER NOT NULL CHECK (count >= 0),
  uri TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'anchored', 'final', 'failed', 'revoked')),
  tx_hash TEXT,
  block_number INTEGER,
  error TEXT,
  revoked_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX batches_issuer ON batches (issuer_id);

CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  idx INTEGER NOT NULL CHECK (idx >= 0),
  leaf TEXT NOT NULL,
  -- JSON text: the committed fields and the Merkle path.
  fields TEXT NOT NULL,
  proof TEXT NOT NULL,
  revoked_reason TEXT,
  UNIQUE (batch_id, idx)
);

-- The anchoring outbox. AUTOINCREMENT: an op id is never reused, so logs and receipts that name
-- one stay unambiguous.
CREATE TABLE chain_ops (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('anchor', 'revoke-batch', 'revoke-credential')),
  batch_id TEXT NOT NULL REFERENCES batches (id),
  credential_id TEXT REFERENCES credentials (id),
  signer TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'signed', 'sent', 'mined', 'final', 'failed')),
  nonce INTEGER,
  tx_hash TEXT,
  raw_tx TEXT,
  block_number INTEGER,
  block_hash TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX chain_ops_status ON chain_ops (status, id);
CREATE INDEX chain_ops_batch ON chain_ops (batch_id, id);
-- A batch is anchored once: a second anchor op for it is a bug, refused here as well.
CREATE UNIQUE INDEX chain_ops_one_anchor ON chain_ops (batch_id) WHERE kind = 'anchor';
`,
  },
];
