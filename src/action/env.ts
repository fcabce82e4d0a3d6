export type Env = Record<string, string | undefined>;

/** The environment without unset entries, as child processes take it. */
export function definedEnv(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
