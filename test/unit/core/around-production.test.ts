import { describe, expect, it } from "vitest";
import type { PipelineDeps } from "../../../src/core/pipeline.js";
import { runPipeline } from "../../../src/core/pipeline.js";
import type { CommandRunner, Publisher } from "../../../src/core/ports.js";
import type { PipelineConfig } from "../../../src/core/types.js";
import { FakeDeployer } from "../../../src/testing/fake-deployer.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";
import { testConfig } from "../../support/config.js";
import { memoryLogger } from "../../support/logger.js";

const URLS = { staging: { url: "https://staging.example.test" }, production: { url: "https://production.example.test" } };

interface Ran {
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  readonly liveAtStart: string | undefined;
  readonly writesAtStart: number;
}

/** A command runner whose commands exit with the code the test gives, recording what production served when each ran. */
function commands(deployer: FakeDeployer, exitCodes: Record<string, number>): CommandRunner & { ran: Ran[] } {
  const ran: Ran[] = [];
  return {
    ran,
    async run(command, { env }) {
      ran.push({
        command,
        env,
        liveAtStart: deployer.live("production")?.allocation[0]?.versionId,
        writesAtStart: deployer.writes("production").length,
      });
      const exitCode = exitCodes[command] ?? 0;
      return { exitCode, output: exitCode === 0 ? "ok\n" : "Error: migration 0002 failed\n" };
    },
  };
}

function setup(overrides: Parameters<typeof testConfig>[0] = {}, exitCodes: Record<string, number> = {}, publisher?: Publisher) {
  const config: PipelineConfig = testConfig({ ...URLS, ...overrides });
  const deployer = new FakeDeployer();
  deployer.seed("production", "prod-old");
  const runner = commands(deployer, exitCodes);
  const deps: PipelineDeps = {
    deployer,
    probe: deployer.probe(),
    clock: new VirtualClock(),
    logger: memoryLogger(),
    commands: runner,
    ...(publisher ? { publisher } : {}),
  };
  const context = { env: { PATH: "/bin" }, wranglerEnv: { PATH: "/bin", CLOUDFLARE_API_TOKEN: "token-for-wrangler" } };
  return { deployer, runner, run: () => runPipeline(config, deps, new AbortController().signal, context) };
}

describe("required-secrets", () => {
  it("stops before anything is deployed when a target Worker lacks a required secret, naming what and where", async () => {
    const s = setup({ requiredSecrets: ["API_KEY", "DB_URL"] });
    s.deployer.secrets.set("staging", ["API_KEY", "DB_URL"]);
    s.deployer.secrets.set("production", ["API_KEY"]);
    const result = await s.run();
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/the production Worker lacks DB_URL/);
    expect(result.message).not.toMatch(/staging Worker lacks/);
    expect(result.message).toMatch(/production was not touched/);
    expect(s.deployer.writes("staging")).toEqual([]);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(result.stages.at(-1)).toMatchObject({ stage: "preflight", status: "failed" });
  });

  it("says a Worker that does not exist yet has none of them", async () => {
    const s = setup({ requiredSecrets: ["API_KEY"] });
    s.deployer.secrets.set("staging", null);
    s.deployer.secrets.set("production", ["API_KEY"]);
    const result = await s.run();
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/the staging Worker, which does not exist yet, lacks API_KEY/);
  });

  it("counts a secret uploaded with the release (secrets) as present, and releases when every Worker has the rest", async () => {
    const s = setup({ requiredSecrets: ["API_KEY", "DB_URL"], secrets: ["DB_URL"] });
    s.deployer.secrets.set("staging", ["API_KEY"]);
    s.deployer.secrets.set("production", ["API_KEY"]);
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(result.stages[1]).toMatchObject({ stage: "preflight", status: "passed" });
  });

  it("checks only production in a stages: production job", async () => {
    const s = setup({ requiredSecrets: ["API_KEY"], stages: "production" });
    s.deployer.secrets.set("staging", null);
    s.deployer.secrets.set("production", []);
    const result = await s.run();
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/the production Worker lacks API_KEY/);
    expect(result.message).not.toMatch(/staging/);
  });
});

describe("before-production", () => {
  it("runs after approval and before production is touched, with wrangler's environment and the SHIPLINE_* variables", async () => {
    const s = setup({ production: { url: URLS.production.url, beforeCommand: "npm run migrate" } });
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(result.stages.map((st) => st.stage)).toEqual([
      "resolve",
      "staging-deploy",
      "smoke",
      "approval",
      "before-production",
      "anchor",
      "production-deploy",
      "health",
    ]);
    const ran = s.runner.ran[0];
    expect(ran).toMatchObject({ command: "npm run migrate", liveAtStart: "prod-old", writesAtStart: 0 });
    expect(ran?.env).toMatchObject({
      CLOUDFLARE_API_TOKEN: "token-for-wrangler",
      SHIPLINE_VERSION: "1.2.0",
      SHIPLINE_TAG: "v1.2.0",
      SHIPLINE_ENVIRONMENT: "production",
      SHIPLINE_URL: "https://production.example.test",
      SHIPLINE_VERSION_ID: "",
      SHIPLINE_STAGING_VERSION_ID: result.stagingVersionId,
    });
    expect(result.stages.find((st) => st.stage === "before-production")?.detail).toMatch(/`wrangler rollback` does not undo/);
  });

  it("stops the run with production untouched when it fails", async () => {
    const s = setup({ production: { beforeCommand: "npm run migrate" } }, { "npm run migrate": 3 });
    const result = await s.run();
    expect(result.result).toBe("failed");
    expect(result.message).toMatch(/before-production exited with 3: Error: migration 0002 failed; production was not touched/);
    expect(s.deployer.writes("production")).toEqual([]);
    expect(s.deployer.live("production")?.allocation).toEqual([{ versionId: "prod-old", percentage: 100 }]);
    expect(result.productionTouched).toBeFalsy();
  });

  it("says its changes stay applied when the production deploy itself fails", async () => {
    const s = setup({ production: { beforeCommand: "npm run migrate" } });
    s.deployer.faults.push({ method: "deploy", environment: "production" });
    const result = await s.run();
    expect(result.result).toBe("failed");
    expect(result.warnings.join("\n")).toMatch(
      /before-production \(`npm run migrate`\) ran and what it changed stays applied, though the release did not complete/,
    );
  });

  it("says plainly after a rollback that the rollback did not undo it", async () => {
    const s = setup({ production: { beforeCommand: "npm run migrate" } });
    s.deployer.nextHealthy.set("production", false);
    const result = await s.run();
    expect(result.result).toBe("rolled-back");
    expect(result.warnings.join("\n")).toMatch(/`wrangler rollback` does not undo what before-production changed.*npm run migrate/);
  });
});

describe("after-release", () => {
  it("runs after the release is tagged, with the production version id", async () => {
    const s = setup({ release: { promotePrerelease: true, floatingTags: false, createRelease: true, afterCommand: "./notify.sh" } });
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(result.stages.at(-1)).toMatchObject({ stage: "after-release", status: "passed" });
    expect(s.runner.ran[0]?.env["SHIPLINE_VERSION_ID"]).toBe(result.productionVersionId);
  });

  it("reports a failure as a warning: the release stays released", async () => {
    const s = setup(
      { release: { promotePrerelease: true, floatingTags: false, createRelease: true, afterCommand: "./notify.sh" } },
      { "./notify.sh": 1 },
    );
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(result.stages.at(-1)).toMatchObject({ stage: "after-release", status: "failed" });
    expect(result.warnings.join("\n")).toMatch(/after-release exited with 1/);
  });

  it("sees the tag the run created: the final tag of a promoted prerelease", async () => {
    const publisher: Publisher = {
      listTags: async () => [],
      publish: async (request) => ({ releaseTag: request.release.finalTag, actions: [`created tag ${request.release.finalTag}`] }),
    };
    const s = setup(
      {
        version: { explicit: "v1.2.0-rc.1" },
        release: { promotePrerelease: true, floatingTags: false, createRelease: false, afterCommand: "./notify.sh" },
      },
      {},
      publisher,
    );
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(s.runner.ran[0]?.env["SHIPLINE_TAG"]).toBe("v1.2.0");
  });

  it("does not run when tagging failed: the release is healthy but not tagged, and says so", async () => {
    const publisher: Publisher = {
      listTags: async () => [],
      publish: async () => {
        throw new Error("Resource not accessible by integration");
      },
    };
    const s = setup(
      { release: { promotePrerelease: true, floatingTags: false, createRelease: true, afterCommand: "./notify.sh" } },
      {},
      publisher,
    );
    const result = await s.run();
    expect(result.result).toBe("released");
    expect(s.runner.ran).toEqual([]);
    expect(result.warnings.join("\n")).toMatch(/after-release was not run: production is healthy, but tagging failed/);
  });

  it("does not run when production was rolled back", async () => {
    const s = setup({ release: { promotePrerelease: true, floatingTags: false, createRelease: true, afterCommand: "./notify.sh" } });
    s.deployer.nextHealthy.set("production", false);
    const result = await s.run();
    expect(result.result).toBe("rolled-back");
    expect(s.runner.ran).toEqual([]);
  });
});
