import { describe, expect, it } from "vitest";
import { runPipeline, type PipelineDeps } from "../../../src/core/pipeline.js";
import type { Publisher, PublishRequest } from "../../../src/core/ports.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

/**
 * The tags' and the release's reads start when production's health gate does (`prefetch`);
 * the writes (`publish`) come only once it has passed, and never when it failed.
 */
const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };

function setup() {
  const events: string[] = [];
  const deployer = new FakeDeployer();
  deployer.seed("production", "prod-old");
  const probe = deployer.probe();
  const prefetched: PublishRequest[] = [];
  const signals: AbortSignal[] = [];
  const publisher: Publisher = {
    listTags: async () => [],
    prefetch: (request, signal) => {
      prefetched.push(request);
      signals.push(signal);
      events.push("prefetch");
    },
    publish: async (request) => {
      events.push("publish");
      return { releaseTag: request.release.tag, actions: [`created tag ${request.release.tag}`] };
    },
  };
  const deps: PipelineDeps = {
    deployer,
    probe: {
      probe: (request, signal) => {
        if (request.url.includes("production")) events.push("probe");
        return probe.probe(request, signal);
      },
    },
    clock: new VirtualClock(),
    logger: memoryLogger(),
    publisher,
  };
  const config = testConfig({ ...URLS, stages: "production", version: { explicit: "v1.4.0" } });
  const run = () => runPipeline(config, deps, new AbortController().signal, { env: {}, wranglerEnv: {} });
  return { events, deployer, prefetched, signals, run };
}

describe("publishing's reads during the health gate", () => {
  it("starts them as the gate starts, and writes only after it passed", async () => {
    const s = setup();
    const result = await s.run();
    expect(result.result).toBe("released");
    const first = s.events.indexOf("probe");
    expect(s.events.indexOf("prefetch")).toBeLessThan(first);
    expect(s.events.at(-1)).toBe("publish");
    expect(s.events.filter((e) => e === "prefetch")).toHaveLength(1);
    // The same request as the publish's (the version that passed the gate).
    expect(s.prefetched[0]).toMatchObject({ productionVersionId: result.productionVersionId, createRelease: true });
    expect(s.signals[0]?.aborted).toBe(false);
  });

  it("reads but never writes when the gate fails, and stops the reads", async () => {
    const s = setup();
    s.deployer.nextHealthy.set("production", false);
    const result = await s.run();
    expect(result.result).toBe("rolled-back");
    expect(s.events).toContain("prefetch");
    expect(s.events).not.toContain("publish");
    expect(s.signals[0]?.aborted).toBe(true);
  });
});
