/**
 * Which version of a script answers a request: the `Cloudflare-Workers-Version-Overrides`
 * header when it names a version of the current deployment, else a deterministic weighted
 * rotation over the deployment's percentages.
 */
import type { DeploymentRecord } from "./store.js";

export const VERSION_OVERRIDES_HEADER = "cloudflare-workers-version-overrides";

/**
 * Parses the override header, a structured-field dictionary such as
 * `my-worker="dc8dcd28-271b-4367-9840-6c244f84cb40", other="..."`, into script → version id.
 */
export function parseVersionOverrides(header: string | null | undefined): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const member of (header ?? "").split(",")) {
    const found = /^\s*([A-Za-z0-9_.*-]+)\s*=\s*"([^"]*)"\s*$/.exec(member);
    if (found?.[1] && found[2]) overrides.set(found[1], found[2]);
  }
  return overrides;
}

interface RotationState {
  readonly deploymentId: string;
  readonly credit: number[];
}

/**
 * Smooth weighted round-robin per script (the nginx algorithm): over every 100 requests a
 * version at p% answers exactly p of them, interleaved rather than in runs, so a short gate
 * sees the split it asked for.
 */
export class WeightedRotation {
  readonly #states = new Map<string, RotationState>();

  /** The version id answering the next request to `script` under `deployment`. */
  next(script: string, deployment: DeploymentRecord): string | undefined {
    const versions = deployment.versions.filter((v) => v.percentage > 0);
    if (versions.length <= 1) return versions[0]?.version_id;
    const state = this.#state(script, deployment, versions.length);
    let best = 0;
    versions.forEach((v, i) => {
      state.credit[i] = (state.credit[i] ?? 0) + v.percentage;
      if ((state.credit[i] ?? 0) > (state.credit[best] ?? 0)) best = i;
    });
    state.credit[best] = (state.credit[best] ?? 0) - versions.reduce((sum, v) => sum + v.percentage, 0);
    return versions[best]?.version_id;
  }

  #state(script: string, deployment: DeploymentRecord, size: number): RotationState {
    const existing = this.#states.get(script);
    if (existing?.deploymentId === deployment.id) return existing;
    const fresh = { deploymentId: deployment.id, credit: new Array<number>(size).fill(0) };
    this.#states.set(script, fresh);
    return fresh;
  }
}

/** The version to run: a valid override for this script wins over the rotation. */
export function chooseVersion(
  script: string,
  deployment: DeploymentRecord,
  overrideHeader: string | null | undefined,
  rotation: WeightedRotation,
): string | undefined {
  const wanted = parseVersionOverrides(overrideHeader).get(script);
  // The platform ignores an override for a version outside the current deployment.
  const pinned = deployment.versions.find((v) => wanted !== undefined && sameId(v.version_id, wanted));
  return pinned?.version_id ?? rotation.next(script, deployment);
}

function sameId(a: string, b: string): boolean {
  return a.replaceAll("-", "").toLowerCase() === b.replaceAll("-", "").toLowerCase();
}
