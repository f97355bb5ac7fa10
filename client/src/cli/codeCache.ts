/**
 * Loading a CLI bundle (dist/cli-check.js, dist/cli-main.js) with a V8 code cache made at build
 * time (dist/cli-check.cache, written by scripts/code-cache.cjs from `npm run build`): compiling
 * the bundle is the largest part of its start-up, and the cache skips it. Node 20 has no built-in
 * compile cache (`module.enableCompileCache` is Node 22+) and the npm packages that add one write
 * their cache at run time in a temp folder; this one is only read, and never written, by the CLI.
 *
 * A cache is used only when it was made from exactly the bundle's bytes: V8 checks only the
 * source's length, so a cache from another build of the same length would otherwise run stale
 * code. The cache file starts with what proves it, then V8's data:
 *   - `copy` (the check bundle): the bundle's own bytes. Comparing them is a memcmp, where a
 *     digest needs node:crypto, whose loading alone is about a tenth of a check's start-up;
 *   - `digest` (the full CLI): the bundle's SHA-256 in hex. Its commands load node:crypto anyway,
 *     and a copy of its 2.5 MB would grow the .vsix by a quarter.
 * Any mismatch, a cache from another Node/V8 (V8 rejects it) or a missing file: plain compilation.
 */
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import type Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { nodeCrypto } from '../core/nodeCrypto';

/**
 * Node's CommonJS module class, taken from this module: the same class `node:module` exports,
 * whose loading (its ES module loader and source map support) is about 3% of a check's start-up.
 */
const ModuleClass = module.constructor as typeof Module & { _nodeModulePaths(dir: string): string[] };

/** dist/cli-check.js → dist/cli-check.cache */
export function cacheFileOf(bundle: string): string {
  return bundle.replace(/\.js$/, '.cache');
}

export type CacheProof = 'copy' | 'digest';

const DIGEST_HEX_LENGTH = 64;

/** The cache file's bytes for a bundle: its proof, then V8's data (scripts/code-cache.cjs). */
export function cacheFileBytes(bundle: Buffer, v8Data: Uint8Array, proof: CacheProof): Buffer {
  return Buffer.concat([proof === 'copy' ? bundle : Buffer.from(sha256Hex(bundle), 'latin1'), v8Data]);
}

function sha256Hex(bytes: Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(bytes).digest('hex');
}

/** The exports of the CommonJS file `file`, compiled with its code cache when that was made from exactly this file. */
export function requireWithCodeCache(file: string): unknown {
  // Under `node --enable-source-maps`, Node maps stack traces only through files its own loader
  // compiled: the bundle is then required as usual, and its source map (outside a release) read.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true) return require(file) as unknown;
  const { script } = compileWithCodeCache(file);
  const mod = new ModuleClass(file, module);
  mod.filename = file;
  mod.paths = ModuleClass._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, ModuleClass.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/** The CommonJS file `file` compiled (not run), and whether V8 took its code cache. */
export function compileWithCodeCache(file: string): { script: vm.Script; cacheUsed: boolean } {
  const { bytes, cachedData } = readWithCache(file);
  // The bundles are ASCII (scripts/bundle.mjs): read as Latin-1, which is the same text and a
  // plain copy, while UTF-8 decoding costs several milliseconds of the start-up.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const script = new vm.Script(ModuleClass.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  return { script, cacheUsed: cachedData !== undefined && script.cachedDataRejected === false };
}

const COMPARED_CHUNK_BYTES = 64 * 1024;

/**
 * The bundle's bytes and, when its cache file proves it was made from them, V8's data.
 */
function readWithCache(file: string): { bytes: Buffer; cachedData?: Buffer } {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(cacheFileOf(file));
  } catch {
    return { bytes: fs.readFileSync(file) };
  }
  const copied = readAgainstCopy(file, cache);
  if (copied !== undefined) return copied;
  const bytes = fs.readFileSync(file);
  const digested = cache.length > DIGEST_HEX_LENGTH && cache.toString('latin1', 0, DIGEST_HEX_LENGTH) === sha256Hex(bytes);
  return digested ? { bytes, cachedData: cache.subarray(DIGEST_HEX_LENGTH) } : { bytes };
}

/**
 * For a `copy` cache: the bundle, compared with the cache's copy a chunk at a time, and V8's data;
 * undefined at the first difference. The copy is what is used, so the bundle is not held twice
 * in memory (pages touched are a large part of a start-up).
 */
function readAgainstCopy(file: string, cache: Buffer): { bytes: Buffer; cachedData: Buffer } | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(COMPARED_CHUNK_BYTES);
    let at = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      if (at + read >= cache.length || !chunk.subarray(0, read).equals(cache.subarray(at, at + read))) return undefined;
      at += read;
    }
    return { bytes: cache.subarray(0, at), cachedData: cache.subarray(at) };
  } finally {
    fs.closeSync(fd);
  }
}
