// Standard credentials: W3C VC 2.0 / Open Badges 3.0 signed with Data Integrity (eddsa-rdfc-2022) or
// as a VC-JOSE JWT. A separate entry from `src/index.ts`: it brings the JSON-LD stack, which the web
// page does not load.
export * from "./context";
export * from "./document-loader";
export * from "./keys";
export * from "./sign";
export * from "./verify";
export * from "./status-list";
export * from "./verify-credential";
