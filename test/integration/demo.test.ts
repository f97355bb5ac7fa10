/**
 * `npm run demo` (scripts/demo.sh), end to end on this machine: the --check run (local AWS
 * endpoint, code-server with the extension, Rotate Secrets through the workbench, CLI rotations)
 * and the interactive run stopped with Ctrl-C. Both must leave no process and no scratch folder
 * behind. Uses what `npm run build` and scripts/setup-vscode-host.sh installed (DEMO_SKIP_SETUP)
 * and links the checkout as the extension (the .vsix path is what `npm run demo` itself runs).
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../e2e/host/processes';

const REPO = path.resolve(__dirname, '../../..');

interface DemoRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(args: string[], tmp: string, env: NodeJS.ProcessEnv = {}): DemoRun {
  let output = '';
  // detached: its own process group, as a terminal's foreground job is (Ctrl-C signals the group).
  const child = spawn('bash', ['scripts/demo.sh', ...args], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEMO_SKIP_SETUP: '1', DEMO_EXTENSION: 'link', TMPDIR: tmp, ...env },
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  return { child, output: () => output, exited };
}

/** Processes whose command line mentions `dir` (code-server, the AWS endpoint, the session). */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(dir)) found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Every file under `dir` with its contents. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
  }
  return files;
}

async function waitForOutput(run: DemoRun, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(run.output());
    if (match) return match;
    if (run.child.exitCode !== null) throw new Error(`the demo exited (${run.child.exitCode}) before printing ${pattern}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise(r => setTimeout(r, 200));
  }
}

async function assertNothingLeft(tmp: string): Promise<void> {
  // The session stops its services before it exits; allow the kernel a moment to reap them.
  for (let i = 0; i < 20 && processesUnder(tmp).length > 0; i++) await new Promise(r => setTimeout(r, 250));
  assert.deepEqual(processesUnder(tmp), [], 'no process of the demo is left running');
  assert.deepEqual(fs.readdirSync(tmp).filter(name => name.startsWith('esc-local-demo.')), [], 'the scratch folder is removed');
}

describe('npm run demo (scripts/demo.sh)', function () {
  this.timeout(120000);
  let tmp = '';
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-demo-test-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--check rotates the aws-iam example in the workbench and both examples with the CLI, then stops everything', async () => {
    const examplesBefore = snapshot(path.join(REPO, 'examples'));
    const run = startDemo(['--check'], tmp);
    const code = await run.exited;
    const out = run.output();
    assert.equal(code, 0, out);
    assert.match(out, /workspace: a copy of examples\/ at .*esc-local-demo\.\w+\/examples/);
    assert.match(out, /browser [\d.]+s: environments\/app\/aws-keys\.yaml opens as "ESC Environment"/);
    assert.match(out, /browser [\d.]+s: Rotate Secrets on app\/aws-keys reported success/);
    assert.match(out, /browser [\d.]+s: the Rotation History view shows revision #1 with the new key id/);
    assert.match(out, /check: CLI rotated app\/db-password and app\/aws-keys .*revision 2/);
    assert.match(out, /check passed/);
    await assertNothingLeft(tmp);
    assert.deepEqual(snapshot(path.join(REPO, 'examples')), examplesBefore, 'the repository examples are left as they were (the demo works on a copy)');
  });

  it('serves the workbench on the printed URL until Ctrl-C, which stops everything (exit 130)', async () => {
    const run = startDemo([], tmp, { PORT: String(await freePort()) });
    const [, url] = await waitForOutput(run, /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m, 60000);
    await waitForOutput(run, /Ctrl-C stops everything/, 10000);
    const page = await fetch(url!);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /vscode-workbench-web-configuration/, 'the workbench page');
    const [, endpoint] = /Local AWS endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output()) ?? [];
    const state = (await (await fetch(`${endpoint!}/__admin/state`)).json()) as { users: Array<{ userName: string }> };
    assert.deepEqual(state.users.map(u => u.userName).sort(), ['app-user', 'esc-demo-manager']);
    process.kill(-run.child.pid!, 'SIGINT');
    assert.equal(await run.exited, 130, run.output());
    await assertNothingLeft(tmp);
  });
});
