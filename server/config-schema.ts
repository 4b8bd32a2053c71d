/**
 * The environment the service reads, as a JSON Schema: server/config.ts validates with it and derives
 * its types from it, and docs/configuration.md is generated from it (`npm run docs:config`).
 */
export const configSchema = {
  type: "object",
  required: ["RPC_URL", "CHAIN_ID", "REGISTRY_ADDRESS", "ISSUER_PRIVATE_KEY"],
  properties: {
    HOST: {
      type: "string",
      default: "127.0.0.1",
      description: "Address the server listens on (`0.0.0.0`: every interface; then set PUBLIC_URL).",
    },
    PORT: {
      type: "integer",
      minimum: 0,
      maximum: 65535,
      default: 3000,
      description: "Port the server listens on; `0` picks any free port.",
    },
    DATABASE_URL: {
      type: "string",
      minLength: 1,
      default: "file:.credroot/credroot.db",
      description:
        "`postgres://user:password@host:5432/db` (or `postgresql://…`, with libpq options such as `?sslmode=require`), or a SQLite file: `file:path`, a path, or `:memory:`.",
    },
    DATABASE_POOL_SIZE: {
      type: "integer",
      minimum: 1,
      maximum: 1000,
      default: 10,
      description: "PostgreSQL only: the most connections each instance opens.",
    },
    RPC_URL: {
      type: "string",
      pattern: "^https?://",
      description:
        "JSON-RPC endpoint of the chain the registry lives on (`npm start` embeds a chain when it is unset).",
    },
    CHAIN_ID: {
      type: "integer",
      minimum: 1,
      description:
        "The chain's id: checked against RPC_URL at start-up, then taken on trust (no call spent detecting it).",
    },
    REGISTRY_ADDRESS: {
      type: "string",
      pattern: "^0x[0-9a-fA-F]{40}$",
      description:
        "The deployed `CredentialRegistry` (from `deployments/<chainId>.json`); it must hold code on that chain.",
    },
    ISSUER_PRIVATE_KEY: {
      type: "string",
      pattern: "^(0x)?[0-9a-fA-F]{64}$",
      description: "Key of the issuer signer that anchors and revokes; never logged.",
    },
    FINALITY: {
      type: "string",
      pattern: "^(finalized|[1-9][0-9]{0,3})$",
      default: "finalized",
      description:
        "When an anchored batch is `final`: `finalized` (the chain's finalized block passed it; mainnet and L2s) or a number of confirmations (local chains).",
    },
    TRUSTED_REGISTRIES: {
      type: "string",
      default: "",
      description: "More registries `POST /v1/verify` trusts besides its own: `chainId:0xRegistry@rpcUrl,…`.",
    },
    RATE_LIMIT_PER_MINUTE: {
      type: "integer",
      minimum: 1,
      default: 600,
      description: "Requests per minute per client IP on the public routes.",
    },
    READY_RATE_LIMIT_PER_MINUTE: {
      type: "integer",
      minimum: 1,
      default: 60,
      description: "Requests per minute per client IP on `/ready` (each asks the database and the chain).",
    },
    ISSUER_RATE_LIMIT_PER_MINUTE: {
      type: "integer",
      minimum: 1,
      default: 6000,
      description: "Requests per minute per issuer (API key's issuer) on each issuer route.",
    },
    BODY_LIMIT: {
      type: "integer",
      minimum: 1024,
      default: 128 * 1024 * 1024,
      description:
        "Largest request body in bytes (128 MiB; a CSV of 100,000 credentials is about 60 MB); public routes have smaller limits of their own.",
    },
    REQUEST_TIMEOUT_MS: {
      type: "integer",
      minimum: 1000,
      default: 120_000,
      description: "Request and connection timeout, in milliseconds.",
    },
    WORKER_INTERVAL_MS: {
      type: "integer",
      minimum: 10,
      default: 1000,
      description: "How often (ms) the anchoring outbox looks at its queue; it is also woken on each submission.",
    },
    STUCK_AFTER_MS: {
      type: "integer",
      minimum: 1000,
      default: 180_000,
      description: "A transaction unmined this long (ms) is replaced: same nonce, fees at least 12.5% higher.",
    },
    LEASE_TTL_MS: {
      type: "integer",
      minimum: 100,
      default: 15_000,
      description:
        "The signer's lease (ms), renewed by the first pass after half of it has passed: another instance takes over this long after its holder dies. Must be more than twice WORKER_INTERVAL_MS.",
    },
    REGISTRY_FROM_BLOCK: {
      type: "integer",
      minimum: 0,
      default: 0,
      description:
        "The registry's deployment block (`blockNumber` in `deployments/<chainId>.json`): event searches, 2,000 blocks per request newest first, stop there.",
    },
    VERIFY_CACHE_MS: {
      type: "integer",
      minimum: 0,
      default: 0,
      description:
        "`POST /v1/verify` caches registry answers per block, polling the block number this often (ms); `0` turns the cache off.",
    },
    PUBLIC_URL: {
      type: "string",
      pattern: "^https?://",
      description:
        "Base URL of share links (`/v/<id>`) and their QR codes; without it `http://HOST:PORT`, never the request's Host header. Set it when HOST is `0.0.0.0`.",
    },
    STATUS_LIST_BASE_URL: {
      type: "string",
      pattern: "^https?://",
      description:
        "Base of the status list URLs signed credentials name (`<this>/<issuerId>`); default: the service's `/v1/status-lists`. Set it to host lists written by `npm run status-list` elsewhere.",
    },
    WEB_RPC_URL: {
      type: "string",
      pattern: "^https?://",
      description:
        "JSON-RPC URL the web verifier page (the browser) uses, published in `/config.json`, so never one carrying an API key. Without it: RPC_URL when its host is loopback, else none (the page asks the person).",
    },
    BADGE_IMAGE_DIR: {
      type: "string",
      minLength: 1,
      description:
        "Folder of badge images (PNG or SVG, at most 128 KiB each): `<issuerId>/<achievement>.png` (or `.svg`) for one achievement (its title in lower case, every run of other characters than a-z and 0-9 as `-`), else `<issuerId>.png` (or `.svg`) for the issuer. Unset, or no file: a generated image. An achievement's own image URL is never fetched.",
    },
    LOG_LEVEL: {
      type: "string",
      enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      default: "info",
      description: "Log level (pino).",
    },
    ISSUER_SIGNING_KEY: {
      type: "string",
      pattern: "^(0x)?[0-9a-fA-F]{64}$",
      description:
        "Master secret (32 bytes, hex) each issuer's Ed25519 signing key (a did:key) derives from, with HKDF-SHA256; never logged. " +
        "Unset: the service creates one on first start and keeps it in its database. `npm run issuer-did -- --issuer <id>` prints an issuer's DID.",
    },
  },
} as const;
