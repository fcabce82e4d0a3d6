import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { chooseTarget, runEmergencyRollback } from "../../../src/core/emergency.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import type { DeploymentRecorder, Publisher } from "../../../src/core/ports.js";
import type { DeploymentInfo, LiveState, VersionInfo } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const A = "aaaaaaaa-1111-4111-8111-000000000001";
const B = "bbbbbbbb-2222-4222-8222-000000000002";
const C = "cccccccc-3333-4333-8333-000000000003";

const one = (versionId: string) => [{ versionId, percentage: 100 }];
const deployment = (deploymentId: string, allocation: LiveState["allocation"]): DeploymentInfo => ({ deploymentId, allocation });
const versions: VersionInfo[] = [
  { versionId: C, tag: "v1.2.0", createdOn: "2026-01-03T00:00:00Z" },
  { versionId: B, tag: "v1.1.0", createdOn: "2026-01-02T00:00:00Z" },
  { versionId: A, tag: "v1.0.0", createdOn: "2026-01-01T00:00:00Z" },
];

function choose(requested: string | undefined, live: LiveState, deployments: DeploymentInfo[]) {
  return chooseTarget({ requested, tagPrefix: "v", live, deployments, versions });
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("chooseTarget", () => {
  const live: LiveState = { deploymentId: "d3", allocation: one(C) };
  const history = [deployment("d3", one(C)), deployment("d2", one(B)), deployment("d1", one(A))];

  it("defaults to the newest earlier deployment that served one version at 100%", () => {
    expect(choose(undefined, live, history)).toMatchObject({ versionId: B, tag: "v1.1.0", how: expect.stringMatching(/previous stable/) });
  });

  it("skips split deployments and redeploys of what is live when looking for the previous one", () => {
    const split = [
      deployment("d5", one(C)),
      deployment("d4", [
        { versionId: C, percentage: 50 },
        { versionId: B, percentage: 50 },
      ]),
      deployment("d3", one(C)),
      deployment("d1", one(A)),
    ];
    expect(choose(undefined, { deploymentId: "d5", allocation: one(C) }, split).versionId).toBe(A);
  });

  it("takes a version id, in any case and with or without dashes", () => {
    expect(choose(A, live, history)).toMatchObject({ versionId: A, tag: "v1.0.0", how: "version id" });
    expect(choose(A.toUpperCase().replace(/-/g, ""), live, history).versionId).toBe(A);
  });

  it("maps a release tag to its version through the tag annotation, with or without the prefix", () => {
    expect(choose("v1.0.0", live, history)).toMatchObject({ versionId: A, tag: "v1.0.0", how: "release tag v1.0.0" });
    expect(choose("1.1.0", live, history).versionId).toBe(B);
  });

  it("takes the newest version when a tag was uploaded twice (a re-run)", () => {
    const twice: VersionInfo[] = [
      ...versions,
      { versionId: "dddddddd-4444-4444-8444-000000000004", tag: "v1.0.0", createdOn: "2026-01-04T00:00:00Z" },
    ];
    const picked = chooseTarget({ requested: "v1.0.0", tagPrefix: "v", live, deployments: history, versions: twice });
    expect(picked.versionId).toBe("dddddddd-4444-4444-8444-000000000004");
  });

  it("refuses what production already serves, by id or by tag", () => {
    expect(refusal(() => choose(C, live, history)).message).toMatch(/already serves/);
    expect(refusal(() => choose("v1.2.0", live, history)).message).toMatch(/already serves .*v1\.2\.0/);
  });

  it("refuses an unknown version id or tag, naming the input and the value", () => {
    const id = refusal(() => choose("eeeeeeee-5555-4555-8555-000000000005", live, history));
    expect(id.message).toMatch(/rollback-target.*eeeeeeee-5555/);
    expect(refusal(() => choose("v9.9.9", live, history)).message).toMatch(/`rollback-target`.*"v9\.9\.9"/);
  });

  it("skips versions shipline rolled back from, even when the live deployment is the one that says so", () => {
    const rolledBack = { ...deployment("d4", one(B)), message: `shipline: rolled back ${C}: v1.2.0 gate-failed` };
    const history = [rolledBack, deployment("d3", one(C)), deployment("d2", one(B)), deployment("d1", one(A))];
    expect(choose(undefined, rolledBack, history).versionId).toBe(A);
  });

  it("refuses when there is no earlier stable deployment", () => {
    expect(refusal(() => choose(undefined, live, [deployment("d3", one(C))])).message).toMatch(/no earlier production deployment/);
  });
});

/** A recorder and publisher that remember what they were told. */
function github() {
  const statuses: string[] = [];
  const notes: Array<{ tag: string; note: string }> = [];
  const recorder: DeploymentRecorder = {
    start: async (environment) => (statuses.push(`${environment}:created`), "1"),
    update: async (_handle, state, info) => void statuses.push(`${state}:${info.description ?? ""}`),
  };
  const publisher: Publisher = {
    listTags: async () => [],
    publish: async () => ({ releaseTag: "", actions: [] }),
    noteRollback: async (tag, note) => void notes.push({ tag, note }),
  };
  return { statuses, notes, recorder, publisher };
}

function setup(emergency: { target?: string; reason: string }) {
  const deployer = new FakeDeployer();
  deployer.seed("production", A, { tag: "v1.0.0" });
  deployer.seed("production", B, { tag: "v1.1.0" });
  const gh = github();
  const deps: PipelineDeps = {
    deployer,
    probe: deployer.probe(),
    clock: new VirtualClock(),
    logger: memoryLogger(),
    recorder: gh.recorder,
    publisher: gh.publisher,
  };
  const config = testConfig({ mode: "rollback", production: { url: "https://production.example.test" }, emergency });
  return { deployer, deps, config, gh };
}

describe("runEmergencyRollback", () => {
  it("rolls back to the previous version, reads it back, proves it healthy, and notes it on the release", async () => {
    const s = setup({ reason: "500s after v1.1.0" });
    const result = await runEmergencyRollback(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    expect(result.rollbackVersionId).toBe(A);
    expect(result.previousVersionId).toBe(B);
    expect(s.deployer.live("production")?.allocation).toEqual(one(A));
    expect(s.deployer.calls.find((c) => c.method === "restore")?.args).toEqual({
      allocation: [{ versionId: A, percentage: 100 }],
      urgent: false,
    });
    expect(result.stages.map((st) => `${st.stage}:${st.status}`)).toEqual([
      "resolve:passed",
      "rollback:passed",
      "rollback-verify:passed",
      "health:passed",
    ]);
    expect(s.gh.statuses).toEqual(["production:created", "in_progress:restoring v1.0.0", `success:rolled back to v1.0.0 (${A})`]);
    expect(s.gh.notes).toEqual([{ tag: "v1.1.0", note: expect.stringContaining("500s after v1.1.0") }]);
  });

  it("changes nothing and writes no record when the target is refused", async () => {
    const s = setup({ target: B, reason: "oops" });
    const result = await runEmergencyRollback(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/Rollback refused, nothing changed.*already serves/);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(s.gh.statuses).toEqual([]);
  });

  it("requires a reason", async () => {
    const s = setup({ reason: "" });
    const result = await runEmergencyRollback(s.config, s.deps, new AbortController().signal);
    expect(result.message).toContain("`rollback-reason`");
    expect(s.deployer.calls).toEqual([]);
  });

  it("reports rollback-failed with the manual command when the read-back does not show the target", async () => {
    const s = setup({ reason: "bad" });
    s.deployer.faults.push({ method: "restore", environment: "production" });
    const result = await runEmergencyRollback(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.manualCommand).toContain(A);
    expect(s.gh.statuses.at(-1)).toMatch(/^failure:/);
  });

  it("reports rollback-failed when the restored version is unhealthy", async () => {
    const s = setup({ reason: "bad" });
    s.deployer.healthy.set(A, false);
    const result = await runEmergencyRollback(s.config, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(result.message).toMatch(/failed the health gate/);
  });

  it("lets a rollback already under way finish and be read back when cancelled, and does not claim success", async () => {
    const s = setup({ reason: "bad" });
    const controller = new AbortController();
    const deps: PipelineDeps = {
      ...s.deps,
      onEvent: (event) => event.type === "stage-start" && event.stage === "health" && controller.abort(new Error("SIGINT")),
    };
    const result = await runEmergencyRollback(s.config, deps, controller.signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/Cancelled: production was rolled back to .* and read back/);
    expect(s.deployer.live("production")?.allocation).toEqual(one(A));
    expect(s.gh.statuses.at(-1)).toMatch(/^failure:.*cancelled/);
    expect(s.gh.notes).toHaveLength(1);
  });

  it("changes nothing when cancelled before the rollback", async () => {
    const s = setup({ reason: "bad" });
    const controller = new AbortController();
    controller.abort(new Error("SIGINT"));
    const result = await runEmergencyRollback(s.config, s.deps, controller.signal);
    expect(result.result).toBe("failed");
    expect(s.deployer.writes("production")).toEqual([]);
  });
});

describe("emergency rollback progress", () => {
  it("reports every measurement of the restored version's health gate as an event", async () => {
    const deployer = new FakeDeployer();
    deployer.seed("production", "a");
    deployer.seed("production", "b");
    const gates: string[] = [];
    const config = testConfig({
      mode: "rollback",
      production: { url: "https://production.example.test" },
      emergency: { reason: "b is broken" },
    });
    const result = await runEmergencyRollback(
      config,
      {
        deployer,
        probe: deployer.probe(),
        clock: new VirtualClock(),
        logger: memoryLogger(),
        onEvent: (e) => void (e.type === "measurement" && gates.push(e.gate)),
      },
      new AbortController().signal,
    );
    expect(result.result).toBe("rolled-back");
    expect(gates).toEqual(["rollback-health", "rollback-health", "rollback-health"]);
  });
});
