/**
 * A per-environment lock shared by every process on this machine (the extension host and the
 * CLI): `<workspace>/.esc/run/locks/<environment>.lock`, created with an exclusive hard link so
 * exactly one process wins. The file records who holds it. A lock whose process is gone
 * (same host, pid not alive) is stale and broken under a second, short-lived "break" lock, so
 * two processes cannot both break it and both proceed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileExclusive, processAlive, removeFileDurably } from './atomic';
import { environmentFileStem } from '../../../../shared/src/identity/environmentName';
import { CoreError } from '../errors';
import { sleep } from '../sleep';

export interface LockOwner {
  pid: number;
  host: string;
  tool: string;
  since: string;
  purpose: string;
}

export interface LockOptions {
  /** How long to wait for another rotation to finish before failing (ms). Default 0: fail at once. */
  waitMs?: number;
  /** Who is asking, shown to the other side: e.g. "esc-local CLI" or "VS Code". */
  tool?: string;
  purpose?: string;
  signal?: AbortSignal;
}

export interface HeldLock {
  readonly file: string;
  release(): void;
}

/** The tool's own locks (`@schedules`, …): no environment name may start with `@`. */
const TOOL_LOCK = /^@[a-z][a-z-]*$/;

export function lockFile(runDir: string, environment: string): string {
  return path.join(runDir, 'locks', `${TOOL_LOCK.test(environment) ? environment : environmentFileStem(environment)}.lock`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isStale(owner: LockOwner | undefined, file: string): boolean {
  if (owner === undefined) {
    // Unreadable content: created by the atomic link, so it cannot be partial; treat as stale only if old.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 60_000;
    } catch {
      return true;
    }
  }
  return owner.host === os.hostname() && !processAlive(owner.pid);
}

/** Breaks a stale lock, guarded by a break lock so that only one process does it. */
function breakStaleLock(file: string): void {
  const breaker = `${file}.break`;
  try {
    if (Date.now() - fs.statSync(breaker).mtimeMs > 10_000) fs.rmSync(breaker, { force: true });
  } catch {
    // no break lock
  }
  if (!createFileExclusive(breaker, String(process.pid))) return;
  try {
    // Re-check under the break lock: someone may have broken it and re-acquired it meanwhile.
    if (isStale(readOwner(file), file)) removeFileDurably(file);
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

export async function acquireEnvironmentLock(runDir: string, environment: string, options: LockOptions = {}): Promise<HeldLock> {
  const file = lockFile(runDir, environment);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    tool: options.tool ?? 'esc-local',
    since: new Date().toISOString(),
    purpose: options.purpose ?? 'rotation',
  };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let delay = 50;
  for (;;) {
    if (createFileExclusive(file, JSON.stringify(me) + '\n', 0o600)) {
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          const owner = readOwner(file);
          if (owner && owner.pid === me.pid && owner.since === me.since) removeFileDurably(file);
        },
      };
    }
    const owner = readOwner(file);
    if (isStale(owner, file)) {
      breakStaleLock(file);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner ? `${owner.tool} (pid ${owner.pid} on ${owner.host}, ${owner.purpose} since ${owner.since})` : 'another process';
      throw new CoreError(
        'Locked',
        `another ${owner?.purpose ?? 'rotation'} of this environment is in progress: ${who}`,
        { environment, file },
        `wait for it to finish and try again; if no such process exists, delete ${file}`,
      );
    }
    options.signal?.throwIfAborted();
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())), options.signal);
    delay = Math.min(delay * 2, 1000);
  }
}
