// Child-process entry of P4's fetch client (bench/lib/fetch-client.ts): loads TypeScript through
// tsx, then the client loop.
require("tsx/cjs");
require("./fetch-client.ts").serveParent();
