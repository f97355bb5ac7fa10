/** Child processes of the harness: started with their own log file, stopped by their pid only. */
import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface Started {
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `command` with stdout/stderr appended to `logFile`; `stop()` sends SIGTERM then SIGKILL. */
export function startLogged(command: string, args: string[], logFile: string, options: SpawnOptions = {}): Started {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { ...options, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  return {
    child,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
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
