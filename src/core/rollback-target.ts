/** What `rollback-target` may be: a Worker version id or a release tag; with several Workers, a tag only. */
import { ConfigError } from "./errors.js";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A Worker version id (a UUID, with or without dashes), as `rollback-target` may name one. */
export function isVersionId(value: string): boolean {
  return UUID.test(value);
}

/**
 * Refuses a `rollback-target` that is a version id when several Workers roll back: an id names
 * one Worker's version, so it cannot say what the others go back to. A release tag can (each
 * Worker's version uploaded with it), and so can no value (each Worker's previous stable deployment).
 */
export function checkSeveralWorkersTarget(requested: string | undefined, workers: number): void {
  if (!requested || !isVersionId(requested)) return;
  throw new ConfigError(
    "rollback-target",
    `Input \`rollback-target\` has the value "${requested}", a Worker version id, but the config file lists ${workers} Workers (\`workers\`): ` +
      "a version id belongs to one Worker only. Expected a release tag (such as v1.2.3) that every Worker's version was uploaded with, " +
      "or no value (each Worker goes back to its own previous stable deployment).",
  );
}
