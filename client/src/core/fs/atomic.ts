/**
 * Crash-safe file writes: data goes to a temporary file, is fsynced, then renamed over the
 * target (or hard-linked to a new name that must not exist yet), and the directory is fsynced
 * so the rename itself survives a crash.
 *
 * Temp files never land in committed folders: a workspace registers its machine-local temp
 * folder (`.esc/run/tmp`, git-ignored) and every target inside that workspace gets its temp
 * file there (same file system, so the rename stays atomic; if not, the target's folder is
 * used). A process killed mid-write leaves its temp file there, named with its pid;
 * `removeStaleTempFiles` clears those on the next run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nodeCrypto } from '../nodeCrypto';
import { crashPoint } from '../rotation/crashpoints';

/** Workspace roots → their temp folder. Longest root wins. */
const tempDirs = new Map<string, string>();

export function registerTempDir(root: string, tempDir: string): void {
  tempDirs.set(path.resolve(root) + path.sep, path.resolve(tempDir));
}

function tempDirFor(target: string): string {
  const full = path.resolve(target);
  let best: string | undefined;
  let bestRoot = '';
  for (const [root, dir] of tempDirs) if (full.startsWith(root) && root.length > bestRoot.length) [bestRoot, best] = [root, dir];
  return best ?? path.dirname(full);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function tempPathFor(target: string, dir: string): string {
  return path.join(dir, `.${path.basename(target)}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
}

/** Whether a process of this machine is alive (EPERM: alive, owned by someone else). Used for stale temp files and locks. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files in `dir` left by killed writers: their process is gone, or they are older
 * than a writer ever needs (a write takes milliseconds; the age covers pids of another host).
 */
export function removeStaleTempFiles(dir: string, maxAgeMs = 10 * 60_000): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    try {
      if (Number(m[1]) === process.pid) continue;
      if (!processAlive(Number(m[1])) || Date.now() - fs.statSync(file).mtimeMs > maxAgeMs) fs.rmSync(file, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

function writeTempIn(dir: string, target: string, data: string | Uint8Array, mode: number): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(target, dir);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // openSync's mode is filtered by the umask; make sure the requested mode is what we get.
  fs.chmodSync(tmp, mode);
  crashPoint('atomic-temp-written');
  return tmp;
}

/**
 * Writes the temp file and hands it to `commit` (rename or link onto the target). If the temp
 * folder is on another file system (EXDEV), retries with a temp file beside the target.
 */
function viaTemp(target: string, data: string | Uint8Array, mode: number, commit: (tmp: string) => void): void {
  const dirs = [tempDirFor(target), path.dirname(path.resolve(target))];
  for (const dir of dirs[0] === dirs[1] ? dirs.slice(1) : dirs) {
    const tmp = writeTempIn(dir, target, data, mode);
    try {
      commit(tmp);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EXDEV' && dir !== dirs[1]) continue;
      throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}

export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Replaces `target` atomically with `data` (mode defaults to the target's current mode or 0644). */
export function writeFileAtomic(target: string, data: string | Uint8Array, mode?: number): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let effectiveMode = mode;
  if (effectiveMode === undefined) {
    try {
      effectiveMode = fs.statSync(target).mode & 0o777;
    } catch {
      effectiveMode = 0o644;
    }
  }
  viaTemp(target, data, effectiveMode, (tmp) => fs.renameSync(tmp, target));
  fsyncDirectory(path.dirname(target));
}

/**
 * Creates `target` with `data` only if it does not exist yet, atomically: readers never see a
 * partial file, and of two concurrent writers exactly one succeeds. Returns false if it existed.
 */
export function createFileExclusive(target: string, data: string | Uint8Array, mode = 0o644): boolean {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    viaTemp(target, data, mode, (tmp) => fs.linkSync(tmp, target));
    fsyncDirectory(path.dirname(target));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Removes a file and makes the removal durable. Missing files are fine. */
export function removeFileDurably(target: string): void {
  fs.rmSync(target, { force: true });
  fsyncDirectory(path.dirname(target));
}
