// Node 20 has no compile cache (NODE_COMPILE_CACHE came in Node 22.1), so every wrangler the
// suite starts compiles its 13 MB bundle again: about half a second of CPU each, hundreds of
// times per CI run. scripts/test-all.sh preloads this file on Node 20 (NODE_OPTIONS, and
// SHIPLINE_TEST_PRELOAD for the environments the tests build for their children). It gives
// wrangler's bundle what Node 24 gives it through NODE_COMPILE_CACHE, the variable shipline
// sets for the wrangler it starts: V8's code cache, written when the process exits (so that it
// holds the functions the run compiled) and read by the next process that runs the same
// wrangler command from the same file under the same Node and flags. Anything unexpected
// falls back to Node's own compile: the cache only ever saves time.
// SHIPLINE_TEST_PRELOAD_DEBUG=1 says on stderr whether the cache was used (the test does).
"use strict";
const Module = require("node:module");
const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

/** Only wrangler's bundle: the files whose compile the suite pays for hundreds of times. */
const TARGET = /[\\/]wrangler-dist[\\/]cli\.js$/;
const dir = process.env.SHIPLINE_TEST_COMPILE_CACHE || path.resolve(__dirname, "../../.cache/compile-cache");
const debug = process.env.SHIPLINE_TEST_PRELOAD_DEBUG === "1" ? (line) => process.stderr.write(`compile-cache: ${line}\n`) : () => {};
const major = Number(process.versions.node.split(".")[0]);

if (major < 22 && vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, format) {
    if (format === "module" || !TARGET.test(filename)) return compile.apply(this, arguments);
    let file;
    let fn;
    let script;
    try {
      // The file as it is on disk, the Node, its flags and the wrangler command (V8 refuses a
      // cache made under other flags; one command's cache holds the functions that command ran).
      const { mtimeMs } = fs.statSync(filename);
      const command = process.argv.slice(2).find((arg) => !arg.startsWith("-")) ?? "";
      const key = JSON.stringify([
        process.version,
        process.execArgv,
        process.env.NODE_OPTIONS ?? "",
        filename,
        content.length,
        mtimeMs,
        command,
      ]);
      file = path.join(dir, crypto.createHash("sha256").update(key).digest("hex"));
      let cachedData;
      try {
        cachedData = fs.readFileSync(file);
      } catch {}
      script = new vm.Script(Module.wrap(content), {
        filename,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
      fn = script.runInThisContext({ displayErrors: true });
      const used = cachedData !== undefined && !script.cachedDataRejected;
      debug(used ? "used" : cachedData ? "rejected" : "none");
      if (!used) process.once("exit", () => save(script, file));
    } catch {
      return compile.apply(this, arguments);
    }
    const mod = this;
    const resolver = Module.createRequire(filename);
    const require = (id) => mod.require(id);
    Object.assign(require, { resolve: resolver.resolve, main: process.mainModule, cache: Module._cache, extensions: Module._extensions });
    return fn.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
}

/** Writes the code cache beside the others, atomically: several processes may load the same file at once. */
function save(script, file) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, file);
    debug("saved");
  } catch {}
}
