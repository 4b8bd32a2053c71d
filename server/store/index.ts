export { type Migration, migrations } from "./migrations";
export { openStore, sqlitePathOf } from "./open";
export { SqliteStore } from "./sqlite";
// The record types, the Store interface and the store errors.
export * from "./types";
