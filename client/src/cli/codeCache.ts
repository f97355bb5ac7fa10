/**
 * Loading a CLI bundle (dist/cli-check.js, dist/cli-main.js) with a V8 code cache made at build
 * time (dist/cli-check.cache, written by scripts/code-cache.cjs from `npm run build`): compiling
 * the bundle is the largest part of its start-up, and the cache skips it. Node 20 has no built-in
 * compile cache (`module.enableCompileCache` is Node 22+) and the npm packages that add one write
 * their cache at run time in a temp folder; this one is only read, and never written, by the CLI.
 *
 * The cache file is the bundle's own bytes followed by V8's data, and is used only when those
 * bytes are exactly the bundle's: V8 checks only the source's length, so a cache from another
 * build of the same length would otherwise run stale code. Comparing bytes is a memcmp; a digest
 * would need node:crypto, whose loading alone costs more than the rest of this file. Any
 * mismatch, a cache from another Node/V8 (V8 rejects it) or a missing file: plain compilation.
 */
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** dist/cli-check.js → dist/cli-check.cache */
export function cacheFileOf(bundle: string): string {
  return bundle.replace(/\.js$/, '.cache');
}

/** The cache file's bytes for a bundle: the bundle, then V8's data (scripts/code-cache.cjs). */
export function cacheFileBytes(bundle: Uint8Array, v8Data: Uint8Array): Buffer {
  return Buffer.concat([bundle, v8Data]);
}

/** The exports of the CommonJS file `file`, compiled with its code cache when that was made from exactly this file. */
export function requireWithCodeCache(file: string): unknown {
  const { script } = compileWithCodeCache(file);
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/** The CommonJS file `file` compiled (not run), and whether V8 took its code cache. */
export function compileWithCodeCache(file: string): { script: vm.Script; cacheUsed: boolean } {
  const { bytes, cachedData } = readWithCache(file);
  // The bundles are ASCII (scripts/bundle.mjs): read as Latin-1, which is the same text and a
  // plain copy, while UTF-8 decoding costs several milliseconds of the start-up.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  return { script, cacheUsed: cachedData !== undefined && script.cachedDataRejected === false };
}

const COMPARED_CHUNK_BYTES = 64 * 1024;

/**
 * The bundle's bytes and, when the cache file starts with exactly them, V8's data after them.
 * With a cache, the bundle is compared with the cache's copy a chunk at a time and the copy is
 * used: the bundle is not held twice in memory (pages touched are a large part of a start-up).
 */
function readWithCache(file: string): { bytes: Buffer; cachedData?: Buffer } {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(cacheFileOf(file));
  } catch {
    return { bytes: fs.readFileSync(file) };
  }
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(COMPARED_CHUNK_BYTES);
    let at = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      if (at + read >= cache.length || !chunk.subarray(0, read).equals(cache.subarray(at, at + read))) return { bytes: fs.readFileSync(file) };
      at += read;
    }
    return { bytes: cache.subarray(0, at), cachedData: cache.subarray(at) };
  } finally {
    fs.closeSync(fd);
  }
}
