/**
 * Loading dist/cli-main.js with a V8 code cache made at build time (dist/cli-main.cache, written
 * by scripts/code-cache.cjs from `npm run build`): compiling the CLI's bundle is the largest part
 * of its start-up, and the cache skips it. Node 20 has no built-in compile cache
 * (`module.enableCompileCache` is Node 22+) and the npm packages that add one write their cache
 * at run time in a temp folder; this one is only read, and never written, by the CLI.
 *
 * The cache starts with the SHA-256 of the source it was made from: V8 checks only the source's
 * length, so a cache from another build of the same length would otherwise run stale code. Any
 * mismatch, a cache from another Node/V8 (V8 rejects it) or a missing file: plain compilation.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

const HASH_HEX_LENGTH = 64;

/** The exports of the CommonJS file `file`, compiled with its code cache `${file}` minus `.js` plus `.cache` when valid. */
export function requireWithCodeCache(file: string): unknown {
  const bytes = fs.readFileSync(file);
  // The bundles are ASCII (scripts/bundle.mjs): read as Latin-1, which is the same text and a
  // plain copy, while UTF-8 decoding costs several milliseconds of the start-up.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachedData = validCache(file.replace(/\.js$/, '.cache'), bytes);
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/** The cache's V8 data when it was made from exactly `source` (the file's bytes). */
function validCache(cacheFile: string, source: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const hash = cache.subarray(0, HASH_HEX_LENGTH).toString('latin1');
  return hash === sourceHash(source) ? cache.subarray(HASH_HEX_LENGTH) : undefined;
}

/** SHA-256 (hex) of the bundle's UTF-8 bytes, as scripts/code-cache.cjs writes it. */
export function sourceHash(source: Buffer | string): string {
  return createHash('sha256').update(source).digest('hex');
}
