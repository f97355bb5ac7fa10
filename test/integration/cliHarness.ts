/**
 * Runs the real `esc-local` CLI as a child process (the compiled entry, or the bundle named by
 * ESC_LOCAL_CLI) and collects its output. Asynchronous on purpose: the local AWS endpoint and
 * webhook receivers of the tests run in this process and must keep serving meanwhile.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAwsEndpoint, type AwsEndpoint, type CreatedAccessKey } from '../aws/index';

export const CLI_ENTRY = process.env.ESC_LOCAL_CLI ?? path.resolve(__dirname, '../../client/src/cli/main.js');
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface CliRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** The CLI entry to run (default CLI_ENTRY). */
  cli?: string;
  cwd?: string;
  input?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Every CLI invocation of a test file, for the final "no secret in any output" check. */
export const transcript: CliRun[] = [];

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [options.cli ?? CLI_ENTRY, ...args], { cwd: options.cwd ?? os.tmpdir(), env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`esc-local ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const run = { args, code: code ?? -1, stdout, stderr };
      transcript.push(run);
      resolve(run);
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh copy of the examples workspace in a temp folder. */
export function copyExamples(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-cli-'));
  fs.cpSync(path.join(REPO_ROOT, 'examples'), dir, { recursive: true });
  return dir;
}

/** The AWS account of the examples' rotations, and the role they assume there. */
export const EXAMPLES_ACCOUNT = '123456789012';
export const EXAMPLES_ROLE_ARN = `arn:aws:iam::${EXAMPLES_ACCOUNT}:role/esc-rotator`;

/**
 * A local AWS endpoint as the examples expect it: `app-user` (whose key they rotate) and
 * `admin`, whom the `esc-rotator` role trusts; returned with a new access key of `admin`.
 */
export async function startExamplesAws(): Promise<{ aws: AwsEndpoint; adminKey: CreatedAccessKey }> {
  const aws = await startAwsEndpoint({ accountId: EXAMPLES_ACCOUNT });
  await aws.admin.createUser('admin');
  await aws.admin.createUser('app-user');
  await aws.admin.createRole({ roleName: 'esc-rotator', trustedPrincipals: [`arn:aws:iam::${EXAMPLES_ACCOUNT}:user/admin`] });
  return { aws, adminKey: await aws.admin.createAccessKey({ userName: 'admin' }) };
}

/** Every file under `dir` (recursively) with its text. */
export function allFiles(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push({ file: full, text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(dir);
  return out;
}
