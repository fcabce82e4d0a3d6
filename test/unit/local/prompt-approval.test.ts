import { userInfo } from "node:os";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/errors.js";
import { ApprovalInterrupt, type ApprovalRequest } from "../../../src/core/ports.js";
import type { GateReport } from "../../../src/core/types.js";
import { resolveVersion } from "../../../src/core/version.js";
import { PromptApproval } from "../../../src/providers/terminal/prompt-approval.js";
import { VirtualClock } from "../../../src/testing/virtual-clock.js";

const SHA = "abc1234000000000000000000000000000000000";
const TIMEOUT = 30 * 60_000;

const smoke: GateReport = {
  gate: "smoke",
  environment: "staging",
  baseUrl: "https://staging.example.test",
  outcome: "passed",
  startedAt: 0,
  endedAt: 1,
  measurements: [],
  stats: { count: 10, successful: 10, failed: 0, errors: 1, requests: 11, p50Ms: 12, p95Ms: 30 },
};

const approvalRequest: ApprovalRequest = {
  release: resolveVersion({ explicit: "1.2.3", tagPrefix: "v", sha: SHA }),
  stagingUrl: "https://staging.example.test",
  stagingVersionId: "stg-7",
  smoke,
};

function setup() {
  const clock = new VirtualClock();
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const approval = new PromptApproval({ clock, timeoutMs: TIMEOUT, input, output, user: "alice" });
  return { clock, input, approval, printed: () => printed };
}

describe("PromptApproval.request", () => {
  it("prints what is approved, asks, and approves on yes", async () => {
    const { input, approval, printed, clock } = setup();
    const start = clock.now();
    // Answered five minutes in, while the timeout is still running.
    void clock.sleep(5 * 60_000).then(() => input.write("yes\n"));

    const record = await approval.request(approvalRequest, new AbortController().signal);

    expect(record).toEqual({ status: "approved", approvedBy: ["alice"], startedAt: start, endedAt: start + 5 * 60_000 });
    const text = printed();
    expect(text).toContain("Deploy v1.2.3 to production? [y/N] ");
    expect(text).toContain(SHA);
    expect(text).toContain("https://staging.example.test (Worker version stg-7)");
    expect(text).toContain("passed: 10/10 successful, 1 error (p50 12ms, p95 30ms)");
    expect(text).toContain("no answer within 30m rejects the release");
    expect(text.trimEnd().endsWith("Approved by alice.")).toBe(true);
  });

  it.each(["y", "Y", " approve ", "yes\r"])("approves on %j", async (answer) => {
    const { input, approval } = setup();
    input.write(`${answer}\n`);
    expect((await approval.request(approvalRequest, new AbortController().signal)).status).toBe("approved");
  });

  it.each(["n", "", "no", "yess", "deploy"])("denies on %j", async (answer) => {
    const { input, approval, printed } = setup();
    input.write(`${answer}\n`);
    const record = await approval.request(approvalRequest, new AbortController().signal);
    expect(record.status).toBe("denied");
    expect(record.approvedBy).toEqual([]);
    expect(record.reason).toBe(`Denied at the terminal by alice (answered "${answer}")`);
    expect(printed()).toContain("Not deploying to production");
  });

  it("denies when the input ends without an answer", async () => {
    const { input, approval } = setup();
    input.end();
    const record = await approval.request(approvalRequest, new AbortController().signal);
    expect(record).toMatchObject({ status: "denied", approvedBy: [], reason: "No answer: the terminal input ended" });
  });

  it("times out when nobody answers, at the timeout", async () => {
    const { approval, clock, printed } = setup();
    const start = clock.now();
    const record = await approval.request(approvalRequest, new AbortController().signal);
    expect(record).toMatchObject({ status: "timed-out", approvedBy: [], startedAt: start, endedAt: start + TIMEOUT });
    expect(record.reason).toBe("No answer within the approval timeout (30m)");
    expect(printed()).toContain("Not deploying to production: No answer within the approval timeout (30m).");
  });

  it("is denied with the reason when staging fails during the wait", async () => {
    const { approval, clock } = setup();
    const interrupt = new AbortController();
    void clock.sleep(60_000).then(() => interrupt.abort(new ApprovalInterrupt("staging-failed", "GET / answered 500")));
    const start = clock.now();

    const record = await approval.request(approvalRequest, interrupt.signal);

    expect(record).toEqual({
      status: "denied",
      approvedBy: [],
      reason: "Staging checks failed during the wait: GET / answered 500",
      startedAt: start,
      endedAt: start + 60_000,
    });
  });

  it("is cancelled when the run is cancelled, even before it asks", async () => {
    const { approval, clock, printed } = setup();
    const waiting = new AbortController();
    void clock.sleep(1_000).then(() => waiting.abort(new ApprovalInterrupt("cancelled", "the run was cancelled")));
    const during = await approval.request(approvalRequest, waiting.signal);
    expect(during).toMatchObject({ status: "cancelled", reason: "the run was cancelled" });

    const already = new AbortController();
    already.abort(new Error("SIGINT"));
    const before = await approval.request(approvalRequest, already.signal);
    expect(before).toMatchObject({ status: "cancelled", approvedBy: [], reason: "SIGINT" });
    // Only the first request asked.
    expect(printed().match(/\[y\/N\]/g)).toHaveLength(1);
  });

  it("asks again on the same input: each question reads its own answer", async () => {
    const { approval, input, clock } = setup();
    input.write("y\n");
    expect((await approval.request(approvalRequest, new AbortController().signal)).status).toBe("approved");
    void clock.sleep(1_000).then(() => input.write("n\n"));
    expect((await approval.request(approvalRequest, new AbortController().signal)).status).toBe("denied");
  });
});

describe("PromptApproval.prepare", () => {
  it("refuses an input that is not a terminal when a terminal is required", async () => {
    const approval = new PromptApproval({ clock: new VirtualClock(), timeoutMs: TIMEOUT, input: new PassThrough(), requireTerminal: true });
    const error = await approval.prepare().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("approval");
    expect((error as Error).message).toContain("standard input is not a terminal");
  });

  it("accepts a terminal, and an injected answer source", async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const onTerminal = new PromptApproval({ clock: new VirtualClock(), timeoutMs: TIMEOUT, input: tty, requireTerminal: true });
    await expect(onTerminal.prepare()).resolves.toBeUndefined();
    const injected = new PromptApproval({ clock: new VirtualClock(), timeoutMs: TIMEOUT, input: new PassThrough() });
    await expect(injected.prepare()).resolves.toBeUndefined();
  });

  it("records the local user by default", async () => {
    const input = new PassThrough();
    const approval = new PromptApproval({ clock: new VirtualClock(), timeoutMs: TIMEOUT, input, output: new PassThrough() });
    input.write("y\n");
    const record = await approval.request(approvalRequest, new AbortController().signal);
    expect(record.approvedBy).toEqual([userInfo().username]);
  });
});

describe("PromptApproval on a terminal", () => {
  it("counts down above the question without touching what is typed, and stops when answered", async () => {
    const clock = new VirtualClock();
    const input = new PassThrough();
    const writes: string[] = [];
    const output = { isTTY: true, write: (text: string) => void writes.push(text) };
    const approval = new PromptApproval({ clock, timeoutMs: TIMEOUT, input, output, user: "alice" });
    const record = approval.request(approvalRequest, new AbortController().signal);
    await clock.sleep(3_000);
    input.write("y\n");
    expect((await record).status).toBe("approved");
    expect(writes[0]).toContain("Time left to answer: 30m (until 2026-01-01 00:30:00 UTC)\n");
    expect(writes).toContain("\u001b7\u001b[1A\r\u001b[2KTime left to answer: 29m 59s (until 2026-01-01 00:30:00 UTC)\u001b8");
    const ticks = writes.filter((w) => w.startsWith("\u001b7")).length;
    await clock.sleep(10_000);
    expect(writes.filter((w) => w.startsWith("\u001b7")).length).toBe(ticks);
  });

  it("prints no countdown when the output is not a terminal", async () => {
    const s = setup();
    const record = s.approval.request(approvalRequest, new AbortController().signal);
    await s.clock.sleep(2_000);
    s.input.write("y\n");
    await record;
    expect(s.printed()).not.toContain("Time left");
  });
});
