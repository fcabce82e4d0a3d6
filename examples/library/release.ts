// Runs one release from code: staging → smoke gate → production → health gate → automatic
// rollback, with the same engine and providers the GitHub Action uses.
import {
  createFetchProbe,
  locateWrangler,
  resolveConfig,
  runPipeline,
  systemClock,
  WranglerDeployer,
  type Logger,
} from "../../src/index.js";

const logger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
  error: (message) => console.error(`error: ${message}`),
  debug: () => {},
  group: async (name, fn) => {
    console.log(`── ${name}`);
    return fn();
  },
};

// The same names and rules as the action's inputs; .github/shipline.yml text can be passed as `configText`.
const { config, runtime } = resolveConfig({
  inputs: {
    version: "v1.4.0",
    "staging-url": "https://staging.example.com",
    "production-url": "https://example.com",
    "health-path": "/api/health",
  },
  env: { GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567" },
});

const wrangler = await locateWrangler({ workingDirectory: config.workingDirectory, cacheDir: "/tmp/shipline-tools" });
// Writes run wrangler; reads of what production serves are Cloudflare API requests with the
// Worker, account and credentials wrangler would use.
const deployer = new WranglerDeployer({
  wrangler,
  workingDirectory: config.workingDirectory,
  env: process.env,
  apiToken: process.env["CLOUDFLARE_API_TOKEN"],
  accountId: process.env["CLOUDFLARE_ACCOUNT_ID"],
  logger,
});

const result = await runPipeline(
  config,
  { deployer, probe: createFetchProbe(), clock: systemClock, logger },
  AbortSignal.timeout(30 * 60_000),
);
console.log(`${result.result}: ${result.message}`);
console.log(`wrangler ${wrangler.version}, range ${runtime.wranglerVersion}`);
