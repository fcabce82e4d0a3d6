import { describe, expect, it } from "vitest";
import { runMultiRollback } from "../../../src/core/multi-rollback.js";
import type { WorkerUnit } from "../../../src/core/multi.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import type { Deployer, DeploymentRecorder, HttpProbe } from "../../../src/core/ports.js";
import { rollbackMessage } from "../../../src/core/recovery.js";
import { renderSummary, toOutputs } from "../../../src/core/report.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const NAMES = ["api", "web"] as const;
type Name = (typeof NAMES)[number];

/** Every production write, as `worker:method`, across Workers, in call order. */
function traced(name: string, fake: FakeDeployer, log: string[]): Deployer {
  return new Proxy(fake, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (["deploy", "upload", "shift", "restore"].includes(String(prop))) log.push(`${name}:${String(prop)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Two Workers on fake platforms of their own, each with v1.0.0 then v1.1.0 live; a probe of
 * `https://production.<worker>.test` answers as that Worker's live version.
 */
function setup(emergency: { target?: string; reason: string } = { reason: "500s after v1.1.0" }) {
  const log: string[] = [];
  const statuses: string[] = [];
  const fakes: Record<Name, FakeDeployer> = { api: new FakeDeployer(), web: new FakeDeployer() };
  for (const name of NAMES) {
    fakes[name].seed("production", `${name}-1`, { tag: "v1.0.0" });
    fakes[name].seed("production", `${name}-2`, { tag: "v1.1.0" });
  }
  const probe: HttpProbe = {
    probe: (request, signal) => fakes[new URL(request.url).hostname.split(".")[1] as Name].probe().probe(request, signal),
  };
  const recorder: DeploymentRecorder = {
    start: async (environment) => (statuses.push(`${environment}:created`), environment),
    update: async (handle, state) => void statuses.push(`${handle}:${state}`),
  };
  const units: WorkerUnit[] = NAMES.map((name) => ({
    name,
    directory: `apps/${name}`,
    config: testConfig({
      mode: "rollback",
      workingDirectory: `/repo/apps/${name}`,
      production: { url: `https://production.${name}.test` },
      emergency,
    }),
    deps: { deployer: traced(name, fakes[name], log) },
  }));
  const deps: PipelineDeps = { deployer: units[0]!.deps.deployer, probe, clock: new VirtualClock(), logger: memoryLogger(), recorder };
  return { log, statuses, fakes, units, deps };
}

const live = (fake: FakeDeployer) => fake.live("production")?.allocation.map((s) => `${s.versionId}@${s.percentage}`);
const rows = (result: { workers?: ReadonlyArray<{ name: string; result: string }> }) => result.workers?.map((w) => `${w.name}:${w.result}`);

describe("runMultiRollback", () => {
  it("resolves every target first, then rolls each Worker back to its own previous version, the last deployed first", async () => {
    const s = setup();
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(s.log).toEqual(["web:restore", "api:restore"]);
    expect(live(s.fakes.api)).toEqual(["api-1@100"]);
    expect(live(s.fakes.web)).toEqual(["web-1@100"]);
    expect(result.stages.map((st) => `${st.label.split(":")[0]}:${st.stage}:${st.status}`)).toEqual([
      "api:resolve:passed",
      "web:resolve:passed",
      "web:rollback:passed",
      "web:rollback-verify:passed",
      "web:health:passed",
      "api:rollback:passed",
      "api:rollback-verify:passed",
      "api:health:passed",
    ]);
    expect(result.gates.map((g) => `${g.gate}@${g.environment}:${g.outcome}`)).toEqual([
      "rollback-health@web/production:passed",
      "rollback-health@api/production:passed",
    ]);
    // Each Worker's own Deployment record, in an environment of its own.
    expect(s.statuses).toEqual([
      "production/web:created",
      "production/web:in_progress",
      "production/web:success",
      "production/api:created",
      "production/api:in_progress",
      "production/api:success",
    ]);
    // Outputs and the summary per Worker, as a release reports them.
    const workers = JSON.parse(toOutputs(result, "report.json")["workers"] ?? "[]") as Array<Record<string, string>>;
    expect(workers.map((w) => [w["name"], w["result"], w["previousVersionId"], w["rollbackVersionId"]])).toEqual([
      ["api", "rolled-back", "api-2", "api-1"],
      ["web", "rolled-back", "web-2", "web-1"],
    ]);
    expect(result.rollbackVersionId).toBe("api-1");
    const summary = renderSummary(result);
    expect(summary).toMatch(/^## shipline: ↩️ Emergency rollback of api, web$/m);
    expect(summary).toMatch(/\| api \| ↩️ rolled-back \| {2}\| v1\.0\.0 \(api-1\) \| v1\.1\.0 \(api-2\) \| v1\.0\.0 \(api-1\) \|/);
    expect(summary).toMatch(/\| web \| ↩️ rolled-back \| {2}\| v1\.0\.0 \(web-1\) \| v1\.1\.0 \(web-2\) \| v1\.0\.0 \(web-1\) \|/);
    expect(result.message).toMatch(/^Every Worker serves its rollback target.* web: Production was rolled back to v1\.0\.0.* api: /);
  });

  it("skips, for each Worker, the versions shipline rolled back from (the single-Worker rule)", async () => {
    const s = setup();
    // web: v1.2.0 failed its gate and was rolled back to v1.1.0; the default is v1.0.0, never v1.2.0 again.
    s.fakes.web.seed("production", "web-3", { tag: "v1.2.0", healthy: false });
    await s.fakes.web.restore({ environment: "production" }, [{ versionId: "web-2", percentage: 100 }], rollbackMessage("web-3", "gate"));
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(live(s.fakes.web)).toEqual(["web-1@100"]);
    expect(live(s.fakes.api)).toEqual(["api-1@100"]);
  });

  it("takes a release tag for every Worker; a Worker already serving it has nothing to do", async () => {
    const s = setup({ target: "v1.0.0", reason: "bad" });
    s.fakes.api.seed("production", "api-1b", { tag: "v1.0.0" });
    // api serves a v1.0.0 version already (the newest one uploaded with the tag).
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(s.log).toEqual(["web:restore"]);
    expect(live(s.fakes.web)).toEqual(["web-1@100"]);
    expect(rows(result)).toEqual(["api:rolled-back", "web:rolled-back"]);
    expect(result.workers?.[0]?.message).toMatch(/^Nothing to do: production already serves v1\.0\.0 \(api-1b\)/);
    expect(result.workers?.[0]?.productionTouched).toBeUndefined();
    expect(result.workers?.[0]?.rollbackVersionId).toBeUndefined();
    expect(result.stages.find((st) => st.label.startsWith("api:"))?.status).toBe("skipped");
    expect(renderSummary(result)).toMatch(/\| api \| ↩️ nothing to do \|/);
  });

  it("changes nothing when every Worker already serves its target", async () => {
    const s = setup({ target: "v1.1.0", reason: "bad" });
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/^Rollback refused, nothing changed: every Worker already serves its rollback target/);
    expect(s.log).toEqual([]);
  });

  it("stops with nothing changed when one Worker's target cannot be resolved, even the last one rolled back", async () => {
    const s = setup({ target: "v1.0.0", reason: "bad" });
    // api (deployed first, so rolled back last) has no version uploaded with v1.0.0.
    const api = new FakeDeployer();
    api.seed("production", "api-9", { tag: "v0.9.0" });
    api.seed("production", "api-10", { tag: "v1.1.0" });
    s.units[0] = { ...s.units[0]!, deps: { deployer: traced("api", api, s.log) } };
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/^api: Rollback refused, nothing changed: Input `rollback-target` has the value "v1\.0\.0"/);
    expect(s.log).toEqual([]);
    expect(s.statuses).toEqual([]);
    expect(result.workers?.map((w) => w.message)).toEqual([
      expect.stringMatching(/^Rollback refused, nothing changed/),
      "Not rolled back: the run stopped before any rollback.",
    ]);
  });

  it("names the Worker's production.url and rollback-reason when missing, before reading anything", async () => {
    const s = setup();
    s.units[1] = { ...s.units[1]!, config: { ...s.units[1]!.config, production: { ...s.units[1]!.config.production, url: undefined } } };
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/^web: Config key `workers\[1\]\.production\.url` is required for mode: rollback/);
    const noReason = setup({ reason: "" });
    const second = await runMultiRollback(noReason.units, noReason.deps, new AbortController().signal);
    expect(second.message).toBe("api: Input `rollback-reason` is required for mode: rollback.");
    expect([...s.fakes.api.calls, ...s.fakes.web.calls, ...noReason.fakes.api.calls]).toEqual([]);
  });

  it("refuses a version id as the target before reading anything", async () => {
    const s = setup({ target: "aaaaaaaa-1111-4111-8111-000000000001", reason: "bad" });
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/Input `rollback-target` has the value "aaaaaaaa-.*", a Worker version id.*Expected a release tag/);
    expect(s.fakes.api.calls).toEqual([]);
    expect(s.fakes.web.calls).toEqual([]);
  });

  it("tries every Worker when one restore fails, and reports rollback-failed with that Worker's command", async () => {
    const s = setup();
    s.fakes.web.faults.push({ method: "restore", environment: "production" });
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(s.log).toEqual(["web:restore", "api:restore"]);
    expect(live(s.fakes.api)).toEqual(["api-1@100"]);
    expect(rows(result)).toEqual(["api:rolled-back", "web:rollback-failed"]);
    expect(result.manualCommand).toBe("(cd apps/web && restore production web-1@100)");
    expect(result.manualCommandPurpose).toBe("retry-rollback");
    expect(renderSummary(result)).toMatch(/^## shipline: 🚨 Emergency rollback of api, web failed$/m);
  });

  it("goes on with the next Worker when a restore throws (the executor reports it as that Worker's failure, with its command)", async () => {
    const s = setup();
    const restore = s.fakes.web.restore.bind(s.fakes.web);
    s.fakes.web.restore = () => Promise.reject(new TypeError("cannot read properties of undefined"));
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    s.fakes.web.restore = restore;
    expect(result.result).toBe("rollback-failed");
    expect(rows(result)).toEqual(["api:rolled-back", "web:rollback-failed"]);
    expect(live(s.fakes.api)).toEqual(["api-1@100"]);
    expect(result.manualCommand).toContain("web-1@100");
  });

  it("reports rollback-failed when a restored version fails its health gate, and still rolls the next Worker back", async () => {
    const s = setup();
    s.fakes.web.healthy.set("web-1", false);
    const result = await runMultiRollback(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("rollback-failed");
    expect(rows(result)).toEqual(["api:rolled-back", "web:rollback-failed"]);
    expect(live(s.fakes.api)).toEqual(["api-1@100"]);
  });

  it("after a cancel, lets the restore under way finish and changes no further Worker", async () => {
    const s = setup();
    const controller = new AbortController();
    const deps: PipelineDeps = {
      ...s.deps,
      onEvent: (event) => event.type === "stage-start" && event.stage === "health" && controller.abort(new Error("SIGINT")),
    };
    const result = await runMultiRollback(s.units, deps, controller.signal);
    expect(result.result).toBe("failed");
    expect(result.cancelled).toBe(true);
    expect(live(s.fakes.web)).toEqual(["web-1@100"]);
    expect(live(s.fakes.api)).toEqual(["api-2@100"]);
    expect(s.log).toEqual(["web:restore"]);
    expect(result.workers?.[0]?.message).toMatch(/cancelled before its turn/);
  });

  it("changes nothing when cancelled before the first restore", async () => {
    const s = setup();
    const controller = new AbortController();
    controller.abort(new Error("SIGINT"));
    const result = await runMultiRollback(s.units, s.deps, controller.signal);
    expect(result.result).toBe("failed");
    expect(s.log).toEqual([]);
  });
});
