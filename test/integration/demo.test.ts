/**
 * `npm run demo` (scripts/demo.sh), end to end on this machine: the --check run (local AWS
 * endpoint, code-server with the extension, Rotate Secrets through the workbench, CLI rotations)
 * and the interactive run stopped with Ctrl-C. Both must leave no process and no scratch folder
 * behind. Uses what `npm run build` and scripts/setup-vscode-host.sh installed (DEMO_SKIP_SETUP)
 * and links the checkout as the extension (the .vsix path is what `npm run demo` itself runs).
 * The README's command exactly as written (`npm run demo -- --check`) runs on a fresh `git clone`
 * with its whole setup (npm ci, build, package) except the VS Code host, which it reuses through a
 * `.vscode-host` symlink; the code-server install under `npm run` is tried with a stand-in package.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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

/** The environment of a plain shell: without the npm_* variables of the `npm test` running mocha. */
function plainShellEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^(npm_|NODE$|INIT_CWD$)/.test(name)) env[name] = value;
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise(resolve => {
    let output = '';
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => {
      output += `\n[test] no exit within ${timeoutMs} ms: stopping the process group`;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('exit', code => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('scripts/setup-vscode-host.sh under npm run', function () {
  this.timeout(180000);
  let tmp = '';
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-host-test-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('installs code-server with Node 24 as the node its postinstall sees, not the node of `npm run`', async () => {
    // A stand-in for the code-server package whose postinstall is code-server's own version check
    // (postinstall.sh reads the major from npm_config_user_agent) plus the `node` on PATH.
    const fake = path.join(tmp, 'package');
    fs.mkdirSync(fake);
    fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'code-server', version: '0.0.0-test', scripts: { postinstall: 'sh ./postinstall.sh' } }));
    fs.writeFileSync(
      path.join(fake, 'postinstall.sh'),
      [
        'major=$(echo "$npm_config_user_agent" | sed -n \'s/.*node\\/v\\([^.]*\\).*/\\1/p\')',
        'path_major=$(node -p \'process.versions.node.split(".")[0]\')',
        'echo "user agent node v$major, node on PATH v$path_major" > postinstall.out',
        '[ "$major" = 24 ] && [ "$path_major" = 24 ] || { echo "ERROR: code-server currently requires node v24."; exit 1; }',
      ].join('\n') + '\n',
    );
    const tarball = path.join(tmp, 'code-server-test.tgz');
    execFileSync('tar', ['czf', tarball, '-C', tmp, 'package']);
    // The host root reuses the installed Node 24; only code-server is (re)installed.
    const hostRoot = path.join(tmp, 'host');
    fs.mkdirSync(hostRoot);
    fs.symlinkSync(path.join(REPO, '.vscode-host', 'node24'), path.join(hostRoot, 'node24'));
    // A project whose npm script runs the setup, as `npm run demo` does through scripts/demo.sh.
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'host-test', private: true, scripts: { setup: `bash ${JSON.stringify(path.join(REPO, 'scripts', 'setup-vscode-host.sh'))}` } }),
    );
    const env = plainShellEnv({ ROOT: hostRoot, CS_VERSION: '0.0.0-test', CS_PACKAGE: tarball });
    const { code, output } = await run('npm', ['run', 'setup'], project, env, 150000);
    const log = fs.existsSync(path.join(hostRoot, 'cs', 'install.log')) ? fs.readFileSync(path.join(hostRoot, 'cs', 'install.log'), 'utf8') : '';
    assert.equal(code, 0, output + log);
    assert.match(output, /ready: code-server 0\.0\.0-test, node v24\./);
    const seen = fs.readFileSync(path.join(hostRoot, 'cs', 'node_modules', 'code-server', 'postinstall.out'), 'utf8');
    assert.equal(seen.trim(), 'user agent node v24, node on PATH v24');
  });
});

describe('the README\'s first command on a fresh clone: npm run demo -- --check', function () {
  // npm ci (keytar built from source), build, package and the check itself: minutes on 2 cores.
  this.timeout(1200000);
  let tmp = '';
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-fresh-clone-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('passes exactly as written, with ../shared beside the clone and the installed VS Code host reused', async function () {
    const clone = path.join(tmp, 'esc-local');
    execFileSync('git', ['clone', '--quiet', REPO, clone]);
    const shared = path.resolve(REPO, '..', 'shared');
    if (fs.existsSync(shared)) fs.symlinkSync(shared, path.join(tmp, 'shared'));
    // The documented way to reuse an installed host (scripts/setup-vscode-host.sh): a symlink.
    fs.symlinkSync(fs.realpathSync(path.join(REPO, '.vscode-host')), path.join(clone, '.vscode-host'));
    const started = Date.now();
    const { code, output } = await run('npm', ['run', 'demo', '--', '--check'], clone, plainShellEnv({ TMPDIR: tmp }), 1150000);
    assert.equal(code, 0, output);
    assert.match(output, /npm ci/, 'the fresh clone installs its npm dependencies');
    assert.match(output, /package the \.vsix/);
    assert.match(output, /browser [\d.]+s: Rotate Secrets on app\/aws-keys reported success/);
    assert.match(output, /check passed/);
    console.log(`      npm run demo -- --check on a fresh clone: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await assertNothingLeft(tmp);
  });
});
