/**
 * The local AWS endpoint (test/aws, IAM + STS over the Query protocol with SigV4 checks) as its
 * own process, like a real remote service: the extension reaches it only through the
 * `esc.aws.endpoint` setting.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { projectRoot } from './paths';

export interface RunningAwsEndpoint {
  url: string;
  accountId: string;
  logFile: string;
  stop(): Promise<void>;
}

export async function startAwsEndpoint(scratch: string): Promise<RunningAwsEndpoint> {
  const main = path.join(projectRoot, 'out/test/aws/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  fs.mkdirSync(scratch, { recursive: true });
  const logFile = path.join(scratch, 'aws-endpoint.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [main, '--port', '0', '--state', path.join(scratch, 'aws-state.json')], {
    stdio: ['ignore', 'pipe', log],
  });
  fs.closeSync(log);
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the AWS endpoint did not start within 15 s (log ${logFile})`)), 15000);
    lines.once('line', line => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', code => reject(new Error(`the AWS endpoint exited with code ${code} (log ${logFile})`)));
  });
  lines.on('line', line => fs.appendFileSync(logFile, `${line}\n`));
  const ready = JSON.parse(first) as { url: string; accountId: string };
  return {
    url: ready.url,
    accountId: ready.accountId,
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
