// autocannon worker-thread entry for `setupClient` (a file path in workers mode): loads TypeScript
// through tsx, then the client setup.
require("tsx/cjs");
module.exports = require("./fresh-client.ts").setupFreshClient;
