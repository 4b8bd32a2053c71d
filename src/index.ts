export * from "./errors";
export * from "./hash";
export * from "./encoding";
export * from "./json";
export * from "./pointer";
export * from "./credential";
export * from "./commit";
export * from "./merkle";
export * from "./bundle";
export * from "./batch";
export * from "./registry-interface";
export * from "./registry-status";
export * from "./registry-verify";
export * from "./registry-errors";
export * from "./registry-events";
export * from "./registry";
export * from "./revocation-reason";
export * from "./verdict";
export * from "./verify";
export * from "./presentation";
export * from "./presentation-questions";
export * from "./export";
export * from "./trust-config";
export type {
  CredentialRegistry,
  CredentialRegistryInterface,
  ICredentialRegistry,
} from "./contracts/CredentialRegistry";
export { CredentialRegistry__factory } from "./contracts";
export * from "./registry-keys";
