// node scripts/code-cache.cjs dist/cli-main.js [--after-check] [--source-copy]: writes
// dist/cli-main.cache, the V8 code cache the CLI's executable loads its bundle with
// (client/src/cli/codeCache.ts, which explains why and reads it). The file is the proof of the
// source it was made from (the bundle's SHA-256, or with --source-copy the bundle's own bytes)
// followed by V8's cached data (codeCache.ts's cacheFileBytes), made after the bundle's top
// level ran so that the functions it compiled are in the cache too; with --after-check, after the
// bundle's `runCli` also checked the shipped examples (output discarded), so that what a check
// compiles is cached as well. Run by scripts/bundle.mjs, after tsc, with the Node that builds (V8
// rejects a cache from another version), which then checks that a fresh Node takes the cache.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { cacheFileBytes, cacheFileOf } = require('../out/client/src/cli/codeCache.js');

const Module = module.constructor;
const file = path.resolve(process.argv[2]);
const bytes = fs.readFileSync(file);
const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file });
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));

// Set by the retry below: the warm-up runs with the default flags.
const DEFAULT_FLAGS_ONLY = process.env.ESC_CODE_CACHE_DEFAULT_FLAGS === '1';

/**
 * A check of examples/ with Sparkplug (V8's baseline compiler) off. V8 marks a function that ran
 * hot for baseline compilation on its first call, and the mark goes into the cache: made after a
 * warm-up with Sparkplug on, every later check compiled ~70 functions to machine code on their
 * first call (~10% of a small check's instructions; a long check gets them compiled as they get
 * hot). The flag is back to its default before the cache is made: V8 refuses a cache made under
 * other flags (checked below, in a fresh Node).
 */
async function checkExamples() {
  const { Writable, Readable } = require('node:stream');
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const workspace = path.resolve(__dirname, '..', 'examples');
  if (!DEFAULT_FLAGS_ONLY) v8.setFlagsFromString('--no-sparkplug');
  try {
    await mod.exports.runCli({ argv: ['check', '--workspace', workspace], stdout: sink(), stderr: sink(), stdin: Readable.from([]), env: {}, cwd: workspace });
  } finally {
    if (!DEFAULT_FLAGS_ONLY) v8.setFlagsFromString('--sparkplug');
  }
}

/** Whether a fresh Node (the CLI's flags: none) takes the cache written for `bundle`. */
function freshNodeTakesCache(bundle) {
  const probe = `process.stdout.write(String(require(${JSON.stringify(require.resolve('../out/client/src/cli/codeCache.js'))}).compileWithCodeCache(${JSON.stringify(bundle)}).cacheUsed))`;
  return execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }) === 'true';
}

async function writeCache() {
  const warm = process.argv.includes('--after-check');
  if (warm) await checkExamples();
  const out = cacheFileOf(file);
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, cacheFileBytes(bytes, script.createCachedData(), process.argv.includes('--source-copy') ? 'copy' : 'digest'));
  fs.renameSync(tmp, out);
  if (freshNodeTakesCache(file)) return;
  // On a platform where Sparkplug is off by default, `--sparkplug` above changed the flags.
  if (warm && !DEFAULT_FLAGS_ONLY) {
    execFileSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, ESC_CODE_CACHE_DEFAULT_FLAGS: '1' } });
    return;
  }
  // The CLI still works (it compiles the bundle), only slower; test/integration/cli.test.ts fails.
  console.warn(`warning: ${out}: a fresh Node refuses this code cache (was it built with other V8 flags, NODE_OPTIONS?)`);
}

writeCache().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
