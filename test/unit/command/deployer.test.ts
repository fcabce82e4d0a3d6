import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { CancelledError, DeployError } from "../../../src/core/errors.js";
import type { ReleaseVersion } from "../../../src/core/types.js";
import { commandLine } from "../../../src/providers/command/command-line.js";
import { CommandDeployer, type HostCommands } from "../../../src/providers/command/deployer.js";
import { memoryLogger } from "../../support/logger.js";

/** A command that runs `code` in this Node (real processes: cheap, and what the deployer really starts). */
const node = (code: string) => commandLine([process.execPath, "-e", code], false);
const print = (expr: string) => node(`process.stdout.write(JSON.stringify(${expr}))`);
const STATUS_V1 = print(`{ allocation: [{ versionId: "v1", percentage: 100 }] }`);

const release: ReleaseVersion = { version: "1.2.0", tag: "v1.2.0", finalTag: "v1.2.0", prerelease: false, source: "ref", sha: "c0ffee" };
const target = { environment: "production" };
const signal = new AbortController().signal;

function deployer(commands: Partial<HostCommands>, timeoutMs?: number): CommandDeployer {
  return new CommandDeployer({
    commands: { deploy: STATUS_V1, status: STATUS_V1, restore: STATUS_V1, ...commands },
    workingDirectory: tmpdir(),
    env: { PATH: process.env["PATH"] ?? "", STEP_VAR: "from the step", "INPUT_GITHUB-TOKEN": "ghs_secret", input_other: "x" },
    logger: memoryLogger(),
    ...(timeoutMs === undefined ? {} : { timeoutMs, killGraceMs: 100 }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected a rejection");
}

describe("CommandDeployer", () => {
  it("gives deploy the release and the step's environment, never INPUT_*, and reads its document", async () => {
    const seen = print(
      `{ versionId: [process.env.SHIPLINE_ENVIRONMENT, process.env.SHIPLINE_VERSION, process.env.SHIPLINE_TAG, process.env.SHIPLINE_SHA, process.env.SHIPLINE_MESSAGE, process.env.STEP_VAR, Object.keys(process.env).filter((k) => /^input_/i.test(k)).length].join("|"), url: "http://127.0.0.1:1" }`,
    );
    const outcome = await deployer({ deploy: seen }).deploy(target, { release, message: "git:c0ffee" }, signal);
    expect(outcome).toEqual({ versionId: "production|1.2.0|v1.2.0|c0ffee|git:c0ffee|from the step|0", url: "http://127.0.0.1:1" });
  });

  it("restores with the target version, says when it is urgent, and checks what the command reports serving", async () => {
    const echo = print(
      `{ allocation: [{ versionId: process.env.SHIPLINE_TARGET_VERSION + (process.env.SHIPLINE_URGENT ?? ""), percentage: 100 }] }`,
    );
    await expect(deployer({ restore: echo }).restore(target, [{ versionId: "v1", percentage: 100 }], "m", signal)).resolves.toBeUndefined();
    const error = await rejection(
      deployer({ restore: echo }).restore(target, [{ versionId: "v1", percentage: 100 }], "m", signal, { urgent: true }),
    );
    expect(error).toBeInstanceOf(DeployError);
    expect(error.message).toMatch(/exited 0 but production does not serve what was asked: asked for v1@100%, it reports v11@100%/);
  });

  it("restores a split through shift, and refuses one when there is no shift command", async () => {
    const split = [
      { versionId: "v1", percentage: 90 },
      { versionId: "v2", percentage: 10 },
    ];
    const shift = print(`{ allocation: JSON.parse(process.env.SHIPLINE_ALLOCATION) }`);
    await expect(deployer({ shift }).restore(target, split, "m", signal)).resolves.toBeUndefined();
    expect((await rejection(deployer({}).restore(target, split, "m", signal))).message).toMatch(/has no `shift` command/);
  });

  it("reads status: nothing deployed, and what serves", async () => {
    expect(await deployer({ status: print(`{ allocation: [] }`) }).status(target, signal)).toBeNull();
    expect(await deployer({}).status(target, signal)).toEqual({ allocation: [{ versionId: "v1", percentage: 100 }] });
  });

  it("fails with the exit code and stderr of a command that fails", async () => {
    const failing = node(`console.error("no space left on device"); process.exit(3)`);
    const error = (await rejection(deployer({ deploy: failing }).deploy(target, { release, message: "m" }, signal))) as DeployError;
    expect(error).toBeInstanceOf(DeployError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      /The deploy command `\S+ -e .*` \(production\) exited with code 3 after .*stderr: no space left on device/s,
    );
  });

  it("stops a command that outlives the timeout, and one whose run is cancelled", async () => {
    const hang = node("setInterval(() => {}, 1000)");
    const timedOut = await rejection(deployer({ status: hang }, 300).status(target, signal));
    expect(timedOut.message).toMatch(/The status command .* did not finish within 300 ms and was stopped/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await rejection(deployer({ status: hang }, 10_000).status(target, controller.signal))).toBeInstanceOf(CancelledError);
  });

  it("says how to restore by hand, with the variables the restore command reads", () => {
    const d = new CommandDeployer({
      commands: { deploy: STATUS_V1, status: STATUS_V1, restore: commandLine("./ops/restore.sh", false) },
      workingDirectory: "/srv/app",
      env: {},
      logger: memoryLogger(),
    });
    expect(d.manualRestoreCommand(target, [{ versionId: "v1", percentage: 100 }], "health gate failed")).toBe(
      `cd /srv/app && SHIPLINE_ENVIRONMENT=production SHIPLINE_TARGET_VERSION=v1 SHIPLINE_ALLOCATION='[{"versionId":"v1","percentage":100}]' SHIPLINE_MESSAGE='health gate failed' ./ops/restore.sh`,
    );
  });
});
