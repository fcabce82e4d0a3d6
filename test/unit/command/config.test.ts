import { describe, expect, it } from "vitest";
import { commandLine, splitWords } from "../../../src/providers/command/command-line.js";
import { configErrors, errorFor, resolve } from "../config/helpers.js";

const COMMANDS =
  "deployer:\n  kind: command\n  deploy: node host/deploy.mjs\n  status: node host/status.mjs\n  restore: [node, host/restore.mjs]\n";

describe("deployer settings", () => {
  it("is wrangler by default", () => {
    expect(resolve().deployer).toEqual({ kind: "wrangler" });
  });

  it("reads the commands of `deployer: { kind: command }`, lines split into words, lists as given", () => {
    const { deployer } = resolve({}, `${COMMANDS}  timeout: 30s\n`);
    expect(deployer.kind).toBe("command");
    if (deployer.kind !== "command") return;
    expect(deployer.commands.deploy).toEqual({ text: "node host/deploy.mjs", argv: ["node", "host/deploy.mjs"], shell: false });
    expect(deployer.commands.restore.argv).toEqual(["node", "host/restore.mjs"]);
    expect(deployer.commands.upload).toBeUndefined();
    expect(deployer.timeoutMs).toBe(30_000);
  });

  it("refuses commands without `kind: command`", () => {
    const text = COMMANDS.replace("  kind: command\n", "");
    expect(errorFor("deployer.deploy", () => resolve({}, text)).message).toMatch(/`deployer.kind` is not set \(wrangler\)/);
  });

  it("runs lines through the shell only when asked", () => {
    const { deployer } = resolve({}, `${COMMANDS.replace("node host/deploy.mjs", "'./deploy.sh && echo done'")}  shell: true\n`);
    expect(deployer.kind === "command" && deployer.commands.deploy).toEqual({
      text: "./deploy.sh && echo done",
      argv: ["./deploy.sh && echo done"],
      shell: true,
    });
  });

  it("refuses shell syntax without a shell, naming the key and the way out", () => {
    const error = errorFor("deployer.deploy", () => resolve({}, COMMANDS.replace("node host/deploy.mjs", "'./build.sh && ./deploy.sh'")));
    expect(error.message).toMatch(
      /`deployer.deploy` has the value "\.\/build\.sh && \.\/deploy\.sh": `&` is shell syntax.*deployer\.shell: true/,
    );
  });

  it("needs deploy, status and restore", () => {
    const error = errorFor("deployer.status", () => resolve({}, "deployer:\n  kind: command\n  deploy: ./d\n"));
    expect(error.message).toMatch(/`deployer.status`, `deployer.restore`/);
  });

  it("refuses gradual without upload and shift, before anything runs", () => {
    const error = errorFor("strategy", () => resolve({ strategy: "gradual" }, `${COMMANDS}  upload: ./up\n`));
    expect(error.message).toMatch(/`strategy: gradual` with the command deployer needs `deployer.shift`/);
    const ok = resolve({ strategy: "gradual" }, `${COMMANDS}  upload: ./up\n  shift: ./shift\n`);
    expect(ok.deployer.kind).toBe("command");
  });

  it("refuses Worker secrets, required secrets and vars", () => {
    const keys = configErrors(() => resolve({ "required-secrets": "API_KEY", vars: "A=1" }, COMMANDS)).map((e) => e.key);
    expect(keys.sort()).toEqual(["required-secrets", "vars"]);
  });

  it("refuses a bad timeout, a bad kind and a command of the wrong type", () => {
    expect(errorFor("deployer.timeout", () => resolve({}, `${COMMANDS}  timeout: soon\n`)).message).toMatch(
      /"soon": expected a duration above zero/,
    );
    expect(configErrors(() => resolve({}, "deployer:\n  kind: docker\n"))[0]?.message).toMatch(/wrangler, command/);
    expect(configErrors(() => resolve({}, `${COMMANDS}  upload: 3\n`))[0]?.message).toMatch(/command line, or a list/);
  });
});

describe("command lines", () => {
  it("splits words, quotes and escapes like a shell, and nothing more", () => {
    expect(splitWords(`node "my host/deploy.mjs" --name 'a b' c\\ d ""`)).toEqual([
      "node",
      "my host/deploy.mjs",
      "--name",
      "a b",
      "c d",
      "",
    ]);
    expect(splitWords(`echo "a|b" 'x;y'`)).toEqual(["echo", "a|b", "x;y"]);
    expect(() => splitWords("echo $HOME")).toThrow(/`\$` is shell syntax/);
    expect(() => splitWords("echo 'open")).toThrow(/quote is not closed/);
  });

  it("quotes a list for the log and the shell", () => {
    expect(commandLine(["node", "a b.mjs"], false)).toEqual({ text: "node 'a b.mjs'", argv: ["node", "a b.mjs"], shell: false });
    expect(commandLine(["node", "a b.mjs"], true).argv).toEqual(["node 'a b.mjs'"]);
    expect(() => commandLine([""], false)).toThrow(/names the program/);
  });
});

describe("plan of a command deployer", () => {
  it("names the deploy command, not wrangler", async () => {
    const { renderPlan } = await import("../../../src/config/plan.js");
    const { config } = resolve({}, COMMANDS);
    const text = renderPlan(config, { commandDeployer: true });
    expect(text).toContain("Production deploy: the deploy command (SHIPLINE_ENVIRONMENT=production) → the URL the deploy command reports");
    expect(text).not.toMatch(/wrangler deploy/);
  });
});
