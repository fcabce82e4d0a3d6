import { statSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/** The folders whose files spawn wrangler or the built action: seconds to a minute each. */
const SLOW = ["/test/e2e/", "/test/cli/", "/test/sandbox/", "/test/integration/"];

/**
 * The slow files first, the biggest of them first, then the unit tests: on two workers the
 * quick files fill in at the end instead of one long end-to-end file running alone.
 */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (file: TestSpecification) => {
      const slow = SLOW.some((dir) => file.moduleId.includes(dir));
      return (slow ? 1e9 : 0) + statSync(file.moduleId).size;
    };
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end files each start a sandbox and spawn wrangler; two cores on CI.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
  },
});
