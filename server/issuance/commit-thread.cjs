// Worker-thread entry: loads TypeScript through tsx, then the committing loop.
require("tsx/cjs");
require("./commit-thread.ts");
