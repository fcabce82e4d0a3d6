/**
 * Approval → live in one call (issue 13): a `gradual` release with an issue approval, run as the
 * built action against the sandbox (real wrangler) and the fake GitHub, on the real clock. The
 * production version is uploaded during the wait; once the upload is logged, an approving
 * comment is posted at a random point of the 2 s poll cycle, and the time to the production
 * deploy request (the `POST …/deployments` of `wrangler versions deploy`) is measured, split
 * into its parts.
 */
import { writeSampleWorker } from "../src/sandbox/index.js";
import { runAction, spread, type ActionWorld, type Spread } from "./process-bench.js";

const PRODUCTION = "sample-worker-production";
const PRODUCTION_DEPLOYMENTS = new RegExp(`/workers/scripts/${PRODUCTION}/deployments$`);
const COMMENTS = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/;
/** The faster poll of a release that goes live on approval (`LIVE_POLL_INTERVAL_MS`). */
const POLL_MS = 2_000;

const INPUTS = {
  approval: "issue",
  approvers: "alice",
  strategy: "gradual",
  "rollout-steps": "100",
  "smoke-interval": "1s",
  "health-count": "1",
  "health-interval": "1s",
};

export interface ApprovalLiveFigures {
  /** Approving comment posted → production deploy request received by the sandbox. */
  readonly commentToDeploy: Spread;
  /** Comment → the comments poll that saw it (the poll wait). */
  readonly commentToSeen: Spread;
  /** That poll → shipline's fresh read of the anchor (the issue is closed after the deploy request). */
  readonly seenToAnchor: Spread;
  /** Anchor read → deploy request: starting `wrangler versions deploy` and its own reads. */
  readonly anchorToDeploy: Spread;
  readonly results: readonly string[];
  /** Whether every sample went live on the version uploaded during the wait, with no upload after the comment. */
  readonly oneCall: boolean;
}

/** Runs `samples` approved gradual releases and measures approving comment → production deploy request. */
export async function measureApprovalLive(world: ActionWorld, samples = 3): Promise<ApprovalLiveFigures> {
  const polls: Array<{ at: number; issue: number }> = [];
  const unhook = world.github.onRequest((r) => {
    const match = r.method === "GET" ? COMMENTS.exec(r.path) : null;
    if (match) polls.push({ at: Date.now(), issue: Number(match[1]) });
  });
  const parts = { total: [] as number[], seen: [] as number[], anchor: [] as number[], wrangler: [] as number[] };
  const results: string[] = [];
  let oneCall = true;
  try {
    for (let i = 0; i < samples; i++) {
      const tag = `v3.${i}.0`;
      await writeSampleWorker(world.dir, { label: `bench-live-${tag}` });
      let posted: Promise<{ at: number; issue: number }> | undefined;
      const uploaded = new RegExp(`Uploaded ${tag.replace(/\./g, "\\.")} to production: version (\\S+);`);
      let uploadedId: string | undefined;
      const run = await runAction(world, tag, INPUTS, undefined, (stdout) => {
        const match = posted ? null : uploaded.exec(stdout);
        if (!match) return;
        uploadedId = match[1];
        posted = commentWhenOpen(world, tag, Math.random() * POLL_MS);
      });
      results.push(run.result);
      if (!posted) throw new Error(`${tag}: the run never logged its upload during the wait:\n${run.stdout}`);
      const comment = await posted;
      const after = world.sandbox.requests.filter((r) => r.at >= comment.at && r.script === PRODUCTION);
      const deploy = after.find((r) => r.method === "POST" && PRODUCTION_DEPLOYMENTS.test(r.path));
      const seen = polls.find((p) => p.issue === comment.issue && p.at >= comment.at);
      const anchor = seen ? after.find((r) => r.method === "GET" && PRODUCTION_DEPLOYMENTS.test(r.path) && r.at >= seen.at) : undefined;
      if (!deploy || !seen || !anchor) throw new Error(`${tag}: no deploy request after the comment (result ${run.result})`);
      const shifted = (deploy.body as { versions?: Array<{ version_id?: string }> } | undefined)?.versions?.[0]?.version_id;
      const uploadsAfter = after.filter((r) => r.method === "POST" && r.path.endsWith(`/scripts/${PRODUCTION}/versions`)).length;
      if (shifted !== uploadedId || uploadsAfter > 0) oneCall = false;
      parts.total.push(deploy.at - comment.at);
      parts.seen.push(seen.at - comment.at);
      parts.anchor.push(anchor.at - seen.at);
      parts.wrangler.push(deploy.at - anchor.at);
    }
  } finally {
    unhook();
  }
  return {
    commentToDeploy: spread(parts.total),
    commentToSeen: spread(parts.seen),
    seenToAnchor: spread(parts.anchor),
    anchorToDeploy: spread(parts.wrangler),
    results,
    oneCall,
  };
}

/** Prints the figures, one line each, with `line(label, value, target, note)`. */
export function approvalLiveLines(
  f: ApprovalLiveFigures,
  line: (label: string, value: string, target?: string, note?: string) => void,
): void {
  const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : "n/a");
  const range = (s: Spread) => `min ${ms(s.minMs)}, max ${ms(s.maxMs)}`;
  const n = f.commentToDeploy.samples.length;
  line(
    `approving comment → production deploy request (median of ${n})`,
    ms(f.commentToDeploy.medianMs),
    "≤ 3000 ms",
    `${range(f.commentToDeploy)}; results ${f.results.join(", ")}; ${f.oneCall ? "each went live on the version uploaded during the wait, no upload after the comment" : "NOT one call: an upload after the comment, or another version deployed"}`,
  );
  line("  comment → the poll that saw it", ms(f.commentToSeen.medianMs), "≤ 2000 ms", range(f.commentToSeen));
  line("  that poll → fresh anchor read (shipline; the issue closes after)", ms(f.seenToAnchor.medianMs), "", range(f.seenToAnchor));
  line("  anchor read → deploy request (wrangler versions deploy start)", ms(f.anchorToDeploy.medianMs), "", range(f.anchorToDeploy));
}

/** Once the approval issue of `tag` is open, waits `delayMs` and posts alice's approval on it. */
async function commentWhenOpen(world: ActionWorld, tag: string, delayMs: number): Promise<{ at: number; issue: number }> {
  const title = `Approve release ${tag} to production`;
  for (;;) {
    const issue = world.github.state.issues.find((i) => i.title === title);
    if (issue) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      world.github.addComment(issue.number, "alice", "approve");
      return { at: Date.now(), issue: issue.number };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
