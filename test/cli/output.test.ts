import { readFileSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { finishRun } from "../../src/cli/output.js";
import { OLD, OUTCOMES } from "../unit/report/outcomes.js";

describe("finishRun", () => {
  it("masks the health report file like the summary and stdout", async () => {
    const result = await OUTCOMES["rolled-back"]();
    const printed: string[] = [];
    // The version id stands in for a secret: it is certainly in the report.
    const mask = (text: string) => text.split(OLD).join("***");
    await finishRun(result, { json: true, stdout: (line) => printed.push(line), cwd: process.cwd(), mask });
    const reportPath = JSON.parse(printed.join("\n")).outputs["health-report"] as string;
    try {
      const report = readFileSync(reportPath, "utf8");
      expect(report).toContain("***");
      expect(report).not.toContain(OLD);
    } finally {
      rmSync(reportPath, { force: true });
    }
  });
});
