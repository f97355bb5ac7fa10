// node scripts/code-cache.cjs dist/cli-main.js [--after-check] [--source-copy]: writes
// dist/cli-main.cache, the V8 code cache the CLI's executable loads its bundle with
// (client/src/cli/codeCache.ts, which explains why and reads it). The file is the proof of the
// source it was made from (the bundle's SHA-256, or with --source-copy the bundle's own bytes)
// followed by V8's cached data (codeCache.ts's cacheFileBytes), made after the bundle's top
// level ran so that the functions it compiled are in the cache too; with --after-check, after the bundle's `runCli` also checked the
// shipped examples (output discarded), so that what a check compiles is cached as well. Run by
// scripts/bundle.mjs, after tsc, with the Node that builds (V8 rejects a cache from another version).
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { cacheFileBytes, cacheFileOf } = require('/work/wt/startup/out/client/src/cli/codeCache.js');

const file = path.resolve(process.argv[2]);
const bytes = fs.readFileSync(file);
const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file });
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));

async function checkExamples() {
  const { Writable, Readable } = require('node:stream');
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const workspace = process.env.CACHE_WS;
  await mod.exports.runCli({ argv: ['check', '--workspace', workspace], stdout: sink(), stderr: sink(), stdin: Readable.from([]), env: {}, cwd: workspace });
}

async function writeCache() {
  if (process.env.NOSP) require('v8').setFlagsFromString('--no-sparkplug');
  if (process.argv.includes('--after-check')) await checkExamples();
  if (process.env.NOSP) require('v8').setFlagsFromString('--sparkplug');
  const out = cacheFileOf(file);
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, cacheFileBytes(bytes, script.createCachedData(), process.argv.includes('--source-copy') ? 'copy' : 'digest'));
  fs.renameSync(tmp, out);
}

writeCache().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
