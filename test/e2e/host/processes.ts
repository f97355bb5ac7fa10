/** Child processes of the harness: started with their own log file, stopped by their pid only. */
import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface Started {
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `command` in its own process group with stdout/stderr appended to `logFile`. `stop()`
 * signals that group (SIGTERM, then SIGKILL), so the children it started — code-server's
 * extension hosts, the language server — stop with it.
 */
export function startLogged(command: string, args: string[], logFile: string, options: SpawnOptions = {}): Started {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { ...options, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const group = child.pid;
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    if (group === undefined) return false;
    try {
      process.kill(-group, signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  const groupAlive = (): boolean => signalGroup(0);
  return {
    child,
    logFile,
    async stop() {
      if (!signalGroup('SIGTERM')) return;
      const deadline = Date.now() + 5000;
      while (groupAlive() && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
      signalGroup('SIGKILL');
    },
  };
}

/** A free loopback TCP port (bound then released; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it resolves true or `timeoutMs` passes. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`${what}: the process exited with code ${child.exitCode}${logFile ? `; log:\n${tail(logFile)}` : ''}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms${logFile ? `; log:\n${tail(logFile)}` : ''}`);
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
