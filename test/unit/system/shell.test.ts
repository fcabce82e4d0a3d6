import { describe, expect, it } from "vitest";
import { createShellRunner } from "../../../src/providers/system/shell.js";
import { memoryLogger } from "../../support/logger.js";
import { alive } from "../../support/processes.js";

const env = { PATH: process.env["PATH"] ?? "" };

describe("createShellRunner", () => {
  it("runs a command line through the shell with the given environment and keeps its output", async () => {
    const logger = memoryLogger();
    const ran = await createShellRunner(logger).run('echo "url=$SHIPLINE_URL" && exit 3', {
      cwd: process.cwd(),
      env: { ...env, SHIPLINE_URL: "http://x" },
      signal: new AbortController().signal,
    });
    expect(ran.exitCode).toBe(3);
    expect(ran.output).toContain("url=http://x");
    expect(logger.lines).toContain("info: url=http://x");
  });

  it("stops every process of the command line on abort, not just the shell", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = createShellRunner(memoryLogger()).run("sleep 30 & echo child=$! ; wait", {
      cwd: process.cwd(),
      env,
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const ran = await run;
    const child = Number(/child=(\d+)/.exec(ran.output)?.[1]);
    expect(ran.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(child).toBeGreaterThan(0);
    // Killed children are reaped by init a moment after their shell is gone.
    for (let i = 0; i < 20 && alive(child); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(child)).toBe(false);
  });
});
