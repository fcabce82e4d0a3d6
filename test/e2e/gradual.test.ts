import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEWEST_WRANGLER_LEG } from "../support/action-harness.js";
import { createWorld, type World } from "../support/e2e-world.js";
import { startHeaderProxy, type HeaderProxy } from "../support/header-proxy.js";

const SCRIPT = "sample-worker-production";
const PIN = "cloudflare-workers-version-overrides";

/**
 * A gradual rollout end to end: the 10% step's gate is pinned to the new version with
 * Cloudflare-Workers-Version-Overrides, and checks which version answered. Behind a proxy that
 * drops the pin, most answers come from the old version: they must never pass the gate for
 * the new one.
 */
describe("gradual rollout, pinned and proven, end to end", () => {
  let world: World;
  let anchor: string;
  let proxy: HeaderProxy;

  beforeAll(async () => {
    world = await createWorld();
    anchor = await world.releaseFirst();
    proxy = await startHeaderProxy({ target: world.sandbox.workerUrl(SCRIPT) });
  }, 90_000);
  afterAll(async () => {
    await proxy.close();
    await world.stop();
  });

  /** Every traffic share `versionId` was ever deployed at, newest first. */
  const sharesOf = (versionId: string | undefined) =>
    world.sandbox
      .script(SCRIPT)
      ?.deployments.flatMap((d) => d.versions.filter((v) => v.versionId === versionId).map((v) => v.percentage)) ?? [];

  const gradual = { strategy: "gradual", "rollout-steps": "10,50,100", "health-count": "6", "health-interval": "100ms" };

  it("pins every probe of the 10% step to the new version, so a broken one is caught at 10%", async () => {
    await world.writeWorker({ label: "v1.1.0", health: { production: "unhealthy" } });
    const run = await world.run(gradual, { ref: "refs/tags/v1.1.0", sha: "2".repeat(40) });
    expect(run.outputs["result"], run.stdout).toBe("rolled-back");
    expect(await world.live("production")).toEqual([anchor]);
    // Never beyond 10%: no deployment of the new version at 50% or 100%.
    const ours = run.outputs["production-version-id"];
    expect(sharesOf(ours)).toEqual([10]);
  });

  // What a proxy that drops the pin does to the gate is shipline's logic, not wrangler's: the pinned wrangler's leg proves it.
  it.skipIf(NEWEST_WRANGLER_LEG)(
    "behind a proxy that drops the pin, the old version's answers never pass the 10% gate: it fails and rolls back",
    async () => {
      proxy.dropRequestHeaders([PIN]);
      await world.writeWorker({ label: "v1.2.0", health: { production: "unhealthy" } });
      const run = await world.run({ ...gradual, "production-url": proxy.url }, { ref: "refs/tags/v1.2.0", sha: "3".repeat(40) });
      expect(run.outputs["result"], run.stdout).toBe("rolled-back");
      expect(await world.live("production")).toEqual([anchor]);
      const ours = run.outputs["production-version-id"];
      expect(sharesOf(ours)).toEqual([10]);
      // The pin was sent, and dropped on the way.
      expect(proxy.requests.some((r) => String(r.headers[PIN] ?? "").includes(ours ?? "?"))).toBe(true);
      expect(run.summary).toMatch(/came from version/);
    },
  );

  it.skipIf(NEWEST_WRANGLER_LEG)(
    "behind the same proxy, a healthy release is not passed on the old version's answers either: it cannot be proven",
    async () => {
      await world.writeWorker({ label: "v1.3.0" });
      const run = await world.run({ ...gradual, "production-url": proxy.url }, { ref: "refs/tags/v1.3.0", sha: "4".repeat(40) });
      expect(run.outputs["result"], run.stdout).not.toBe("released");
      expect(run.stdout).toMatch(/answered by version/);
      expect(await world.live("production")).toEqual([anchor]);
    },
  );
});
