/**
 * `esc-local run` as a real process: the child sees the environment's variables and files,
 * secrets in its output are masked (also when written in pieces) unless -i, the exit code and
 * signals pass through, and the temporary files are gone afterwards, also when the child is
 * killed. Plus `open -f dotenv` telling a redirected output that it holds placeholders.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_ENTRY, runCli } from './cliHarness';

const SECRET = 'tok-7f3a9c-secret-välue';
const FILE_SECRET = '-----BEGIN KEY-----\nMIIBfilecontent0123456789\n-----END KEY-----\n';

/** A node child script, passed as an argument (never a secret: it reads them from its environment). */
function node(script: string): string[] {
  return [process.execPath, '-e', script];
}

describe('esc-local run (real CLI, child processes)', function () {
  this.timeout(60000);
  let ws: string;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-run-'));
    fs.mkdirSync(path.join(ws, 'environments'));
    fs.writeFileSync(
      path.join(ws, 'environments', 'app.yaml'),
      [
        'values:',
        '  token:',
        `    fn::secret: ${JSON.stringify(SECRET)}`,
        '  key:',
        `    fn::secret: ${JSON.stringify(FILE_SECRET)}`,
        '  environmentVariables:',
        '    API_TOKEN: ${token}',
        '    GREETING: hello world',
        '  files:',
        '    KEY_FILE: ${key}',
        '    CONFIG_FILE: "plain: true"',
        '',
      ].join('\n'),
    );
  });

  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(['-w', ws, 'run', 'app', ...args], { cwd: ws, env: { ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-run-test-${process.pid}`, ...env } });

  it('the child sees the variables and the files (mode 0600), its exit code comes back, the files are gone after', async () => {
    const r = await run([
      '--',
      ...node(`
        const fs = require('fs');
        const out = { greeting: process.env.GREETING, tokenLength: process.env.API_TOKEN.length, tokenOk: process.env.API_TOKEN === ${JSON.stringify(SECRET)},
          keyFile: process.env.KEY_FILE, keyOk: fs.readFileSync(process.env.KEY_FILE, 'utf8') === ${JSON.stringify(FILE_SECRET)},
          keyMode: (fs.statSync(process.env.KEY_FILE).mode & 0o777).toString(8), config: fs.readFileSync(process.env.CONFIG_FILE, 'utf8') };
        console.log(JSON.stringify(out));
        process.exit(7);`),
    ]);
    assert.equal(r.code, 7, r.stderr);
    const seen = JSON.parse(r.stdout) as { greeting: string; tokenLength: number; tokenOk: boolean; keyFile: string; keyOk: boolean; keyMode: string; config: string };
    assert.deepEqual({ ...seen, keyFile: undefined }, { greeting: 'hello world', tokenLength: SECRET.length, tokenOk: true, keyFile: undefined, keyOk: true, keyMode: '600', config: 'plain: true' });
    assert.ok(!fs.existsSync(seen.keyFile), 'temporary file removed');
    assert.ok(!fs.existsSync(path.dirname(seen.keyFile)), 'temporary folder removed');
    assert.match(r.stderr, /2 file\(s\), 2 secret value\(s\) masked/);
  });

  it('masks secrets in stdout and stderr, also when written in pieces across writes', async () => {
    const r = await run([
      ...node(`
        const t = process.env.API_TOKEN;
        const k = require('fs').readFileSync(process.env.KEY_FILE, 'utf8');
        const pieces = [t.slice(0, 3), t.slice(3, 9), t.slice(9)];
        let i = 0;
        const next = () => {
          if (i < pieces.length) { process.stdout.write(pieces[i++]); setTimeout(next, 60); return; }
          process.stdout.write(' end\\n');
          process.stderr.write('err: ' + t + '|' + k);
        };
        process.stdout.write('start ');
        next();`),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'start [secret] end\n');
    assert.match(r.stderr, /err: \[secret\]\|\[secret\]$/);
    assert.ok(!r.stdout.includes(SECRET.slice(0, 9)) && !r.stderr.includes('MIIBfilecontent'));
  });

  it('-i connects the output directly: nothing is masked', async () => {
    const r = await run(['-i', ...node('console.log(process.env.API_TOKEN)')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${SECRET}\n`);
  });

  it('options after the command belong to it; an unknown command exits 127', async () => {
    const r = await run(['sh', '-c', 'echo "$GREETING" "$1"', 'sh', '-w']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello world -w\n');
    const missing = await run(['no-such-command-esc-local']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /command not found: no-such-command-esc-local/);
  });

  /** Starts `esc-local run` with a child that reports its file and pid, then waits for "ready". */
  function startRun(childScript: string): Promise<{ proc: ReturnType<typeof spawn>; ready: { file: string; pid: number }; done: Promise<{ code: number | null; stdout: string }> }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-run-test-${process.pid}` };
    const proc = spawn(process.execPath, [CLI_ENTRY, '-w', ws, 'run', 'app', '--', ...node(childScript)], { cwd: ws, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const done = new Promise<{ code: number | null; stdout: string }>((resolve) => proc.on('close', (code) => resolve({ code, stdout })));
    const ready = new Promise<{ file: string; pid: number }>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const m = /ready (\S+) (\d+)\n/.exec(stdout);
        if (m) resolve({ file: m[1]!, pid: Number(m[2]) });
      });
      proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      void done.then(() => reject(new Error(`exited before ready: ${stdout} ${stderr}`)));
    });
    return ready.then((r) => ({ proc, ready: r, done }));
  }

  const waitForever = `console.log('ready ' + process.env.KEY_FILE + ' ' + process.pid); setInterval(() => {}, 1000);`;

  it('SIGTERM is forwarded: a child that handles it decides the exit code; the files are removed', async () => {
    const { proc, ready, done } = await startRun(`process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(3); }); ${waitForever}`);
    assert.ok(fs.existsSync(ready.file));
    proc.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 3);
    assert.match(r.stdout, /child got SIGTERM/);
    assert.ok(!fs.existsSync(ready.file));
  });

  it('SIGINT and SIGTERM that end the child give 128+N', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const { proc, ready, done } = await startRun(waitForever);
      proc.kill(signal);
      const r = await done;
      assert.equal(r.code, code, signal);
      assert.ok(!fs.existsSync(ready.file), `files removed after ${signal}`);
    }
  });

  it('a child killed outright (SIGKILL): exit 137, the files are still removed', async () => {
    const { ready, done } = await startRun(waitForever);
    process.kill(ready.pid, 'SIGKILL');
    const r = await done;
    assert.equal(r.code, 137);
    assert.ok(!fs.existsSync(ready.file));
  });

  it('open -f dotenv|shell into a file says how many values are placeholders and how to get them', async () => {
    for (const format of ['dotenv', 'shell']) {
      const r = await runCli(['-w', ws, 'open', 'app', '-f', format], { cwd: ws });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /API_TOKEN=.*\[secret\]/);
      assert.match(r.stderr, /2 secret values were written as \[secret\], not the value: pass --show-secrets .*esc-local run app -- COMMAND/);
    }
    const json = await runCli(['-w', ws, 'open', 'app'], { cwd: ws });
    assert.doesNotMatch(json.stderr, /were written as/);
  });
});
