export { type Migration, migrations } from "./migrations";
export { type OpenStoreOptions, openStore, redactUrl, sqlitePathOf } from "./open";
export { PostgresStore } from "./postgres";
export { SqliteStore } from "./sqlite";
// The record types, the Store interface and the store errors.
export * from "./types";
