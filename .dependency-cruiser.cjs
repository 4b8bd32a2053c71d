// The layers of credroot and which way their imports may point (`npm run lint:layers`, part of `npm test`).
// Each rule names the room it protects; docs/architecture.md draws the same picture.
const ROOMS = "server|cli|deploy|harness|test|bench|scripts|web";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle makes load order matter and the layers impossible to read.",
      from: {},
      to: { circular: true },
    },
    {
      name: "library-is-browser-safe",
      severity: "error",
      comment: "src/ (but src/node/) is bundled for the web page: no Node built-ins, no Node-only room.",
      from: { path: "^src/", pathNot: "^src/node/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "library-stands-alone",
      severity: "error",
      comment: "The library imports only itself and npm packages, never the CLI, the service or tooling.",
      from: { path: "^src/" },
      to: { path: `^(${ROOMS})/` },
    },
    {
      name: "browser-safe-library-not-node-room",
      severity: "error",
      comment: "Browser-safe library files cannot pull in src/node/ (Node only).",
      from: { path: "^src/", pathNot: "^src/node/" },
      to: { path: "^src/node/" },
    },
    {
      name: "web-is-browser-safe",
      severity: "error",
      comment: "The web pages run in a browser: the browser-safe library only, no Node built-ins.",
      from: { path: "^web/" },
      to: { path: ["^src/node/", `^(server|cli|deploy|harness|test|bench|scripts)/`] },
    },
    {
      name: "web-no-node-builtins",
      severity: "error",
      from: { path: "^web/src/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "cli-is-a-client",
      severity: "error",
      comment:
        "The CLI talks to the service over HTTP and to the chain through the library, never imports the service.",
      from: { path: "^cli/" },
      to: { path: "^(server|harness|test|bench|scripts|web)/" },
    },
    {
      name: "service-not-cli",
      severity: "error",
      comment: "The service does not depend on the CLI, tooling or tests.",
      from: { path: "^server/" },
      to: { path: "^(cli|deploy|harness|test|bench|scripts)/" },
    },
    {
      name: "deploy-stands-alone",
      severity: "error",
      comment: "Deployment tooling uses the library only.",
      from: { path: "^deploy/" },
      to: { path: "^(server|cli|harness|test|bench|scripts|web)/" },
    },
    {
      name: "only-tests-import-tests",
      severity: "error",
      comment: "Benchmarks, scripts and the harness share harness/, never test/.",
      from: { pathNot: "^test/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|artifacts|cache|coverage|out|web/dist|test-results)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
