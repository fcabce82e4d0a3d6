/**
 * The CLI on a terminal, through a real pseudo-terminal (util-linux `script`): a live line that
 * counts while a step runs, colour on the marks, NO_COLOR and FORCE_COLOR; and plain lines
 * through a pipe. Plus the live line's own drawing with a manual clock.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { colourEnabled, colourMark, LiveLine } from "../../src/cli/live.js";
import { BIN, ensureBuilt, NODE, shipline } from "./support.js";
import { NODE_OPTIONS_ENV } from "../support/node-options.js";

const ESC = "\u001b";
const run = promisify(execFile);

describe("LiveLine", () => {
  it("draws the running step with its elapsed time, redraws every second, and clears itself for log lines", () => {
    let now = 0;
    let tick = () => {};
    const written: string[] = [];
    const live = new LiveLine({
      terminal: { isTTY: true, columns: 80, write: (t) => void written.push(t) },
      now: () => now,
      every: (_ms, fn) => ((tick = fn), () => (tick = () => {})),
    });
    live.start("Deploy v1.0.0 to staging", 0);
    now = 12_400;
    tick();
    live.clear();
    live.draw();
    live.stop();
    now = 20_000;
    tick(); // stopped: no more drawing
    expect(written).toEqual([
      `\r${ESC}[2K  … Deploy v1.0.0 to staging: 0s`,
      `\r${ESC}[2K  … Deploy v1.0.0 to staging: 12s`,
      `\r${ESC}[2K`,
      `\r${ESC}[2K  … Deploy v1.0.0 to staging: 12s`,
      `\r${ESC}[2K`,
    ]);
  });

  it("counts down to a deadline", () => {
    const written: string[] = [];
    const live = new LiveLine({ terminal: { isTTY: true, write: (t) => void written.push(t) }, now: () => 65_000, every: () => () => {} });
    live.start("Approval", 0, 3_600_000);
    expect(written.at(-1)).toBe(`\r${ESC}[2K  … Approval: 1m 05s, 58m 55s left`);
  });

  it("colours on a TTY; NO_COLOR turns it off, FORCE_COLOR on", () => {
    expect(colourEnabled({}, true)).toBe(true);
    expect(colourEnabled({}, false)).toBe(false);
    expect(colourEnabled({ NO_COLOR: "1" }, true)).toBe(false);
    expect(colourEnabled({ NO_COLOR: "1", FORCE_COLOR: "1" }, true)).toBe(false);
    expect(colourEnabled({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(colourEnabled({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(colourMark("[   1.2s] ✖ Smoke gate")).toBe(`[   1.2s] ${ESC}[31m✖${ESC}[0m Smoke gate`);
    expect(colourMark("    smoke #1 ✖ GET /")).toBe("    smoke #1 ✖ GET /");
  });
});

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasScript)("shipline check on a pseudo-terminal", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    ensureBuilt();
    server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 120_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Runs the CLI with its stdio on a pseudo-terminal; resolves with everything the terminal got. (Async: the server answers from this process.) */
  async function onTty(env: Record<string, string> = {}): Promise<string> {
    const command = [NODE, BIN, "check", url, "--health-count", "2", "--health-interval", "1500ms", "--version-header", "''"].join(" ");
    const { stdout } = await run("script", ["-qfec", command, "/dev/null"], {
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "", ...NODE_OPTIONS_ENV, HOME: process.env["HOME"] ?? "/tmp", TERM: "xterm", ...env },
      timeout: 30_000,
    });
    return stdout;
  }

  it("shows a live line while it checks and colours the marks", async () => {
    const out = await onTty();
    expect(out).toContain(`${ESC}[36m▸${ESC}[0m Checking ${url}`);
    expect(out).toMatch(new RegExp(`\\r${ESC}\\[2K  … checking ${url.replace(/[./]/g, "\\$&")}: [01]s`));
    // The live line is erased at the end: the last thing on the terminal is the verdict.
    expect(out.trimEnd().split("\r\n").at(-1)).toMatch(/✔ passed: 2 measurements/);
  });

  it("keeps the live line but no colour with NO_COLOR", async () => {
    const out = await onTty({ NO_COLOR: "1" });
    expect(out).toContain(`${ESC}[2K  … checking`);
    expect(out).not.toMatch(new RegExp(`${ESC}\\[3\\dm`));
  });

  it("prints plain lines through a pipe, and colour only when FORCE_COLOR asks", async () => {
    const plain = await shipline(["check", url, "--health-count", "1", "--version-header", ""]);
    expect(plain.stderr).not.toContain(ESC);
    const forced = await shipline(["check", url, "--health-count", "1", "--version-header", ""], { env: { FORCE_COLOR: "1" } });
    expect(forced.stderr).toContain(`${ESC}[36m▸${ESC}[0m Checking`);
    expect(forced.stderr).not.toContain(`${ESC}[2K`);
  });
});
