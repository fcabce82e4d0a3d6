// Node 20 has no compile cache (module.enableCompileCache and NODE_COMPILE_CACHE came in 22.1),
// so every wrangler the suite starts compiles its 13 MB bundle again: about half a second of CPU
// each, hundreds of times per CI run. scripts/test-all.sh preloads this file (NODE_OPTIONS) on
// Node 20 only. It gives large CommonJS files (wrangler's bundle, TypeScript, ncc) what Node 24
// gives them through NODE_COMPILE_CACHE, the variable shipline sets for the wrangler it starts:
// V8's code cache, written when the process exits (so that it holds the functions the run
// compiled) and read by the next process that loads the same file with the same flags.
// Anything unexpected falls back to Node's own compile: the cache only ever saves time.
"use strict";
const Module = require("node:module");
const vm = require("node:vm");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const MIN_BYTES = 1_000_000;
const dir = path.resolve(__dirname, "../../.cache/compile-cache");

if (typeof Module.enableCompileCache !== "function" && vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (content.length < MIN_BYTES) return compile.call(this, content, filename);
    let file;
    let fn;
    let script;
    try {
      // Which file, as it is on disk, under which Node and flags (V8 refuses a cache made under others).
      const { mtimeMs } = fs.statSync(filename);
      const key = JSON.stringify([process.version, process.execArgv, filename, content.length, mtimeMs]);
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
      if (!cachedData || script.cachedDataRejected) process.once("exit", () => save(script, file));
    } catch {
      return compile.call(this, content, filename);
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
  } catch {}
}
