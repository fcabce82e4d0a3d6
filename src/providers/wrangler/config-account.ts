/**
 * A wrangler config's `account_id` silently beats `CLOUDFLARE_ACCOUNT_ID`, so a run given one
 * account can deploy to another. This reads the config's ids (a plain text scan, enough for a
 * warning; no TOML or JSONC parser needed) and says so when they differ from the input.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;
const TOML_ACCOUNT_ID = /^\s*account_id\s*=\s*["']([^"']*)["']/gm;
const JSON_ACCOUNT_ID = /"account_id"\s*:\s*"([^"]*)"/g;

/** The account ids a wrangler config names (top level and per environment), with the file's name. */
export async function readConfigAccountIds(
  workingDirectory: string,
): Promise<{ file: string; accountIds: string[] } | undefined> {
  for (const file of CONFIG_FILES) {
    let text: string;
    try {
      text = await readFile(join(workingDirectory, file), "utf8");
    } catch {
      continue;
    }
    const pattern = file.endsWith(".toml") ? TOML_ACCOUNT_ID : JSON_ACCOUNT_ID;
    const accountIds = [...text.matchAll(pattern)].map((match) => match[1] ?? "").filter((id) => id !== "");
    return { file, accountIds: [...new Set(accountIds)] };
  }
  return undefined;
}

/** A warning when the config's `account_id` differs from the `cloudflare-account-id` input; else `undefined`. */
export async function accountIdWarning(workingDirectory: string, accountId: string | undefined): Promise<string | undefined> {
  if (!accountId) return undefined;
  const config = await readConfigAccountIds(workingDirectory);
  const others = config?.accountIds.filter((id) => id !== accountId) ?? [];
  if (!config || others.length === 0) return undefined;
  return (
    `${config.file} sets account_id ${others.join(", ")}, which differs from the cloudflare-account-id input; ` +
    `wrangler uses the config's value. Remove account_id from ${config.file} or make them match.`
  );
}
