/** Per-environment lock across processes, history store (atomic append, two writers), diff, redaction, watch. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { acquireEnvironmentLock, lockFile } from '../../client/src/core/fs/lock';
import { HistoryStore, redactDefinition } from '../../client/src/core/history/historyStore';
import { CoreError } from '../../client/src/core/errors';
import { Workspace } from '../../client/src/core/workspace';
import { tempDir } from '../unit/core-support';

const LOCK_JS = path.resolve(__dirname, '../../client/src/core/fs/lock.js');
const HISTORY_JS = path.resolve(__dirname, '../../client/src/core/history/historyStore.js');

function runNode(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('core lock', function () {
  this.timeout(20000);

  it('a second holder (another process) fails clearly, naming the holder; released lock can be taken', async () => {
    const run = tempDir('lock');
    const held = await acquireEnvironmentLock(run, 'prod/app', { tool: 'VS Code' });
    const r = await runNode(`require(${JSON.stringify(LOCK_JS)}).acquireEnvironmentLock(${JSON.stringify(run)}, 'prod/app', {tool: 'esc-local CLI'})
      .then(() => console.log('ACQUIRED'), (e) => console.log(e.code + ' ' + e.message))`);
    assert.match(r.stdout, /^Locked /);
    assert.match(r.stdout, /VS Code \(pid \d+/);
    held.release();
    const r2 = await runNode(`require(${JSON.stringify(LOCK_JS)}).acquireEnvironmentLock(${JSON.stringify(run)}, 'prod/app', {}).then((l) => { console.log('ACQUIRED'); l.release(); })`);
    assert.equal(r2.stdout.trim(), 'ACQUIRED');
  });

  it('waits for the holder when asked to', async () => {
    const run = tempDir('lock-wait');
    const held = await acquireEnvironmentLock(run, 'a', {});
    setTimeout(() => held.release(), 300);
    const t0 = Date.now();
    const second = await acquireEnvironmentLock(run, 'a', { waitMs: 5000 });
    assert.ok(Date.now() - t0 >= 250);
    second.release();
  });

  it('a lock left by a killed process is broken; only one of many racing processes wins', async () => {
    const run = tempDir('lock-stale');
    // A process that takes the lock and is SIGKILLed while holding it.
    const holder = spawn(process.execPath, ['-e', `require(${JSON.stringify(LOCK_JS)}).acquireEnvironmentLock(${JSON.stringify(run)}, 'e', {}).then(() => { console.log('HELD'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('close', r));
    assert.ok(fs.existsSync(lockFile(run, 'e')));
    // The winner holds the lock until every loser has answered: a winner that exited early would
    // leave a stale lock that a slow racer (a loaded machine) rightly breaks and wins too.
    const done = path.join(run, 'racers-done');
    const hold = `const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(done)})) clearInterval(t); }, 50);`;
    let answered = 0;
    const racing = Array.from({ length: 6 }, () =>
      runNode(`require(${JSON.stringify(LOCK_JS)}).acquireEnvironmentLock(${JSON.stringify(run)}, 'e', {}).then(() => { console.log('WON'); ${hold} }, (e) => console.log(e.code))`).then((r) => {
        answered++;
        return r;
      }),
    );
    while (answered < 5) await new Promise((r) => setTimeout(r, 50));
    fs.writeFileSync(done, '');
    const racers = await Promise.all(racing);
    const outcomes = racers.map((r) => r.stdout.trim()).sort();
    assert.equal(outcomes.filter((o) => o === 'WON').length, 1, outcomes.join(','));
    assert.equal(outcomes.filter((o) => o === 'Locked').length, 5);
  });
});

describe('core history', function () {
  this.timeout(20000);

  it('appends numbered revisions atomically, lists, shows redacted, diffs', () => {
    const h = new HistoryStore(tempDir('hist'));
    const def1 = 'values:\n  # db password\n  pw:\n    fn::secret:\n      ciphertext: ZXNjeAAAAAFzZWNyZXQ=\n  plain:\n    fn::secret: hunter2\n  region: us-east-1\n';
    const r1 = h.append('prod/app', { kind: 'save', outcome: 'succeeded', paths: [], definition: def1 });
    const r2 = h.append('prod/app', { kind: 'rotation', outcome: 'succeeded', principalArn: 'arn:aws:iam::1:user/admin', paths: [{ path: 'values.iam', rotator: 'aws-iam', oldKeyId: 'AKIA1', newKeyId: 'AKIA2', deletedKeyId: 'AKIA0' }], definition: def1.replace('us-east-1', 'eu-west-1') });
    assert.deepEqual([r1.number, r2.number], [1, 2]);
    assert.ok(r2.user.length > 0);
    const list = h.list('prod/app');
    assert.equal(list.length, 2);
    assert.equal(list[1]!.paths[0]!.newKeyId, 'AKIA2');
    assert.equal(list[1]!.definition, undefined, 'list omits definitions');
    const shown = h.show('prod/app', 1).definition!;
    assert.ok(!shown.includes('hunter2') && !shown.includes('ZXNjeAAAAAFzZWNyZXQ='));
    assert.ok(shown.includes('# db password'));
    const d = h.diff('prod/app', 'environments/prod/app.yaml', 1, 2);
    assert.match(d, /-  region: us-east-1\n\+  region: eu-west-1/);
    assert.ok(!d.includes('hunter2'));
    assert.deepEqual(h.environments(), ['prod/app']);
    assert.throws(() => h.get('prod/app', 9), (e: unknown) => e instanceof CoreError && /has no revision 9/.test(e.message));
  });

  it('redacts every secret form', () => {
    const t = redactDefinition('a:\n  fn::secret: "p w"\nb:\n  fn::secret: {ciphertext: abc=}\nc:\n  fn::secret:\n    ciphertext: "abc="\n');
    assert.ok(!/p w|abc=/.test(t), t);
    assert.equal(t, 'a:\n  fn::secret: [secret]\nb:\n  fn::secret: {ciphertext: [ciphertext]}\nc:\n  fn::secret:\n    ciphertext: [ciphertext]\n');
  });

  it('redacts multi-line secrets in shown revisions and diffs, and hides what follows a secret in a broken definition', () => {
    const h = new HistoryStore(tempDir('hist-multiline'));
    const def1 = "values:\n  key:\n    'fn::secret': |\n      -----BEGIN KEY-----\n      c2VjcmV0bGluZQ==\n  wrapped: {fn::secret: {ciphertext: \"ZXNjeAAA\n      AAE=\"}}\n  region: us-east-1\n";
    const broken = 'values:\n  region: [eu-west-1\n  key:\n    fn::secret: |\n      -----BEGIN KEY-----\n      c2VjcmV0bGluZQ==\n';
    h.append('app', { kind: 'save', outcome: 'succeeded', paths: [], definition: def1 });
    h.append('app', { kind: 'save', outcome: 'succeeded', paths: [], definition: broken });
    assert.equal(h.show('app', 1).definition, "values:\n  key:\n    'fn::secret': [secret]\n  wrapped: {fn::secret: {ciphertext: [ciphertext]}}\n  region: us-east-1\n");
    const shownBroken = h.show('app', 2).definition!;
    assert.ok(shownBroken.startsWith('values:\n  region: [eu-west-1\n  key:\n# [hidden from line 4 on: this definition is not valid YAML'), shownBroken);
    const d = h.diff('app', 'environments/app.yaml', 1, 2);
    assert.ok(!/BEGIN KEY|c2VjcmV0bGluZQ|ZXNjeAAA|AAE=/.test(d), d);
    assert.match(d, /\+  region: \[eu-west-1/);
  });

  it('two processes appending at once never overwrite each other', async () => {
    const dir = tempDir('hist-race');
    const writer = (tag: string) =>
      runNode(`const { HistoryStore } = require(${JSON.stringify(HISTORY_JS)}); const h = new HistoryStore(${JSON.stringify(dir)});
        for (let i = 0; i < 25; i++) h.append('e', { kind: 'save', outcome: 'succeeded', paths: [], message: '${tag}' + i });`);
    await Promise.all([writer('a'), writer('b'), writer('c')]);
    const h = new HistoryStore(dir);
    const list = h.list('e');
    assert.equal(list.length, 75);
    assert.deepEqual(list.map((r) => r.number), Array.from({ length: 75 }, (_, i) => i + 1));
    assert.equal(new Set(list.map((r) => r.message)).size, 75);
  });

  it('watch notifies when another process adds a revision', async () => {
    const dir = tempDir('hist-watch');
    const h = new HistoryStore(dir);
    const seen: Array<string | undefined> = [];
    const stop = h.watch((env) => seen.push(env), 100);
    try {
      await runNode(`const { HistoryStore } = require(${JSON.stringify(HISTORY_JS)}); new HistoryStore(${JSON.stringify(dir)}).append('team/app', { kind: 'save', outcome: 'succeeded', paths: [] });`);
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(seen.length > 0);
      assert.ok(seen.includes('team/app') || seen.includes(undefined));
    } finally {
      stop();
    }
  });
});

describe('core workspace model', () => {
  it('names environments by their path under the root, plus loose *.esc.yaml files', async () => {
    const root = tempDir('ws');
    const write = (rel: string, text = 'values: {}\n') => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('environments/prod/app.yaml');
    write('environments/dev.yml');
    write('environments/notes.txt');
    write('tools/ci.esc.yaml');
    write('node_modules/x/y.esc.yaml');
    write('README.yaml');
    const ws = new Workspace({ root });
    assert.deepEqual(ws.listEnvironments().map((e) => e.name), ['dev', 'prod/app', 'tools/ci']);
    assert.equal(ws.nameForFile(path.join(root, 'environments/prod/app.yaml')), 'prod/app');
    assert.equal(ws.nameForFile(path.join(root, 'README.yaml')), undefined);
    assert.equal(ws.fileFor('prod/app'), path.join(root, 'environments/prod/app.yaml'));
    assert.throws(() => ws.fileFor('../etc/passwd'), /not a valid environment name/);
    assert.throws(() => ws.requireFile('nope'), (e: unknown) => e instanceof CoreError && e.code === 'EnvironmentNotFound');
    const loaded = await ws.loader().load('tools/ci');
    assert.equal(loaded?.text, 'values: {}\n');
    assert.equal(await ws.loader().load('missing'), undefined);
    const custom = new Workspace({ root, environmentsRoot: 'tools' });
    assert.ok(custom.listEnvironments().some((e) => e.name === 'ci'));
  });
});
