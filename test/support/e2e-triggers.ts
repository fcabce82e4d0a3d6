import { deploySplit, uploadVersion } from "../sandbox/direct-api.js";
import type { World } from "./e2e-world.js";

/**
 * Someone else's deploy straight through the API (as another pipeline or a person would), at
 * 100%. Their Worker answers `status` and names no version (it has no version-metadata header).
 */
export async function deployTheirs(world: World, status: number, script = "sample-worker-production"): Promise<string> {
  const source = `export default { fetch() { return new Response("theirs", { status: ${status} }); } };`;
  const versionId = await uploadVersion(world.sandbox, script, source);
  const { envelope } = await deploySplit(world.sandbox, script, [[versionId, 100]]);
  if (!envelope.success) throw new Error(`their deploy failed: ${JSON.stringify(envelope.errors)}`);
  return versionId;
}

/** Runs `action` once, `delayMs` after `pattern` first shows in the action's log. */
export function when(pattern: RegExp, action: () => Promise<unknown> | unknown, delayMs = 0) {
  let seen = "";
  let fired: Promise<unknown> | undefined;
  return {
    done: () => fired,
    onStdout(text: string) {
      seen += text;
      if (!fired && pattern.test(seen)) fired = new Promise((r) => setTimeout(r, delayMs)).then(action);
    },
  };
}
