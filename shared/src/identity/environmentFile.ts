/**
 * Reading environment files safely, the one rule for every reader (CLI, rotation core,
 * language server): a file is read only if it is a regular file whose real path (after every
 * symbolic link) stays inside one of the workspace's folders. Links that stay inside are
 * followed — reads see the target and writers write to the returned real path, so an atomic
 * write replaces the target, never the link. Links leaving the workspace, directories, FIFOs,
 * sockets and devices are refused unopened, with a message saying which file and why; a file
 * that exists but cannot be read is an error, never "nothing to check".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Located = { ok: true; realPath: string } | { ok: false; problem: string };
export type ReadResult = { ok: true; realPath: string; text: string } | { ok: false; problem: string };

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function describeError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ELOOP':
      return 'cannot be read: too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory, not an environment file';
    default:
      return `cannot be read: ${(e as Error).message}`;
  }
}

/**
 * Where `file` really is, when it may be read or written as an environment: a regular file
 * inside one of `roots` (the workspace folders) after resolving links.
 */
export function locateEnvironmentFile(file: string, roots: readonly string[]): Located {
  let real: string;
  let stat: fs.Stats;
  try {
    fs.lstatSync(file);
    real = fs.realpathSync.native(file);
    stat = fs.statSync(real);
  } catch (e) {
    return { ok: false, problem: describeError(e) };
  }
  if (!roots.some((root) => isInside(real, realpathOrSelf(root)))) {
    return { ok: false, problem: `resolves (through a symbolic link) to ${real}, outside the workspace; links may only point inside it` };
  }
  if (stat.isDirectory()) return { ok: false, problem: 'is a directory, not an environment file' };
  if (!stat.isFile()) return { ok: false, problem: 'is not a regular file (a FIFO, socket or device) and was not opened' };
  return { ok: true, realPath: real };
}

/**
 * Reads an environment file under the rule above. Opened non-blocking and checked again on the
 * open descriptor, so a file swapped for a FIFO between the check and the open cannot block.
 */
export function readEnvironmentFile(file: string, roots: readonly string[], maxBytes = Number.POSITIVE_INFINITY): ReadResult {
  const located = locateEnvironmentFile(file, roots);
  if (!located.ok) return located;
  let fd: number;
  try {
    fd = fs.openSync(located.realPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { ok: false, problem: describeError(e) };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, problem: 'is not a regular file (a FIFO, socket or device) and was not read' };
    if (stat.size > maxBytes) return { ok: false, problem: `is larger than ${maxBytes} bytes` };
    return { ok: true, realPath: located.realPath, text: fs.readFileSync(fd, 'utf8') };
  } catch (e) {
    return { ok: false, problem: describeError(e) };
  } finally {
    fs.closeSync(fd);
  }
}
