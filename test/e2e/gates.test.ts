import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type World } from "../support/e2e-world.js";
import { startHeaderProxy, type HeaderProxy } from "../support/header-proxy.js";

const STAGING = "sample-worker-staging";
const PRODUCTION = "sample-worker-production";

interface ReportedGate {
  readonly gate: string;
  readonly outcome: string;
  readonly reason?: string;
  readonly measurements: ReadonlyArray<{
    readonly at: string;
    readonly outcome: string;
    readonly checks: ReadonlyArray<{ attempts?: unknown[] }>;
  }>;
}

/**
 * Issue 10 end to end (the built action, the real wrangler, the sandbox): gates with their
 * default confirm on a noisy network path, an outage that starts during the health gate, and a
 * health document larger than the old 64 KiB cut.
 */
describe("gates that decide right, end to end", () => {
  let world: World;
  let staging: HeaderProxy;
  let production: HeaderProxy;
  const through = () => ({ "staging-url": staging.url, "production-url": production.url });
  const gates = async (path: string | undefined): Promise<ReportedGate[]> => JSON.parse(await readFile(path ?? "", "utf8")).gates;

  beforeAll(async () => {
    world = await createWorld();
    await world.releaseFirst();
    staging = await startHeaderProxy({ target: world.sandbox.workerUrl(STAGING) });
    production = await startHeaderProxy({ target: world.sandbox.workerUrl(PRODUCTION) });
  }, 90_000);
  afterEach(() => {
    for (const proxy of [staging, production]) {
      proxy.noise(undefined);
      proxy.failVersion(undefined);
    }
  });
  afterAll(async () => {
    await Promise.allSettled([staging.close(), production.close()]);
    await world.stop();
  });

  it("releases through a network that drops 10 % of connections and answers 2 % with a 503", async () => {
    await world.writeWorker({ label: "v1.1.0" });
    // Seeds whose first draws hold both kinds of noise (see the header proxy's unit test).
    staging.noise({ dropped: 0.1, transient503: 0.02, seed: 50 });
    production.noise({ dropped: 0.1, transient503: 0.02, seed: 77 });
    const run = await world.run(
      { ...through(), "smoke-count": "6", "health-count": "6" },
      { ref: "refs/tags/v1.1.0", sha: "2".repeat(40) },
    );
    expect(run.outputs["result"], run.stdout).toBe("released");
    const kinds = [...staging.requests, ...production.requests].map((r) => r.result.kind);
    expect(kinds).toContain("dropped");
    expect(kinds).toContain("injected");
    // The noise was met by re-probes, recorded in the health report, not by luck.
    const reported = await gates(run.outputs["health-report"]);
    expect(reported.map((g) => `${g.gate}:${g.outcome}`)).toEqual(["smoke:passed", "health:passed"]);
    const confirmed = reported.flatMap((g) => g.measurements.flatMap((m) => m.checks)).filter((c) => (c.attempts?.length ?? 0) > 1);
    expect(confirmed.length).toBeGreaterThan(0);
  });

  it("catches an outage that starts during the health gate within 2 measurements, and rolls back", async () => {
    await world.writeWorker({ label: "v1.2.0" });
    let outageAt: number | undefined;
    let failed: string | undefined;
    const run = await world.run(
      { ...through(), "health-count": "6", "health-interval": "1s" },
      {
        ref: "refs/tags/v1.2.0",
        sha: "3".repeat(40),
        onStdout: (text) => {
          if (outageAt !== undefined || !/health #2 successful/.test(text)) return;
          // The release under the gate goes down: every answer it gives becomes a 503 from here on.
          failed = world.sandbox.script(PRODUCTION)?.deployments[0]?.versions[0]?.versionId;
          production.failVersion(failed);
          outageAt = Date.now();
        },
      },
    );
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(failed).toBe(run.outputs["production-version-id"]);
    expect(run.outputs["rollback-version-id"]).toBe(run.outputs["previous-version-id"]);
    expect(await world.live("production")).toEqual([run.outputs["previous-version-id"]]);
    const health = (await gates(run.outputs["health-report"])).find((g) => g.gate === "health")!;
    expect(health.outcome).toBe("failed");
    expect(health.reason).toMatch(/expected status 200-299, got 503/);
    const afterStart = health.measurements.filter((m) => Date.parse(m.at) >= outageAt!);
    expect(afterStart.length).toBeGreaterThanOrEqual(1);
    expect(afterStart.length).toBeLessThanOrEqual(2);
  });

  it("passes a 200 KB health document, and says where the body was cut when the limit is set lower", async () => {
    await world.writeWorker({ label: "v1.3.0" });
    const detailed = { "health-path": "/api/health/detailed", "health-expect-json": '{"data":{"status":"healthy"}}' };
    const passed = await world.run(detailed, { ref: "refs/tags/v1.3.0", sha: "4".repeat(40) });
    expect(passed.outputs["result"], passed.stdout).toBe("released");

    await world.writeWorker({ label: "v1.4.0" });
    const cut = await world.run({ ...detailed, "health-max-body-bytes": "65536" }, { ref: "refs/tags/v1.4.0", sha: "5".repeat(40) });
    expect(cut.outputs["result"], cut.stdout).toBe("failed");
    expect(cut.stdout).toMatch(
      /Smoke gate failed on staging: .*expected a JSON body, got .*\(body cut at 65536 bytes: raise health-max-body-bytes\)/,
    );
  });
});
