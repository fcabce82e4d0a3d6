import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const EXAMPLES = join(ROOT, "examples");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  environment?: unknown;
  needs?: unknown;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group?: string; "cancel-in-progress"?: boolean };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yml"));
const load = (file: string) => parse(readFileSync(join(EXAMPLES, file), "utf8")) as Workflow;
const shiplineSteps = (workflow: Workflow) =>
  Object.entries(workflow.jobs).flatMap(([name, job]) =>
    job.steps.filter((s) => s.uses?.startsWith("shipline/shipline@")).map((step) => ({ name, job, step })),
  );
/** The permissions a job runs with: its own, else the workflow's. */
const permissionsOf = (workflow: Workflow, job: Job) => job.permissions ?? workflow.permissions ?? {};

describe("examples/", () => {
  it("holds the three workflows the README promises", () => {
    expect(files.sort()).toEqual(["emergency-rollback.yml", "release.yml", "two-job-environment.yml"]);
  });

  describe.each(files)("%s", (file) => {
    const workflow = load(file);
    const steps = shiplineSteps(workflow);

    it("uses shipline@v1 with inputs and outputs that exist in action.yml", () => {
      expect(steps.length).toBeGreaterThan(0);
      for (const { step } of steps) {
        expect(step.uses).toBe("shipline/shipline@v1");
        for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `${file}: input ${input}`).toContain(input);
      }
      const text = readFileSync(join(EXAMPLES, file), "utf8");
      for (const [, output] of text.matchAll(/steps\.\w+\.outputs\.([\w-]+)/g))
        expect(Object.keys(action.outputs), `${file}: output ${output}`).toContain(output);
    });

    it("shares the production concurrency group and never cancels a deploy in progress", () => {
      expect(workflow.concurrency).toEqual({ group: "shipline-production", "cancel-in-progress": false });
    });

    it("passes secrets as inputs and never interpolates an expression into a run: script", () => {
      for (const { step } of steps) {
        expect(step.with?.["cloudflare-api-token"]).toBe("${{ secrets.CLOUDFLARE_API_TOKEN }}");
      }
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) if (step.run) expect(step.run, `${file}: ${step.run}`).not.toMatch(/\$\{\{/);
      }
    });

    it("asks only for the permissions its jobs need", () => {
      for (const { job, step } of steps) {
        const granted = permissionsOf(workflow, job);
        const mode = step.with?.["mode"] ?? "release";
        const stages = step.with?.["stages"] ?? "all";
        const publishes = mode === "rollback" || stages !== "staging";
        expect(granted["deployments"]).toBe("write");
        expect(granted["contents"]).toBe(publishes ? "write" : "read");
        expect(granted["issues"]).toBe(step.with?.["approval"] === "issue" ? "write" : undefined);
      }
    });
  });

  it("release.yml releases on a version tag push", () => {
    expect(load("release.yml").on).toEqual({ push: { tags: ["v*.*.*"] } });
  });

  it("two-job-environment.yml gates the production job by a GitHub Environment after staging", () => {
    const workflow = load("two-job-environment.yml");
    const [staging, production] = shiplineSteps(workflow);
    expect(staging?.step.with?.["stages"]).toBe("staging");
    expect(production?.step.with?.["stages"]).toBe("production");
    expect(production?.job.needs).toBe(staging?.name);
    expect(production?.job.environment).toMatchObject({ name: "production" });
  });

  it("emergency-rollback.yml takes target and a required reason from workflow_dispatch into the action's inputs", () => {
    const workflow = load("emergency-rollback.yml");
    const dispatch = workflow.on["workflow_dispatch"] as { inputs: Record<string, { required?: boolean }> };
    expect(dispatch.inputs["reason"]?.required).toBe(true);
    const [only] = shiplineSteps(workflow);
    expect(only?.step.with).toMatchObject({
      mode: "rollback",
      "rollback-target": "${{ inputs.target }}",
      "rollback-reason": "${{ inputs.reason }}",
    });
    const text = readFileSync(join(EXAMPLES, "emergency-rollback.yml"), "utf8");
    expect(text.match(/inputs\.reason/g)).toHaveLength(1);
  });
});
