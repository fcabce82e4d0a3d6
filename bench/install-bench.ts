/**
 * Installing wrangler when the project has none installed (a checkout whose dependencies were not
 * installed), side by side, on one machine, in one run, in alternating order:
 * - wrangler-action's way: `npm i wrangler@<version>` in (a copy of) the project;
 * - shipline's: `locateWrangler`, which installs outside the project from the project's lockfile;
 * - shipline's former way: `npm install --no-package-lock wrangler@<range>` outside the project
 *   (resolving with no lockfile), for reference.
 * Warm: the machine's npm cache, shared by all three. Cold: each install gets an empty npm cache
 * of its own (as on a fresh hosted runner without a dependency cache), so it downloads everything.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { defaultNpmRunner, locateWrangler } from "../src/providers/wrangler/locate.js";
import { spread, type Spread } from "./process-bench.js";

export interface InstallFigures {
  readonly version: string;
  readonly action: Spread;
  readonly shipline: Spread;
  readonly former: Spread;
  /** CPU time (user + system) of each way's processes: steadier than wall time on a busy machine (Linux only). */
  readonly cpu: { readonly action: Spread; readonly shipline: Spread; readonly former: Spread };
  /** shipline's median over wrangler-action's. */
  readonly ratio: number;
  /** Whether every shipline install left the project's files as they were. */
  readonly projectUntouched: boolean;
}

/** The wrangler this repository pins: the version the bench project's lockfile pins too. */
async function pinnedWrangler(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(process.cwd(), "package.json"), "utf8")) as { devDependencies: { wrangler: string } };
  return manifest.devDependencies.wrangler;
}

function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, env, stdio: ["ignore", "ignore", "pipe"], shell: process.platform === "win32" });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`npm ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").at(-1)}`)),
    );
  });
}

/** CPU time (user + system) of this process's finished children, in ms; NaN off Linux. */
async function childrenCpuMs(): Promise<number> {
  try {
    const stat = await readFile("/proc/self/stat", "utf8");
    // Fields after the command name: state is field 3, cutime and cstime are fields 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Wall time of `fn`, and the CPU time of the processes it started (npm and what npm started). */
async function timed(fn: () => Promise<unknown>, cpu: number[]): Promise<number> {
  const cpu0 = await childrenCpuMs();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  cpu.push((await childrenCpuMs()) - cpu0);
  return wall;
}

/** A digest of every file under `dir`, to prove an install did not write there. */
async function digest(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  for (const path of entries.map((e) => join(e.parentPath, e.name)).sort()) {
    hash
      .update(relative(dir, path))
      .update("\0")
      .update(await readFile(path));
  }
  return hash.digest("hex");
}

/** Measures `rounds` alternating triples; `cold` gives every install an empty npm cache of its own. */
export async function measureInstalls(rounds: number, cold: boolean): Promise<InstallFigures> {
  const version = await pinnedWrangler();
  const scratch = await mkdtemp(join(tmpdir(), "shipline-bench-install-"));
  try {
    // The user's project: wrangler in devDependencies, a lockfile pinning it, nothing installed.
    const project = join(scratch, "project");
    await writeManifest(project, version);
    await npm(["install", "--package-lock-only", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], project, process.env);
    const before = await digest(project);
    let untouched = true;
    const action: number[] = [];
    const shipline: number[] = [];
    const former: number[] = [];
    const cpu = { action: [] as number[], shipline: [] as number[], former: [] as number[] };
    const envFor = async (tag: string) =>
      cold ? { ...process.env, npm_config_cache: await mkdtemp(join(scratch, `npm-cache-${tag}-`)) } : { ...process.env };
    const runs: Record<string, (i: number) => Promise<void>> = {
      action: async (i) => {
        const copy = join(scratch, `action-${i}`);
        await cp(project, copy, { recursive: true });
        const env = await envFor("action");
        action.push(
          await timed(() => npm(["i", `wrangler@${version}`, "--no-audit", "--no-fund", "--loglevel=error"], copy, env), cpu.action),
        );
      },
      shipline: async (i) => {
        const env = await envFor("shipline");
        const cacheDir = join(scratch, `toolcache-${i}`);
        shipline.push(
          await timed(
            () => locateWrangler({ workingDirectory: project, cacheDir, npm: defaultNpmRunner(env as Record<string, string>) }),
            cpu.shipline,
          ),
        );
        if ((await digest(project)) !== before) untouched = false;
      },
      former: async (i) => {
        const dir = join(scratch, `former-${i}`);
        await writeManifest(dir);
        const env = await envFor("former");
        const args = [
          "install",
          "--prefix",
          dir,
          "--no-save",
          "--no-package-lock",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
          "wrangler@4",
        ];
        former.push(await timed(() => npm(args, dir, env), cpu.former));
      },
    };
    const orders = [
      ["action", "shipline", "former"],
      ["shipline", "former", "action"],
      ["former", "action", "shipline"],
    ];
    for (let i = 0; i < rounds; i++) {
      for (const name of orders[i % orders.length]!) await runs[name]!(i);
      // 195 MB an install: do not fill the disk over the rounds.
      for (const dir of [`action-${i}`, `toolcache-${i}`, `former-${i}`]) await rm(join(scratch, dir), { recursive: true, force: true });
    }
    const a = spread(action);
    const s = spread(shipline);
    return {
      version,
      action: a,
      shipline: s,
      former: spread(former),
      ratio: s.medianMs / a.medianMs,
      projectUntouched: untouched,
      cpu: { action: spread(cpu.action), shipline: spread(cpu.shipline), former: spread(cpu.former) },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeManifest(dir: string, wrangler?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest = wrangler ? { name: "bench-worker", private: true, devDependencies: { wrangler } } : { name: "former", private: true };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}
