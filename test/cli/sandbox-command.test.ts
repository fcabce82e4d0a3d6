import { describe, expect, it } from "vitest";
import { runSandboxCommand } from "../../src/cli/sandbox.js";

describe("shipline sandbox", () => {
  it("prints on stderr, at once, every request it cannot answer as Cloudflare would", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const io = {
      cwd: process.cwd(),
      env: {},
      stdout: (l: string) => stdout.push(l),
      stderr: (l: string) => stderr.push(l),
      startedAt: Date.now(),
    };
    const running = runSandboxCommand({ inputs: {}, options: { json: true }, positionals: [] }, io, stopped);
    while (stdout.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const described = JSON.parse(stdout[0] ?? "{}") as { apiBaseUrl: string; accountId: string };
    const response = await fetch(`${described.apiBaseUrl}/accounts/${described.accountId}/queues`, {
      method: "POST",
      headers: { authorization: "Bearer any" },
    });
    expect(response.status).toBe(404);
    stop();
    expect(await running).toBe(0);
    expect(stderr[0]).toMatch(/^⚠ sandbox: shipline's sandbox does not support POST \/accounts\/…\/queues .*code 7000$/);
  });
});
