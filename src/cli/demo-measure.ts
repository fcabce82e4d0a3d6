/**
 * How long the sandbox took to serve a new version: from the end of a deploy stage (wrangler
 * has exited and reported the version) to the first answer from that version on the traffic
 * port, taken from the sandbox's own traffic records.
 */
import type { PipelineResult, StageName } from "../core/types.js";
import type { TrafficRecord } from "../sandbox/index.js";

/** One deploy and when its version first answered. */
export interface ServeSample {
  readonly environment: string;
  readonly versionId: string;
  readonly deployEndedAt: number;
  /** Milliseconds from the deploy's end to the end of the first answer of the new version. */
  readonly serveMs: number;
}

interface DeployFact {
  readonly stage: StageName;
  readonly environment: string;
  readonly script: string;
  readonly versionId: string | undefined;
}

/** The serve time of every deploy of a run whose version answered at least once. */
export function serveSamples(
  result: PipelineResult,
  traffic: readonly TrafficRecord[],
  scriptOf: (environment: string) => string,
  environments: { staging: string; production: string },
): ServeSample[] {
  const deploys: DeployFact[] = [
    {
      stage: "staging-deploy",
      environment: environments.staging,
      script: scriptOf(environments.staging),
      versionId: result.stagingVersionId,
    },
    {
      stage: "production-deploy",
      environment: environments.production,
      script: scriptOf(environments.production),
      versionId: result.productionVersionId,
    },
  ];
  return deploys.flatMap((deploy) => {
    const stage = result.stages.find((s) => s.stage === deploy.stage && s.status === "passed");
    if (!stage || !deploy.versionId) return [];
    const first = traffic.find((r) => r.script === deploy.script && sameId(r.versionId, deploy.versionId) && r.at + r.ms >= stage.endedAt);
    if (!first) return [];
    return [
      {
        environment: deploy.environment,
        versionId: deploy.versionId,
        deployEndedAt: stage.endedAt,
        serveMs: Math.max(0, first.at + first.ms - stage.endedAt),
      },
    ];
  });
}

/** The median of the samples' serve times (undefined without samples). */
export function medianServeMs(samples: readonly ServeSample[]): number | undefined {
  const sorted = samples.map((s) => s.serveMs).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.replace(/-/g, "").toLowerCase() === b.replace(/-/g, "").toLowerCase();
}
