/**
 * The environment child processes get. Apart from process-tree.ts so that what runs before the
 * rest of the action is loaded (the action's first read of production) can use it without
 * loading the process machinery.
 */
export type ChildEnv = Readonly<Record<string, string | undefined>>;

/** Names the GitHub runner uses to pass `with:` inputs (`INPUT_GITHUB-TOKEN`), in any case. */
const INPUT_VARIABLE = /^input_/i;

/** The environment a child gets: unset entries and every `INPUT_*` variable removed. */
export function childEnv(env: ChildEnv): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !INPUT_VARIABLE.test(name)) clean[name] = value;
  }
  return clean;
}
