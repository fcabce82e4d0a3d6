import * as core from "@actions/core";
import type { Logger } from "../../core/ports.js";

/**
 * Logger over the Actions toolkit: warnings and errors become annotations, stages become
 * collapsible groups. The runner cannot nest groups, so an inner group just runs its body.
 */
export function createActionsLogger(): Logger {
  let depth = 0;
  return {
    info: (message) => core.info(message),
    warn: (message) => core.warning(message),
    error: (message) => core.error(message),
    debug: (message) => core.debug(message),
    async group(name, fn) {
      if (depth > 0) return fn();
      depth++;
      core.startGroup(name);
      try {
        return await fn();
      } finally {
        core.endGroup();
        depth--;
      }
    },
  };
}
