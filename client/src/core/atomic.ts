/**
 * Crash-safe file writes: data goes to a temporary file in the same directory, is fsynced,
 * then renamed over the target (or hard-linked to a new name that must not exist yet), and
 * the directory is fsynced so the rename itself survives a crash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeTemp(target: string, data: string | Uint8Array, mode: number): string {
  const tmp = tempPathFor(target);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // openSync's mode is filtered by the umask; make sure the requested mode is what we get.
  fs.chmodSync(tmp, mode);
  return tmp;
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
  const tmp = writeTemp(target, data, effectiveMode);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDirectory(path.dirname(target));
}

/**
 * Creates `target` with `data` only if it does not exist yet, atomically: readers never see a
 * partial file, and of two concurrent writers exactly one succeeds. Returns false if it existed.
 */
export function createFileExclusive(target: string, data: string | Uint8Array, mode = 0o644): boolean {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = writeTemp(target, data, mode);
  try {
    fs.linkSync(tmp, target);
    fsyncDirectory(path.dirname(target));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes a file and makes the removal durable. Missing files are fine. */
export function removeFileDurably(target: string): void {
  fs.rmSync(target, { force: true });
  fsyncDirectory(path.dirname(target));
}
