import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyExamples, REPO_ROOT, runCli, type CliRun } from './cliHarness';
import { PassThrough } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { CliError } from '../../client/src/cli/exitCodes';
import { dotenvQuote, renderOpen, shellQuote } from '../../client/src/output/outputFormats';
import { parsePropertyPath } from '../../client/src/cli/propertyPathArgument';
import { promptHidden, readSecrets } from '../../client/src/cli/prompt';
import type { Value } from '../../shared/src/value/value';

const COMMANDS = ['check', 'open', 'rotate', 'history', 'diff', 'rollback', 'tag', 'encrypt', 'credentials', 'schedule', 'webhook', 'key', 'schema'];
const SUBCOMMANDS: Record<string, string[]> = {
  credentials: ['set', 'forget', 'list'],
  schedule: ['set', 'list', 'rm'],
  webhook: ['add', 'list', 'rm', 'secret', 'ping', 'deliveries'],
  key: ['export', 'import'],
};

/**
 * Whether V8 takes `bundle`'s code cache, asked of a fresh `node` as the CLI's executable would
 * be: V8 refuses a cache made under other flags, and this test process's flags are not a user's
 * (the checker worker, loaded by other tests in this process, sets V8 flags for itself).
 */
function cacheUsedInFreshNode(bundle: string): boolean {
  const codeCache = path.join(REPO_ROOT, 'out', 'client', 'src', 'cli', 'codeCache.js');
  const script = `process.stdout.write(String(require(${JSON.stringify(codeCache)}).compileWithCodeCache(${JSON.stringify(bundle)}).cacheUsed))`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }) === 'true';
}

describe('esc-local CLI: usage, help and exit codes', function () {
  this.timeout(60000);

  it('lists every command in --help and exits 0; no arguments is a usage error (2)', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'), c);
    assert.match(help.stdout, /^Exit codes:\n  0 +success/m);
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.equal((await runCli(['--version'])).stdout.trim(), '0.1.0');
  });

  it('has --help for every command and sub-command, generated from its options', async function () {
    this.timeout(300000); // one process per command and sub-command: slow on a loaded machine
    for (const c of COMMANDS) {
      const r = await runCli([c, '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: esc-local ${c}`), c);
      assert.match(r.stdout, /Global options:/);
      for (const sub of SUBCOMMANDS[c] ?? []) {
        const s = await runCli([c, sub, '--help']);
        assert.equal(s.code, 0, `${c} ${sub} --help`);
        assert.match(s.stdout, new RegExp(`^Usage: esc-local ${c} ${sub}`), `${c} ${sub}`);
      }
    }
    assert.match((await runCli(['help', 'open'])).stdout, /--show-secrets/);
    assert.match((await runCli(['open', '--help'])).stdout, /-f, --format FORMAT .*\(json\|yaml\|dotenv\|shell\|string\)/);
  });

  it('reports unknown commands and options with a suggestion and exit code 2', async () => {
    const cmd = await runCli(['rotte', 'x']);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "esc-local rotte"/);
    assert.match(cmd.stderr, /did you mean "rotate"\?/);
    const opt = await runCli(['open', 'x', '--show-secret']);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /unknown option --show-secret\nhint: did you mean --show-secrets\?/);
    assert.match(opt.stderr, /usage: esc-local open ENV/);
    const choice = await runCli(['open', 'x', '--format', 'jsn']);
    assert.equal(choice.code, 2);
    assert.match(choice.stderr, /--format must be one of json, yaml, dotenv, shell, string; got "jsn"\nhint: did you mean json\?/);
    const missing = await runCli(['diff', 'x']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing argument/);
    const group = await runCli(['credentials']);
    assert.equal(group.code, 2);
    assert.match(group.stdout, /Commands:\n  set /);
  });

  it('never takes a secret from the command line', async () => {
    const r = await runCli(['credentials', 'set', 'default', '--secret-access-key', 'abc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --secret-access-key/);
  });

  it('uses colours only when asked or on a terminal (never when piped)', async () => {
    const ws = copyExamples();
    fs.writeFileSync(path.join(ws, 'environments', 'bad.yaml'), 'values:\n  a: ${nope}\n');
    const plain = await runCli(['check', 'bad'], { cwd: ws });
    assert.ok(!plain.stdout.includes('\u001b['), 'no ANSI escapes when stdout is a pipe');
    const forced = await runCli(['check', 'bad', '--color'], { cwd: ws });
    assert.ok(forced.stdout.includes('\u001b[31merror\u001b[39m'));
    const env = await runCli(['check', 'bad'], { cwd: ws, env: { FORCE_COLOR: '1' } });
    assert.ok(env.stdout.includes('\u001b['));
    const off = await runCli(['check', 'bad', '--no-color'], { cwd: ws, env: { FORCE_COLOR: '1' } });
    assert.ok(!off.stdout.includes('\u001b['));
  });
});

describe('esc-local check', function () {
  this.timeout(60000);

  it('passes the examples (exit 0), found from a sub-folder of the workspace', async () => {
    const ws = copyExamples();
    const r = await runCli(['check'], { cwd: path.join(ws, 'environments', 'app') });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /0 errors, 2 warnings in 9 environments/);
  });

  it('reports located diagnostics as the language server does, exit 1 on errors', async () => {
    const ws = copyExamples();
    fs.writeFileSync(
      path.join(ws, 'environments', 'broken.yaml'),
      ['imports:', '  - app/missing', 'values:', '  x: ${app.nope}', '  login:', '    fn::open::aws-logn:', '      static: {}', '  pw:', '    fn::secret: hunter2', ''].join('\n'),
    );
    const r = await runCli(['check', 'environments/broken.yaml'], { cwd: ws });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^environments\/broken\.yaml:2:5: error: environment "app\/missing" not found/m);
    assert.match(r.stdout, /^environments\/broken\.yaml:6:5: error: unknown provider "aws-logn"; did you mean "aws-login"\? \[unknown-provider\]/m);
    assert.match(r.stdout, /^environments\/broken\.yaml:9:17: warning: plaintext secret/m);
    assert.match(r.stdout, /\n      fn::open::aws-logn:\n      \^{18}\n/, 'source line with a caret underline');
    const json = await runCli(['check', 'broken', '--json'], { cwd: ws });
    assert.equal(json.code, 1);
    const findings = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    const provider = findings.find((f) => f.code === 'unknown-provider');
    assert.deepEqual(provider, {
      environment: 'broken',
      file: 'environments/broken.yaml',
      severity: 'error',
      line: 6,
      column: 5,
      endLine: 6,
      endColumn: 23,
      message: 'unknown provider "aws-logn"; did you mean "aws-login"?',
      code: 'unknown-provider',
    });
    assert.ok(!json.stdout.includes('hunter2'), 'diagnostics never echo the plaintext secret');
    assert.ok(!r.stdout.includes('hunter2'), 'source excerpts mask plaintext secrets (check output lands in CI logs)');
    assert.match(r.stdout, /\n      fn::secret: \[secret\]\n/);
  });

  it('exits 0 with warnings only, and 3 for an unknown environment with a suggestion', async () => {
    const ws = copyExamples();
    fs.writeFileSync(path.join(ws, 'environments', 'warn.yaml'), 'values:\n  pw:\n    fn::secret: hunter2\n');
    const w = await runCli(['check', 'warn'], { cwd: ws });
    assert.equal(w.code, 0);
    assert.match(w.stderr, /0 errors, 1 warning in 1 environment/);
    const nf = await runCli(['check', 'app/deb'], { cwd: ws });
    assert.equal(nf.code, 3);
    assert.match(nf.stderr, /no environment named "app\/deb".*did you mean app\/dev\?/);
    const outside = await runCli(['check', path.join(ws, 'README.md')], { cwd: ws });
    assert.equal(outside.code, 3);
  });
});

describe('esc-local open output formats', () => {
  const v = (value: Value['value'], secret = false): Value => (secret ? { value, secret: true, trace: {} } : { value, trace: {} });
  const root = v({
    app: v({ name: v('demo'), port: v(8080), token: v('s3cr3t', true), list: v([v('a'), v('b')]) }),
    environmentVariables: v({ PLAIN: v("it's $HOME `x`"), TOKEN: v('s3cr3t', true), PORT: v(8080), 'BAD-NAME': v('x') }),
    files: v({ CONFIG: v('port=8080\n'), KEY: v('-----BEGIN KEY-----', true) }),
  });

  it('renders json/yaml/string with secrets redacted unless revealed', () => {
    assert.match(renderOpen(root, { format: 'json', reveal: false }).text, /"token": "\[secret\]"/);
    assert.match(renderOpen(root, { format: 'json', reveal: true }).text, /"token": "s3cr3t"/);
    assert.match(renderOpen(root, { format: 'yaml', reveal: false }).text, /token: "\[secret\]"/);
    assert.equal(renderOpen(root, { format: 'string', reveal: false, path: parsePropertyPath('app.name') }).text, 'demo\n');
    assert.equal(renderOpen(root, { format: 'string', reveal: false, path: parsePropertyPath('app.token') }).text, '[secret]\n');
    assert.equal(renderOpen(root, { format: 'string', reveal: false, path: parsePropertyPath('app.list') }).text, '["a","b"]\n');
    assert.equal(renderOpen(root, { format: 'json', reveal: false, path: parsePropertyPath('app["list"][1]') }).text, '"b"\n');
  });

  it('projects environmentVariables and files like ESC (sorted, strings only), never writing redacted secrets to disk', () => {
    const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'esc-open-'));
    const dotenv = renderOpen(root, { format: 'dotenv', reveal: false, files: { write: true, tempRoot: tmp } });
    const lines = dotenv.text.trim().split('\n');
    assert.equal(lines[0], 'PLAIN="it\'s $HOME `x`"');
    assert.equal(lines[1], 'TOKEN="[secret]"');
    assert.match(lines[2], /^CONFIG="\/.+\/CONFIG"$/);
    assert.equal(lines[3], 'KEY="[secret]"');
    assert.equal(lines.length, 4);
    assert.deepEqual(dotenv.projection?.skipped.sort(), ['environmentVariables.BAD-NAME: not a valid variable name', 'environmentVariables.PORT: not a string (use fn::toString)']);
    const configFile = dotenv.projection!.files[0];
    assert.equal(fs.readFileSync(configFile, 'utf8'), 'port=8080\n');
    assert.equal((fs.statSync(configFile).mode & 0o777).toString(8), '600');
    const shell = renderOpen(root, { format: 'shell', reveal: true, files: { write: true, tempRoot: tmp } });
    assert.match(shell.text, /^export PLAIN='it'\\''s \$HOME `x`'$/m);
    assert.match(shell.text, /^export TOKEN='s3cr3t'$/m);
    const keyFile = shell.projection!.files.find((f) => f.endsWith('KEY'))!;
    assert.equal(fs.readFileSync(keyFile, 'utf8'), '-----BEGIN KEY-----');
  });

  it('quotes for dotenv and POSIX shells', () => {
    assert.equal(dotenvQuote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });

  it('parses ESC property paths and explains bad ones', () => {
    assert.deepEqual(parsePropertyPath('aws.login.accessKeyId'), ['aws', 'login', 'accessKeyId']);
    assert.deepEqual(parsePropertyPath('a["b.c"][0].d'), ['a', 'b.c', 0, 'd']);
    assert.throws(() => parsePropertyPath('a.'), /ends with "\."/);
    assert.throws(() => parsePropertyPath('a[x]'), /neither an index nor a quoted key/);
    assert.throws(() => parsePropertyPath('a[0'), /not closed/);
  });
});

describe('secret prompt', () => {
  // A terminal as the prompt sees it: a readable stream with isTTY and raw mode.
  function fakeTerminal(): { stdin: PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode(raw: boolean): void }; stderr: PassThrough; shown: () => string } {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[] });
    const withRaw = Object.assign(stdin, { setRawMode(raw: boolean) { stdin.rawModes.push(raw); } });
    const stderr = new PassThrough();
    let shown = '';
    stderr.on('data', (d: Buffer) => (shown += d.toString()));
    return { stdin: withRaw, stderr, shown: () => shown };
  }

  it('reads without echo in raw mode, handles backspace, restores the terminal', async () => {
    const t = fakeTerminal();
    const answer = promptHidden({ stdin: t.stdin, stderr: t.stderr }, 'Secret: ');
    t.stdin.write('s3cx\u007fr3t');
    t.stdin.write('\r');
    assert.equal(await answer, 's3cr3t');
    assert.deepEqual(t.stdin.rawModes, [true, false]);
    assert.equal(t.shown(), 'Secret: \n', 'the secret is never echoed');
  });

  it('aborts on Ctrl-C with exit code 130', async () => {
    const t = fakeTerminal();
    const answer = promptHidden({ stdin: t.stdin, stderr: t.stderr }, 'Secret: ');
    t.stdin.write('abc\u0003');
    await assert.rejects(answer, (e: unknown) => e instanceof CliError && e.exitCode === 130);
  });

  it('prompts once per secret on a terminal and reads lines from a pipe', async () => {
    const t = fakeTerminal();
    const both = readSecrets({ stdin: t.stdin, stderr: t.stderr }, [
      { prompt: 'A: ', required: true },
      { prompt: 'B: ', required: true },
    ]);
    t.stdin.write('first\r');
    await new Promise((r) => setImmediate(r));
    t.stdin.write('second\r');
    assert.deepEqual(await both, ['first', 'second']);
    const pipe = new PassThrough();
    const fromPipe = readSecrets({ stdin: pipe, stderr: new PassThrough() }, [{ prompt: 'Secret: ', required: true }]);
    pipe.end('from-pipe\nignored\n');
    assert.deepEqual(await fromPipe, ['from-pipe']);
    const empty = new PassThrough();
    const missing = readSecrets({ stdin: empty, stderr: new PassThrough() }, [{ prompt: 'Secret: ', required: true }]);
    empty.end('');
    await assert.rejects(missing, /expected secret on line 1 of standard input/);
  });
});

describe('esc-local as a bundle (what the package bin ships)', function () {
  this.timeout(120000);
  // Bundled exactly as scripts/bundle.mjs does (keytar and vscode external), next to the repo's
  // node_modules so the native keytar resolves as it does from dist/.
  const outfile = path.join(REPO_ROOT, 'out', 'test', 'cli-bundle', 'cli.js');

  before(async () => {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [path.join(REPO_ROOT, 'client', 'src', 'cli', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'keytar'],
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'error',
    });
  });

  it('runs standalone: version, check, and the keychain through the external keytar', async () => {
    const run = (args: string[], cwd?: string): Promise<CliRun> => runCli(args, { cli: outfile, ...(cwd ? { cwd } : {}), env: { ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-bundle-test-${process.pid}` } });
    assert.equal((await run(['--version'])).stdout, '0.1.0\n');
    assert.ok(fs.readFileSync(outfile, 'utf8').startsWith('#!/usr/bin/env node\n'));
    const ws = copyExamples();
    const check = await run(['check'], ws);
    assert.equal(check.code, 0, check.stderr);
    const list = await run(['credentials', 'list', '--json'], ws);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });
});

describe('esc-local open on the shipped examples, before any rotation', function () {
  this.timeout(60000);

  it('fails with located errors and a hint naming, with file and line, each rotation to run first', async () => {
    const ws = copyExamples();
    try {
      const r = await runCli(['open', 'app/dev'], { cwd: ws });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /environments\/app\/dev\.yaml:14:53: error: unknown property "current"/);
      assert.match(r.stderr, /environments\/app\/aws-keys\.yaml:15:7: aws\.iam \(fn::rotate::aws-iam\) in app\/aws-keys has no state yet/);
      assert.match(r.stderr, /environments\/app\/db-password\.yaml:11:7: db\.password \(fn::rotate::password\) in app\/db-password has no state yet/);
      assert.match(r.stderr, /run first: esc-local rotate app\/aws-keys && esc-local rotate app\/db-password/);
      // An environment whose own rotation never ran opens (its value is empty until then): no hint needed.
      assert.equal((await runCli(['open', 'app/db-password'], { cwd: ws })).code, 0);
      const projectedPath = await runCli(['open', 'app/db-password', 'db', '--format', 'dotenv'], { cwd: ws });
      assert.equal(projectedPath.code, 2, projectedPath.stderr);
      assert.match(projectedPath.stderr, /output format dotenv may not be used with a property path/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('esc-local as built (dist/cli.js loads dist/cli-check.js or dist/cli-main.js, dist/aws-sdk.js on demand)', function () {
  this.timeout(60000);
  const built = path.join(REPO_ROOT, 'dist', 'cli.js');

  it('answers --version without the rest of the CLI, and runs commands through it', async () => {
    assert.equal((await runCli(['--version'], { cli: built })).stdout, '0.1.0\n');
    const ws = copyExamples();
    try {
      const check = await runCli(['check', 'app/db-password'], { cli: built, cwd: ws });
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stderr + check.stdout, /0 errors, 0 warnings in 1 environment/);
      const unknown = await runCli(['nope'], { cli: built, cwd: ws });
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown command "esc-local nope"/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('writes to a pipe whose reader has gone (`esc-local schema | head`) without crashing, and keeps its exit code', () => {
    const ws = copyExamples();
    try {
      // Python closes the pipe's read end before the CLI starts, so every write meets EPIPE (a
      // shell's `| head` would race the writer). Before, Node's unhandled stream error exited 1
      // with a stack trace on stderr.
      const closedPipe = [
        'import os, subprocess, sys',
        'r, w = os.pipe(); os.close(r)',
        'p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, cwd=os.environ["WS"])',
        'sys.stderr.write(p.stderr.decode()); sys.exit(p.returncode)',
      ].join('\n');
      for (const args of [['schema'], ['check', '--json'], ['history', 'app/dev', '--json']]) {
        const run = spawnSync('python3', ['-c', closedPipe, process.execPath, built, ...args], { env: { ...process.env, WS: ws }, encoding: 'utf8' });
        assert.doesNotMatch(run.stderr, /EPIPE|Error|internal error/, args.join(' '));
        assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
      }
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('runs check from the check-only bundle alone, which holds no rotation core, AWS, database, cron or LSP-types library code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-check-bundle-'));
    const ws = copyExamples();
    try {
      // Without dist/cli-main.js: any command that reached it would fail.
      for (const file of ['cli.js', 'cli-check.js', 'cli-check.cache']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(dir, file));
      const cli = path.join(dir, 'cli.js');
      for (const args of [['check', 'app/db-password'], ['--workspace', ws, 'check', 'app/db-password'], ['-w', ws, '--no-color', 'check'], ['-q', 'check', '--json']]) {
        const run = await runCli(args, { cli, cwd: ws });
        assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      }
      const fromSource = await runCli(['check', '--json'], { cwd: ws });
      assert.equal((await runCli(['check', '--json'], { cli, cwd: ws })).stdout, fromSource.stdout, 'the same findings as the full CLI');
      const help = await runCli(['check', '--help'], { cli, cwd: ws });
      assert.equal(help.stdout, (await runCli(['check', '--help'], { cwd: ws })).stdout);
      assert.notEqual((await runCli(['open', 'app/dev'], { cli, cwd: ws })).code, 0, 'other commands need dist/cli-main.js');
      const bundle = fs.readFileSync(path.join(dir, 'cli-check.js'), 'utf8');
      // 'refactor.extract': vscode-languageserver-types' module (all its namespaces built at load);
      // the language core's own LSP values are shared/src/language/lspKinds.ts.
      for (const absent of ['class EscCore', '@aws-sdk', 'mysql2', 'pg-protocol', 'croner', 'cronstrue', 'refactor.extract']) assert.ok(!bundle.includes(absent), `${absent} is not in the check bundle`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('check loads no built-in module it does not use (node:module and its ES module loader, crypto, streams, net)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-check-modules-'));
    const ws = copyExamples();
    try {
      // Preloaded with -r (not a V8 flag, so the code cache is still taken): at exit, the modules
      // Node loaded after it, i.e. what the executable and the check bundle loaded.
      const hook = path.join(dir, 'hook.js');
      const listed = path.join(dir, 'modules.txt');
      fs.writeFileSync(
        hook,
        `const before = new Set(process.moduleLoadList);\n` +
          `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listed)}, process.moduleLoadList.filter((m) => !before.has(m)).join('\\n')));\n`,
      );
      // stdout and stderr are pipes, as in CI and in hooks (a terminal gets the process's streams).
      const run = spawnSync(process.execPath, ['-r', hook, path.join(REPO_ROOT, 'dist', 'cli.js'), 'check', 'app/db-password'], { cwd: ws, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /0 errors, 0 warnings in 1 environment/);
      const loaded = fs.readFileSync(listed, 'utf8').split('\n');
      assert.ok(loaded.includes('NativeModule vm'), `the list is of this run: ${loaded.join(', ')}`);
      for (const absent of ['NativeModule module', 'NativeModule internal/modules/esm/loader', 'NativeModule internal/source_map/source_map', 'NativeModule crypto', 'NativeModule stream', 'NativeModule net']) {
        assert.ok(!loaded.includes(absent), `${absent} is not loaded by check: ${loaded.join(', ')}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('under node --enable-source-maps, a stack trace from the minified check bundle names the TypeScript source', function () {
    const bundle = path.join(REPO_ROOT, 'dist', 'cli-check.js');
    if (!fs.existsSync(`${bundle}.map`)) this.skip(); // a release build (npm run package) ships no source maps
    const codeCache = path.join(REPO_ROOT, 'out', 'client', 'src', 'cli', 'codeCache.js');
    // A program given no output streams fails inside the bundle, on its first use of stdout.
    const script = `require(${JSON.stringify(codeCache)}).requireWithCodeCache(${JSON.stringify(bundle)}).runCli({ argv: ['check'], stdout: null, stderr: null, env: {}, cwd: '/' }).then(() => process.exit(3), (e) => process.stdout.write(e.stack))`;
    const mapped = execFileSync(process.execPath, ['--enable-source-maps', '-e', script], { encoding: 'utf8' });
    assert.match(mapped, /client[\\/]src[\\/]cli[\\/]\w+\.ts:\d+:\d+/, mapped);
    const plain = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.doesNotMatch(plain, /\.ts:\d+/, 'without the option: the bundle, through its code cache');
  });

  it('loads the check bundle with its code cache, and never with a cache made from other source', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-code-cache-'));
    try {
      for (const file of ['cli.js', 'cli-check.js', 'cli-check.cache']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(dir, file));
      const cli = path.join(dir, 'cli.js');
      assert.match((await runCli(['check', '--help'], { cli })).stdout, /Checks environments/);
      const bundle = path.join(dir, 'cli-check.js');
      assert.equal(cacheUsedInFreshNode(bundle), true, 'V8 takes the cache the build made');
      const source = fs.readFileSync(bundle, 'utf8');
      fs.writeFileSync(bundle, source.replace('Checks environments', 'Checkz environments'));
      assert.equal(cacheUsedInFreshNode(bundle), false, 'the same length, other bytes: no cache');
      const help = await runCli(['check', '--help'], { cli });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Checkz environments/, 'the edited source runs, not the cached one');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the bundle with its code cache, and never with a cache made from other source', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-code-cache-'));
    try {
      for (const file of ['cli.js', 'cli-main.js', 'cli-main.cache']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(dir, file));
      assert.match((await runCli(['--help'], { cli: path.join(dir, 'cli.js') })).stdout, /^esc-local 0\.1\.0 /);
      // Same length, other code: V8 alone would accept the old cache (it checks the length) and run the old code.
      const main = path.join(dir, 'cli-main.js');
      assert.equal(cacheUsedInFreshNode(main), true, 'V8 takes the cache the build made');
      const source = fs.readFileSync(main, 'utf8');
      assert.ok(source.includes('"0.1.0"'));
      fs.writeFileSync(main, source.replace('"0.1.0"', '"7.7.7"'));
      const help = await runCli(['--help'], { cli: path.join(dir, 'cli.js') });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^esc-local 7\.7\.7 /, 'the edited source runs, not the cached one');
      fs.rmSync(path.join(dir, 'cli-main.cache'));
      assert.match((await runCli(['--help'], { cli: path.join(dir, 'cli.js') })).stdout, /^esc-local 7\.7\.7 /, 'no cache: compiled as usual');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
