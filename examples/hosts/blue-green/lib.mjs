// Shared by the blue-green host's commands: where its state lives, how a slot is started and
// found ready, and how a command prints its one JSON document (logs go to stderr).
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const HERE = dirname(fileURLToPath(import.meta.url));

/** The host's settings: `blue-green.json` in the working directory (the project), with defaults. */
export function settings() {
  const file = resolve("blue-green.json");
  const given = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  return {
    app: resolve(given.app ?? "app"),
    start: given.start ?? ["node", "server.mjs"],
    readyPath: given.readyPath ?? "/",
    readyTimeoutMs: given.readyTimeoutMs ?? 30_000,
    proxyPort: given.proxyPort ?? {},
  };
}

/** Where this environment's state is: `$SHIPLINE_HOST_DIR/<environment>` (default `.blue-green/` here). */
export function environmentDir() {
  const environment = process.env.SHIPLINE_ENVIRONMENT;
  if (!environment || !/^[\w.-]+$/.test(environment)) fail(`SHIPLINE_ENVIRONMENT is ${JSON.stringify(environment)}: expected a name`);
  const dir = join(resolve(process.env.SHIPLINE_HOST_DIR || ".blue-green"), environment);
  mkdirSync(join(dir, "releases"), { recursive: true });
  return dir;
}

const EMPTY = { live: null, slots: {}, proxy: null, deployments: [], versions: [], next: 1 };

export function readState(dir) {
  const file = join(dir, "state.json");
  return existsSync(file) ? { ...EMPTY, ...JSON.parse(readFileSync(file, "utf8")) } : structuredClone(EMPTY);
}

/** Written whole and renamed into place: the proxy never reads half a state. */
export function writeState(dir, state) {
  const file = join(dir, "state.json");
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process started by `startDetached` (its own process group). */
export function stopGroup(pid) {
  if (!isAlive(pid)) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
}

/** Starts a process that outlives the command: a session of its own, output to a log file. */
export function startDetached(argv, { cwd, env, log }) {
  const out = openSync(log, "a");
  const child = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ["ignore", out, out] });
  child.unref();
  return child.pid;
}

export function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Resolves with the HTTP status once `url` answers at all, or rejects after `timeoutMs`. */
export async function waitUntilAnswering(url, timeoutMs, stillRunning = () => true) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await get(url).catch(() => undefined);
    if (status !== undefined) return status;
    if (!stillRunning()) throw new Error(`the process serving ${url} exited before it answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function get(url) {
  return new Promise((done, reject) => {
    const req = request(url, { method: "GET", timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Makes sure the environment's reverse proxy runs; returns its URL. */
export async function ensureProxy(dir, state) {
  if (state.proxy && isAlive(state.proxy.pid)) return state.proxy.url;
  const port = settings().proxyPort[process.env.SHIPLINE_ENVIRONMENT] ?? (await freePort());
  const pid = startDetached([process.execPath, join(HERE, "proxy.mjs"), dir, String(port)], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "" },
    log: join(dir, "proxy.log"),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/__blue-green/ping`, 10_000, () => isAlive(pid));
  state.proxy = { pid, port, url };
  return url;
}

/** Starts `versionId`'s release in `slot` and waits until it answers. */
export async function startSlot(dir, state, slot, version) {
  const config = settings();
  stopGroup(state.slots[slot]?.pid);
  const port = await freePort();
  const cwd = join(dir, "releases", version.versionId);
  const pid = startDetached(config.start, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      SHIPLINE_VERSION_ID: version.versionId,
      SHIPLINE_VERSION: version.version ?? "",
      SHIPLINE_ENVIRONMENT: process.env.SHIPLINE_ENVIRONMENT,
    },
    log: join(dir, `${slot}.log`),
  });
  state.slots[slot] = { pid, port, versionId: version.versionId };
  // Written now: a deploy stopped from here on leaves a slot that the next deploy replaces.
  writeState(dir, state);
  try {
    const status = await waitUntilAnswering(`http://127.0.0.1:${port}${config.readyPath}`, config.readyTimeoutMs, () => isAlive(pid));
    console.error(`slot ${slot}: ${version.versionId} answers on port ${port} (HTTP ${status})`);
  } catch (error) {
    stopGroup(pid);
    delete state.slots[slot];
    writeState(dir, state);
    throw error;
  }
}

/** Copies the project's app into `releases/<versionId>`, kept beside the earlier ones. */
export function keepRelease(dir, versionId) {
  const target = join(dir, "releases", versionId);
  cpSync(settings().app, target, { recursive: true });
  return target;
}

export function otherSlot(slot) {
  return slot === "blue" ? "green" : "blue";
}

/** The slot serving `versionId` with a running process, if any. */
export function slotServing(state, versionId) {
  return ["blue", "green"].find((slot) => state.slots[slot]?.versionId === versionId && isAlive(state.slots[slot].pid));
}

/** Routes all traffic to `slot` and records the deployment. */
export function switchTo(dir, state, slot, message) {
  const versionId = state.slots[slot].versionId;
  state.live = slot;
  state.deployments.unshift({
    deploymentId: `d${state.deployments.length + 1}`,
    allocation: [{ versionId, percentage: 100 }],
    createdOn: new Date().toISOString(),
    ...(message ? { message } : {}),
  });
  state.deployments = state.deployments.slice(0, 50);
  writeState(dir, state);
}

/** The status document of the command contract. */
export function statusDocument(state) {
  const live = state.live && state.slots[state.live];
  return {
    allocation: live ? [{ versionId: live.versionId, percentage: 100 }] : [],
    ...(state.proxy ? { url: state.proxy.url } : {}),
    ...(state.deployments[0] ? { deploymentId: state.deployments[0].deploymentId, createdOn: state.deployments[0].createdOn } : {}),
    deployments: state.deployments,
    versions: state.versions,
  };
}

export function print(document) {
  process.stdout.write(`${JSON.stringify(document)}\n`);
}

export function fail(message) {
  console.error(`blue-green: ${message}`);
  process.exit(1);
}
