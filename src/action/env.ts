import { childEnv } from "../providers/system/child-env.js";

export type Env = Record<string, string | undefined>;

/**
 * The environment as child processes (wrangler, the smoke command) take it: unset entries and
 * the action's own `INPUT_*` variables removed, since those hold every token given in `with:`.
 */
export function definedEnv(env: Env): Record<string, string> {
  return childEnv(env);
}
