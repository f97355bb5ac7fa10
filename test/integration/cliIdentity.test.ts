/**
 * One environment, one identity, and nothing outside the workspace (issue 9, items 8–10, 12, 14)
 * through the real CLI: non-canonical names are usage errors, names read from committed files
 * are validated before any path is built, symlinks leaving the workspace are refused and links
 * inside are written through, unreadable and non-regular environment files are errors that
 * never block, and corrupt state files are named in the error.
 */
import { strict as assert } from 'node:assert';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_ENTRY, copyExamples, runCli, type CliRun } from './cliHarness';

/** Every path under `dir` (recursively), for "nothing was created" checks. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      out.push(full);
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

describe('esc-local: one identity per environment, confined to the workspace (real CLI)', function () {
  this.timeout(120000);
  const env = { ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-identity-test-${process.pid}` };
  let ws: string;
  const cli = (args: string[], cwd = ws): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd, env });

  beforeEach(() => {
    ws = copyExamples();
  });

  it('rejects non-canonical spellings of a name with a usage error naming the canonical one, before any lock or history', async () => {
    const spellings = ['app/./db-password', './app/db-password', 'app//db-password', 'app/db-password/', 'app/../app/db-password'];
    const commands = [...spellings.map((s) => ['rotate', s]), ['history', 'app/./db-password'], ['schedule', 'set', './app/db-password', '--cron', '@daily'], ['webhook', 'add', 'https://example.com/h', '--env', 'app/./db-password']];
    for (const command of commands) {
      const spelling = command.find((a) => a.includes('db-password'))!;
      {
        const run = await cli(command);
        assert.equal(run.code, 2, `${command.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, /is not an environment name/);
        if (!spelling.includes('..')) assert.match(run.stderr, /write it as app\/db-password/);
      }
    }
    assert.ok(!fs.existsSync(path.join(ws, '.esc', 'history')), 'no history was recorded under any spelling');
    assert.ok(!fs.existsSync(path.join(ws, '.esc', 'schedules.json')));
    // The canonical name and the file path still name the environment.
    assert.equal((await cli(['check', 'app/db-password'])).code, 0);
    assert.equal((await cli(['check', path.join('environments', 'app', 'db-password.yaml')])).code, 0);
  });

  it('rotate --due with a committed schedules.json naming ../../../../x/ESC creates nothing outside the workspace', async () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-confine-'));
    const nested = path.join(outer, 'a', 'b', 'c', 'ws');
    fs.mkdirSync(path.dirname(nested), { recursive: true });
    fs.renameSync(ws, nested);
    ws = nested;
    fs.mkdirSync(path.join(ws, '.esc'), { recursive: true });
    const schedules = path.join(ws, '.esc', 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({ version: 1, schedules: { '../../../../x/ESC': { cron: '@daily', createdAt: '2020-01-01T00:00:00Z' } } }));
    const outside = tree(outer).filter((p) => !p.startsWith(ws + path.sep) && p !== ws);
    const due = await cli(['rotate', '--due']);
    assert.notEqual(due.code, 0);
    assert.match(due.stderr, /schedules\.json/);
    assert.match(due.stderr, /not a valid environment name/);
    assert.deepEqual(tree(outer).filter((p) => !p.startsWith(ws + path.sep) && p !== ws), outside, 'nothing was created outside the workspace');
    const list = await cli(['schedule', 'list']);
    assert.notEqual(list.code, 0);
    assert.match(list.stderr, /schedules\.json/);
  });

  it('a webhooks.json naming a bad environment is a located error', async () => {
    fs.mkdirSync(path.join(ws, '.esc'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.esc', 'webhooks.json'), JSON.stringify({ version: 1, hooks: [{ id: 'wh_1', url: 'https://example.com/h', environment: 'app/../../x' }] }));
    const run = await cli(['webhook', 'list']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /webhooks\.json.*hooks\[0\]\.environment/);
  });

  it('check on a symlink to a file outside the workspace refuses it and never prints its content', async () => {
    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-outside-'));
    const secretFile = path.join(outsideDir, 'id_rsa');
    fs.writeFileSync(secretFile, 'values:\n  x: [OUTSIDE-SECRET-CONTENT\n');
    fs.symlinkSync(secretFile, path.join(ws, 'environments', 'leak.yaml'));
    for (const args of [['check', 'leak'], ['check', 'environments/leak.yaml'], ['check'], ['open', 'leak']]) {
      const run = await cli(args);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.ok(!(run.stdout + run.stderr).includes('OUTSIDE-SECRET-CONTENT'), `${args.join(' ')} printed the outside file`);
      assert.match(run.stdout + run.stderr, /outside the workspace/);
    }
    const json = await cli(['check', '--json']);
    const findings = JSON.parse(json.stdout) as Array<{ environment: string; code?: string }>;
    assert.ok(findings.some((f) => f.environment === 'leak' && f.code === 'unreadable'));
  });

  it('encrypt through a symlink inside the workspace encrypts the target and keeps the link; a link outside is refused', async () => {
    const target = path.join(ws, 'shared', 'token.yaml');
    fs.mkdirSync(path.dirname(target));
    fs.writeFileSync(target, 'values:\n  token:\n    fn::secret: plaintext-token-0815\n');
    const link = path.join(ws, 'environments', 'app', 'token.yaml');
    fs.symlinkSync(path.relative(path.dirname(link), target), link);
    const enc = await cli(['encrypt', 'app/token']);
    assert.equal(enc.code, 0, enc.stderr);
    assert.match(enc.stdout, /encrypted 1 secret/);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.ok(!fs.readFileSync(target, 'utf8').includes('plaintext-token-0815'), 'the target itself was encrypted');

    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-outside-'));
    const outsideFile = path.join(outsideDir, 'env.yaml');
    const plain = 'values:\n  token:\n    fn::secret: plaintext-outside-4242\n';
    fs.writeFileSync(outsideFile, plain);
    fs.symlinkSync(outsideFile, path.join(ws, 'environments', 'app', 'outside.yaml'));
    const refused = await cli(['encrypt', 'app/outside']);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /outside the workspace/);
    assert.ok(!/encrypted/.test(refused.stdout));
    assert.equal(fs.readFileSync(outsideFile, 'utf8'), plain);
    assert.ok(fs.lstatSync(path.join(ws, 'environments', 'app', 'outside.yaml')).isSymbolicLink());
  });

  it('a link to another environment is that environment: one name, one history', async () => {
    fs.symlinkSync('db-password.yaml', path.join(ws, 'environments', 'app', 'alias.yaml'));
    const revisions = path.join(ws, '.esc', 'history', 'app', 'db-password');
    fs.mkdirSync(revisions, { recursive: true });
    fs.writeFileSync(path.join(revisions, '000001.json'), JSON.stringify({ environment: 'app/db-password', number: 1, time: '2026-01-01T00:00:00Z', user: 'u', kind: 'save', outcome: 'succeeded', paths: [] }));
    const history = await cli(['history', 'app/alias', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.deepEqual((JSON.parse(history.stdout) as Array<{ environment: string; number: number }>).map((r) => [r.environment, r.number]), [['app/db-password', 1]]);
    // Rotating through the alias takes the environment's own lock.
    fs.mkdirSync(path.join(ws, '.esc', 'run', 'locks'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.esc', 'run', 'locks', 'app%2Fdb-password.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), tool: 'test', since: new Date().toISOString(), purpose: 'rotation' }));
    const busy = await cli(['rotate', 'app/alias']);
    assert.equal(busy.code, 5, busy.stdout + busy.stderr);
  });

  it('a FIFO named x.yaml does not block check or open, and a directory named x.yaml is an error', async () => {
    execFileSync('mkfifo', [path.join(ws, 'environments', 'pipe.yaml')]);
    fs.mkdirSync(path.join(ws, 'environments', 'dir.yaml'));
    for (const args of [['check', 'pipe'], ['open', 'pipe'], ['check', 'environments/pipe.yaml'], ['check'], ['check', 'dir'], ['check', 'environments/dir.yaml'], ['open', 'dir']]) {
      const run = await cli(args);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, /not a regular file|is a directory/, args.join(' '));
      assert.ok(!/0 errors/.test(run.stderr), args.join(' '));
    }
  });

  it('an environment the user cannot read is an error, not "0 errors"', async () => {
    const file = path.join(ws, 'environments', 'app', 'db-password.yaml');
    fs.chmodSync(file, 0o000);
    // Root reads any file, so as root the CLI runs as `nobody`: the denial is the kernel's, not simulated.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      for (const p of tree(ws)) fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o777 : p === file ? 0o000 : 0o666);
      fs.chmodSync(ws, 0o777);
    }
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_ENTRY, '-w', ws, 'check'], {
        cwd: ws,
        env: { ...process.env, ...env, HOME: ws },
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(run.code, 1, run.out);
    assert.match(run.out, /db-password\.yaml cannot be read: permission denied/);
    assert.match(run.out, /[1-9]\d* errors?/);
  });

  it('a committed link in .esc/ is refused: no history or schedule is written through it', async () => {
    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-outside-'));
    fs.mkdirSync(path.join(ws, '.esc'), { recursive: true });
    fs.symlinkSync(outsideDir, path.join(ws, '.esc', 'history'));
    for (const args of [['history', 'app/dev'], ['schedule', 'set', 'app/db-password', '--cron', '@daily'], ['encrypt', 'app/dev']]) {
      const run = await cli(args);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /is a symbolic link inside the tool folder/);
    }
    assert.deepEqual(fs.readdirSync(outsideDir), []);
  });

  it('corrupt state files are located errors naming the file', async () => {
    fs.mkdirSync(path.join(ws, '.esc', 'history', 'app', 'db-password'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.esc', 'history', 'app', 'db-password', '000001.json'), 'null\n');
    const history = await cli(['history', 'app/db-password']);
    assert.equal(history.code, 1, history.stdout + history.stderr);
    assert.match(history.stderr, /000001\.json is not an esc-local revision: the top level: expected an object, got null/);
    fs.writeFileSync(path.join(ws, '.esc', 'history', 'app', 'db-password', '000001.json'), 'root:x:0:0:CONTENT-NOT-TO-SHOW\n');
    const garbage = await cli(['history', 'app/db-password']);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /000001\.json is not valid JSON/);
    assert.ok(!garbage.stderr.includes('CONTENT-NOT-TO-SHOW'), 'the JSON error quotes no content');

    fs.writeFileSync(path.join(ws, '.esc', 'workspace.json'), '[]\n');
    fs.writeFileSync(path.join(ws, 'environments', 'app', 'plain.yaml'), 'values:\n  token:\n    fn::secret: plaintext-0001\n');
    const key = await cli(['encrypt', 'app/plain']);
    assert.equal(key.code, 1, key.stdout + key.stderr);
    assert.match(key.stderr, /workspace\.json is not an esc-local workspace manifest.*expected an object, got an array/);

    fs.writeFileSync(path.join(ws, '.esc', 'schedules.json'), JSON.stringify({ version: 1, schedules: { 'app/dev': { cron: 5, createdAt: 'x' } } }));
    const list = await cli(['schedule', 'list']);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /schedules\.json is not an esc-local schedules file.*schedules\.app\/dev\.cron: expected a string, got number/);
  });
});
