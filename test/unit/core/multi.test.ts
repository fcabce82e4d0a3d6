import { describe, expect, it } from "vitest";
import { runMultiPipeline, type WorkerUnit } from "../../../src/core/multi.js";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import type { Deployer, HttpProbe } from "../../../src/core/ports.js";
import { toOutputs, renderSummary } from "../../../src/core/report.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const NAMES = ["api", "web"] as const;
const WRITES = new Set(["deploy", "upload", "shift", "restore", "deployments"]);

/** Records `worker:method:environment` of every call, across Workers, in call order. */
function traced(name: string, fake: FakeDeployer, log: string[]): Deployer {
  return new Proxy(fake, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const environment = (args[0] as { environment?: string } | undefined)?.environment;
        if (WRITES.has(String(prop)) && environment) log.push(`${name}:${String(prop)}:${environment}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Two Workers, each on its own fake platform; a probe at `https://<environment>.<worker>.test` answers as that Worker's live version. */
function setup() {
  const log: string[] = [];
  const fakes = { api: new FakeDeployer(), web: new FakeDeployer() };
  fakes.api.seed("production", "api-old");
  fakes.web.seed("production", "web-old");
  const probes = { api: fakes.api.probe(), web: fakes.web.probe() };
  const probe: HttpProbe = {
    probe: (request, signal) => probes[new URL(request.url).hostname.split(".")[1] as "api" | "web"].probe(request, signal),
  };
  const units: WorkerUnit[] = NAMES.map((name) => ({
    name,
    directory: `apps/${name}`,
    config: testConfig({
      workingDirectory: `/repo/apps/${name}`,
      staging: { url: `https://staging.${name}.test` },
      production: { url: `https://production.${name}.test` },
    }),
    deps: { deployer: traced(name, fakes[name], log) },
  }));
  const deps: PipelineDeps = { deployer: units[0]!.deps.deployer, probe, clock: new VirtualClock(), logger: memoryLogger() };
  return { log, fakes, units, deps };
}

const live = (fake: FakeDeployer) => fake.live("production")?.allocation.map((s) => `${s.versionId}@${s.percentage}`);
const productionWrites = (log: readonly string[]) => log.filter((l) => /:(deploy|restore|shift|upload):production$/.test(l));

describe("runMultiPipeline", () => {
  it("deploys every Worker to staging, records every anchor before the first production write, then deploys in order", async () => {
    const s = setup();
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result, result.message).toBe("released");
    const stages = result.stages.map((st) => `${st.label.split(":")[0]}:${st.stage}`);
    expect(stages).toEqual([
      "Resolve version:resolve",
      "api:staging-deploy",
      "api:smoke",
      "web:staging-deploy",
      "web:smoke",
      "api:approval",
      "api:anchor",
      "web:anchor",
      "api:production-deploy",
      "api:health",
      "web:production-deploy",
      "web:health",
    ]);
    expect(productionWrites(s.log)).toEqual(["api:deploy:production", "web:deploy:production"]);
    expect(result.gates.map((g) => `${g.gate}@${g.environment}:${g.outcome}`)).toEqual([
      "smoke@api/staging:passed",
      "smoke@web/staging:passed",
      "health@api/production:passed",
      "health@web/production:passed",
    ]);
    // The single-Worker fields are the first Worker's; every Worker is in `workers`.
    expect(result.productionVersionId).toBe(live(s.fakes.api)?.[0]?.replace("@100", ""));
    expect(result.previousVersionId).toBe("api-old");
    const workers = JSON.parse(toOutputs(result, "report.json")["workers"] ?? "[]") as Array<Record<string, string>>;
    expect(workers.map((w) => [w["name"], w["result"], w["previousVersionId"]])).toEqual([
      ["api", "released", "api-old"],
      ["web", "released", "web-old"],
    ]);
    expect(workers[1]?.["productionVersionId"]).toBe(live(s.fakes.web)?.[0]?.replace("@100", ""));
    const summary = renderSummary(result);
    expect(summary).toMatch(/### Workers/);
    expect(summary).toMatch(/\| api \| ✅ released \|/);
    expect(summary).toMatch(/\| web \| ✅ released \|/);
    // The single-Worker rows of the Versions table are in the Workers table instead.
    expect(summary).not.toMatch(/\| Production URL \|/);
  });

  it("restores every Worker already deployed, in reverse order, when the second Worker's gate fails", async () => {
    const s = setup();
    s.fakes.web.nextHealthy.set("production", false);
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(productionWrites(s.log)).toEqual([
      "api:deploy:production",
      "web:deploy:production",
      "web:restore:production",
      "api:restore:production",
    ]);
    expect(live(s.fakes.api)).toEqual(["api-old@100"]);
    expect(live(s.fakes.web)).toEqual(["web-old@100"]);
    // Each restore is proven by its own health gate after the read-back.
    expect(result.gates.filter((g) => g.gate !== "smoke").map((g) => `${g.gate}@${g.environment}:${g.outcome}`)).toEqual([
      "health@api/production:passed",
      "health@web/production:failed",
      "rollback-health@web/production:passed",
      "rollback-health@api/production:passed",
    ]);
    expect(result.workers?.map((w) => `${w.name}:${w.result}:${w.rollbackVersionId}`)).toEqual([
      "api:rolled-back:api-old",
      "web:rolled-back:web-old",
    ]);
    expect(result.message).toMatch(/^v1\.2\.0 was not released; every Worker it deployed was restored, the last deployed first\./);
    expect(result.message).toMatch(/web: Health gate failed/);
    expect(result.releaseTag).toBeUndefined();
    expect(result.workers?.[0]?.message).toMatch(
      /^The release is withdrawn from every Worker because web is not proven healthy \(health gate failed: .*\)\. Production was rolled back to api-old@100%, read back, and the restored version passed its own health gate\.$/,
    );
    const summary = renderSummary(result);
    expect(summary).toMatch(/\| web \| ↩️ rolled-back \|/);
    expect(summary).toMatch(/Production serves what it served before this run on every Worker it deployed again\./);
  });

  it("with rollback: off, leaves every Worker as it is and says so, never that production was not changed", async () => {
    const s = setup();
    for (const unit of s.units) Object.assign(unit.config.production, { rollback: "off" });
    s.fakes.web.nextHealthy.set("production", false);
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(productionWrites(s.log)).toEqual(["api:deploy:production", "web:deploy:production"]);
    expect(result.message).not.toMatch(/production was not changed/);
    expect(result.message).toMatch(/api: .*rollback: off, so production was left as it is/);
    expect(result.workers?.map((w) => `${w.name}:${w.result}`)).toEqual(["api:failed", "web:failed"]);
  });

  it("stops at the first Worker's failed gate: it is restored and the next one never reaches production", async () => {
    const s = setup();
    s.fakes.api.nextHealthy.set("production", false);
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("rolled-back");
    expect(productionWrites(s.log)).toEqual(["api:deploy:production", "api:restore:production"]);
    expect(result.workers?.map((w) => `${w.name}:${w.result}`)).toEqual(["api:rolled-back", "web:failed"]);
    expect(result.workers?.[1]?.message).toMatch(/^Not deployed to production: api failed first/);
    expect(renderSummary(result)).toMatch(/\| web \| ❌ not deployed \|/);
  });

  it("writes nothing to production when any Worker's anchor cannot be read", async () => {
    const s = setup();
    // The anchor's read (after staging and approval) fails for good.
    s.fakes.web.faults.push({ method: "status", environment: "production", transient: false });
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/^web: Could not read what production serves/);
    expect(productionWrites(s.log)).toEqual([]);
  });

  it("stops before production when a later Worker's smoke gate fails", async () => {
    const s = setup();
    s.fakes.web.nextHealthy.set("staging", false);
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/^web: Smoke gate failed on staging/);
    expect(productionWrites(s.log)).toEqual([]);
  });

  it("restores every Worker already touched, the last first, when cancelled during the second Worker's health gate", async () => {
    const s = setup();
    const controller = new AbortController();
    const deps: PipelineDeps = {
      ...s.deps,
      onEvent: (event) => {
        if (event.type === "stage-start" && event.label.startsWith("web: Health gate")) controller.abort(new Error("SIGINT"));
      },
    };
    const result = await runMultiPipeline(s.units, deps, controller.signal);
    expect(result.cancelled).toBe(true);
    expect(result.result, result.message).toBe("rolled-back");
    expect(productionWrites(s.log)).toEqual([
      "api:deploy:production",
      "web:deploy:production",
      "web:restore:production",
      "api:restore:production",
    ]);
    // A cancelled run restores by the urgent path and proves it by reading back, with no health gate.
    const restores = [s.fakes.web, s.fakes.api].map((f) => f.calls.find((c) => c.method === "restore")?.args);
    expect(restores).toEqual([
      { allocation: [{ versionId: "web-old", percentage: 100 }], urgent: true },
      { allocation: [{ versionId: "api-old", percentage: 100 }], urgent: true },
    ]);
    expect(result.gates.some((g) => g.gate === "rollback-health")).toBe(false);
    expect(live(s.fakes.api)).toEqual(["api-old@100"]);
    expect(live(s.fakes.web)).toEqual(["web-old@100"]);
  });

  it("restores the first Worker when cancelled between its healthy gate and the second Worker's deploy", async () => {
    const s = setup();
    const controller = new AbortController();
    const deps: PipelineDeps = {
      ...s.deps,
      onEvent: (event) => {
        if (event.type === "stage-end" && event.label.startsWith("api: Health gate")) controller.abort(new Error("SIGINT"));
      },
    };
    const result = await runMultiPipeline(s.units, deps, controller.signal);
    expect(result.result, result.message).toBe("rolled-back");
    expect(productionWrites(s.log)).toEqual(["api:deploy:production", "api:restore:production"]);
    expect(live(s.fakes.api)).toEqual(["api-old@100"]);
    expect(live(s.fakes.web)).toEqual(["web-old@100"]);
    expect(result.workers?.map((w) => `${w.name}:${w.result}`)).toEqual(["api:rolled-back", "web:failed"]);
  });
});

describe("several Workers: publishing's reads", () => {
  it("start with the last Worker's gate, once, and the tags are written after every gate passed", async () => {
    const s = setup();
    s.deps = {
      ...s.deps,
      publisher: {
        listTags: async () => [],
        prefetch: () => void s.log.push("prefetch"),
        publish: async (request) => {
          s.log.push("publish");
          return { releaseTag: request.release.tag, actions: [] };
        },
      },
    };
    const result = await runMultiPipeline(s.units, s.deps, new AbortController().signal);
    expect(result.result).toBe("released");
    expect(s.log.filter((entry) => entry === "prefetch")).toHaveLength(1);
    expect(s.log.indexOf("prefetch")).toBeGreaterThan(s.log.indexOf("web:deploy:production"));
    expect(s.log.indexOf("publish")).toBeGreaterThan(s.log.indexOf("prefetch"));
  });
});
