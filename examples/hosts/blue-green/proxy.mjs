// The environment's reverse proxy: every request goes to the live slot, read from state.json
// whenever that file changes, so a switch takes effect with the next request. Each answer names
// the version that gave it (`x-version-id`) and the slot (`x-blue-green-slot`).
import { readFileSync, statSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { join } from "node:path";

const [dir, port] = process.argv.slice(2);
const stateFile = join(dir, "state.json");
const agent = new Agent({ keepAlive: true });
let seen = "";
let live;

function current() {
  try {
    // Every write renames a new file into place: a new inode, even within one mtime tick.
    const { ino, mtimeMs } = statSync(stateFile);
    const mtime = `${ino}:${mtimeMs}`;
    if (mtime !== seen) {
      const state = JSON.parse(readFileSync(stateFile, "utf8"));
      seen = mtime;
      live = state.live ? { slot: state.live, ...state.slots[state.live] } : undefined;
    }
  } catch {
    // Mid-rename or not there yet: keep the last slot.
  }
  return live;
}

createServer((req, res) => {
  if (req.url === "/__blue-green/ping") return void res.end("pong");
  const target = current();
  if (!target) {
    res.writeHead(503, { "content-type": "text/plain" });
    return void res.end("nothing deployed yet\n");
  }
  const upstream = request(
    { host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "x-version-id": target.versionId, "x-blue-green-slot": target.slot });
      answer.pipe(res);
    },
  );
  upstream.on("error", (error) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { "content-type": "text/plain", "x-version-id": target.versionId });
    res.end(`the ${target.slot} slot did not answer: ${error.message}\n`);
  });
  req.pipe(upstream);
}).listen(Number(port), "127.0.0.1");

process.on("SIGTERM", () => process.exit(0));
