// The sample service the host runs: any HTTP server that listens on $PORT would do.
import { createServer } from "node:http";

const version = process.env.SHIPLINE_VERSION || "dev";
createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  if (req.url === "/health") return void res.end(JSON.stringify({ status: "ok", version }));
  res.end(JSON.stringify({ hello: "world", version }));
}).listen(Number(process.env.PORT), process.env.HOST || "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
