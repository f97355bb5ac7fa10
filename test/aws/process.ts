/**
 * Runs the endpoint as a separate process (`out/test/aws/main.js`) and hands back its URL and
 * an HTTP admin client — for tests where "AWS" must outlive a SIGKILLed client, and for e2e
 * tests and the demo. The process is `detached: false`; call `stop()` (SIGTERM) or `kill()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AwsAdminClient } from './admin';

export const AWS_ENDPOINT_MAIN = join(__dirname, 'main.js');

export interface AwsEndpointProcess {
  url: string;
  port: number;
  accountId: string;
  pid: number;
  child: ChildProcess;
  admin: AwsAdminClient;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (simulates "AWS" restarting; state survives only via the state file). */
  kill(): Promise<void>;
}

export interface AwsEndpointProcessOptions {
  stateFile?: string;
  port?: number;
  accountId?: string;
  /** Give up if the endpoint has not printed its URL within this time (default 10 s). */
  startTimeoutMs?: number;
}

export function startAwsEndpointProcess(options: AwsEndpointProcessOptions = {}): Promise<AwsEndpointProcess> {
  const args = [AWS_ENDPOINT_MAIN];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.stateFile !== undefined) args.push('--state', options.stateFile);
  if (options.accountId !== undefined) args.push('--account', options.accountId);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitExit = (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`aws endpoint did not start within ${options.startTimeoutMs ?? 10000} ms: ${stderr}`));
    }, options.startTimeoutMs ?? 10000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`aws endpoint exited before listening (code ${String(code)}, signal ${String(signal)}): ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const info = JSON.parse(line) as { url: string; port: number; accountId: string; pid: number };
        resolve({
          ...info,
          child,
          admin: new AwsAdminClient(info.url),
          stop: () => waitExit('SIGTERM'),
          kill: () => waitExit('SIGKILL'),
        });
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`aws endpoint printed an unexpected first line: ${line}`));
      }
    });
  });
}
