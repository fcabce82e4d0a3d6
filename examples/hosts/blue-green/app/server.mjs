// The sample service the host runs: any HTTP server that listens on $PORT would do. A release
// whose `health.json` says `{"status": 500}` is a broken one, and `{"status": {"production": 500}}`
// one that breaks in production only (the demo and the tests ship one).
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";

const version = process.env.SHIPLINE_VERSION || "dev";
const given = existsSync("health.json") ? JSON.parse(readFileSync("health.json", "utf8")).status : 200;
const health = { status: typeof given === "number" ? given : (given?.[process.env.SHIPLINE_ENVIRONMENT] ?? 200) };
createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/health") {
    res.statusCode = health.status;
    return void res.end(JSON.stringify({ status: health.status === 200 ? "ok" : "broken", version }));
  }
  res.end(JSON.stringify({ hello: "world", version }));
}).listen(Number(process.env.PORT), process.env.HOST || "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
