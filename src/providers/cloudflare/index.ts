/** The Cloudflare API requests shipline makes without wrangler: reads of what a Worker serves, and the urgent restore. */
export {
  CloudflareApi,
  DEFAULT_API_TIMEOUT_MS,
  WORKER_NOT_FOUND_CODES,
  SECRETS_CHANGED_CODE,
  type CloudflareApiOptions,
  type CloudflareAuth,
  type CloudflareAccount,
  type FetchLike,
  type WorkerRef,
} from "./api.js";
export {
  connectionFor,
  apiBaseUrl,
  credentialsFrom,
  wranglerVisibleEnv,
  DEFAULT_API_BASE_URL,
  type Connection,
  type ConnectionOptions,
} from "./connection.js";
export { resolveAccountId, wranglerCacheFolder, type AccountLookup, type AccountSource } from "./account.js";
