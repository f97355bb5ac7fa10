/**
 * Crash safety: the rotation runs in a child process that SIGKILLs itself at each step boundary
 * (ESC_LOCAL_CRASH_AT); a rerun must complete it with no key lost, no live key deleted, at most
 * 2 keys, and state consistent with AWS. Plus: two rotations at once, and everything the
 * processes wrote or printed is free of the secrets they handled.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CRASH_POINTS } from '../../client/src/core/rotation/crashpoints';
import { EscCore } from '../../client/src/core/escCore';
import { Keychain } from '../../client/src/core/keychain';
import { toJSON } from '../../shared/src/eval/index';
import { type AwsFixture, type WorkspaceFixture, allFiles, initialStateYaml, makeWorkspace, startAws } from '../unit/core-support';

const CHILD = path.resolve(__dirname, 'core-child.js');

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json?: { ok?: boolean; recovered?: boolean; error?: string; message: string; paths?: Array<{ path: string; newKeyId?: string; oldKeyId?: string; deletedKeyId?: string }> };
}

describe('core crash safety and concurrency (child processes, SIGKILL)', function () {
  this.timeout(180000);
  let f: AwsFixture;
  const services: string[] = [];
  const outputs: string[] = [];
  const handledSecrets = new Set<string>();
  const roots: string[] = [];

  before(async () => {
    f = await startAws();
    handledSecrets.add(f.admin.secretAccessKey);
  });
  after(async () => {
    await f.aws.close();
    for (const s of services) {
      const kc = new Keychain(s);
      for (const n of await kc.listAwsCredentialNames()) await kc.forgetAwsCredentials(n);
    }
  });

  function runChild(w: WorkspaceFixture, extra: Record<string, string> = {}): Promise<ChildOutcome> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CHILD], {
        env: { ...process.env, ...f.aws.sdkEnv(), ESC_TEST_ROOT: w.root, ESC_TEST_SERVICE: w.service, ESC_TEST_ENV: 'app', ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code, signal) => {
        outputs.push(stdout, stderr);
        let json: ChildOutcome['json'];
        try {
          json = stdout.trim() ? JSON.parse(stdout.trim().split('\n').pop()!) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code, signal, stdout, stderr, ...(json ? { json } : {}) });
      });
    });
  }

  let userCounter = 0;
  /** A user with two seeded keys, K0 (previous) and K1 (current), adopted by an encrypted workspace. */
  async function seeded(): Promise<{ w: WorkspaceFixture; core: EscCore; user: string; k0: { accessKeyId: string; secretAccessKey: string }; k1: { accessKeyId: string; secretAccessKey: string } }> {
    const user = `crash-${++userCounter}`;
    f.aws.control.createUser(user);
    const k0 = f.aws.control.createAccessKey({ userName: user });
    const k1 = f.aws.control.createAccessKey({ userName: user });
    handledSecrets.add(k0.secretAccessKey);
    handledSecrets.add(k1.secretAccessKey);
    const w = await makeWorkspace(f, { userName: user, state: initialStateYaml(k1, k0) });
    services.push(w.service);
    roots.push(w.root);
    const core = new EscCore({ workspace: { root: w.root }, keychainService: w.service, aws: f.settings });
    await core.encryptFile('app', { record: false });
    return { w, core, user, k0, k1 };
  }

  /** Crash points after which the interrupted run had created and journaled a new key (the recovery promotes it). */
  const CREATED_BEFORE: ReadonlySet<string> = new Set(['after-create-journaled', 'after-verify', 'after-evaluate', 'after-write-intent', 'after-file-write', 'after-history']);

  /**
   * After a crash and a rerun: AWS holds exactly the state's keys (no orphan, none lost), the old
   * previous K0 is gone, the current key works, and the rerun performed one rotation of its own
   * (recovery is not a rotation). If the crashed run had created a key, the recovery promoted it
   * and the rotation asked for then retired K1; otherwise K1 is the previous key.
   */
  async function assertConsistent(core: EscCore, user: string, k0: { accessKeyId: string }, k1: { accessKeyId: string }, label: string, createdBefore: boolean): Promise<void> {
    const r = await core.open('app');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 1), [], label);
    const app = toJSON({ value: r.environment!.properties, trace: {} }, { redact: false }) as { iam: { current: { accessKeyId: string; secretAccessKey: string }; previous: { accessKeyId: string; secretAccessKey: string } }; db: { password: { current: string; previous?: string } } };
    handledSecrets.add(app.iam.current.secretAccessKey);
    handledSecrets.add(app.db.password.current);
    const keys = f.keysOf(user);
    assert.ok(keys.length <= 2, `${label}: at most 2 keys (${keys.join(', ')})`);
    assert.deepEqual(new Set(keys), new Set([app.iam.current.accessKeyId, app.iam.previous.accessKeyId]), `${label}: AWS holds exactly the keys of the state (no orphan, none lost)`);
    assert.ok(!keys.includes(k0.accessKeyId), `${label}: the old previous key was deleted`);
    const arn = (await new STSClient(f.aws.clientConfig(app.iam.current)).send(new GetCallerIdentityCommand({}))).Arn;
    assert.match(arn!, new RegExp(`:user/${user}$`), `${label}: the current key in the file works`);
    const revisions = core.history.list('app').filter((x) => x.outcome === 'succeeded');
    const last = revisions.at(-1)!;
    assert.equal(last.kind, 'rotation', `${label}: the rerun ends with a rotation of its own`);
    const iamRecord = last.paths.find((p) => p.path === 'iam');
    assert.equal(iamRecord?.newKeyId, app.iam.current.accessKeyId, `${label}: history names the new key`);
    assert.equal(iamRecord?.oldKeyId, app.iam.previous.accessKeyId, `${label}: the new rotation started from the recovered state`);
    if (createdBefore) {
      const promoted = revisions.at(-2)!.paths.find((p) => p.path === 'iam')!.newKeyId;
      assert.equal(app.iam.previous.accessKeyId, promoted, `${label}: the key the crashed run created was promoted, not lost`);
      assert.notEqual(promoted, k1.accessKeyId);
    } else {
      assert.equal(app.iam.previous.accessKeyId, k1.accessKeyId, `${label}: the live key K1 was kept as previous`);
      assert.equal(revisions.filter((x) => x.kind === 'rotation').length, 1, `${label}: exactly one rotation recorded`);
    }
    assert.equal(core.pendingRecovery('app'), false, `${label}: journal gone`);
    assert.ok(!fs.existsSync(path.join(core.workspace.runDir, 'locks', 'app.lock')), `${label}: lock released`);
  }

  /** Steps only the database rotators pass (db-rotation.test.ts kills them there); an aws-iam rotation never reaches them. */
  const DB_ONLY_CRASH_POINTS: ReadonlySet<string> = new Set(['after-password-intent', 'after-password-set']);

  for (const point of CRASH_POINTS.filter((p) => p !== 'atomic-temp-written' && !DB_ONLY_CRASH_POINTS.has(p))) {
    it(`SIGKILL at ${point} → the rerun completes the rotation consistently`, async () => {
      const { w, core, user, k0, k1 } = await seeded();
      const crashed = await runChild(w, { ESC_LOCAL_CRASH_AT: point });
      assert.equal(crashed.signal, 'SIGKILL', `the child died at ${point} (stdout: ${crashed.stdout}, stderr: ${crashed.stderr.slice(-500)})`);
      assert.ok(f.keysOf(user).length <= 2);
      // What the killed process left behind (journal, lock, temp files): checked for secrets below.
      const leftBehind = allFiles(w.root).map((file) => ({ file, content: fs.readFileSync(file, 'utf8') }));
      if (point !== 'after-lock') assert.ok(leftBehind.some((x) => x.file.includes(`${path.sep}journal${path.sep}`)), 'a journal was left');
      const rerun = await runChild(w);
      assert.equal(rerun.code, 0, `rerun: ${rerun.stdout} ${rerun.stderr.slice(-1000)}`);
      if (point === 'after-lock') assert.equal(rerun.json?.recovered, false, 'no journal, nothing recovered');
      if (CREATED_BEFORE.has(point)) assert.equal(rerun.json?.recovered, true, `recovered flag after ${point}`);
      await assertConsistent(core, user, k0, k1, point, CREATED_BEFORE.has(point));
      for (const { file, content } of leftBehind) for (const secret of handledSecrets) assert.ok(!content.includes(secret), `${point}: plaintext secret in ${path.relative(w.root, file)}`);
    });
  }

  it('crash during the recovery itself (after-create, then after-verify on the rerun), then completion', async () => {
    const { w, core, user, k0, k1 } = await seeded();
    assert.equal((await runChild(w, { ESC_LOCAL_CRASH_AT: 'after-create' })).signal, 'SIGKILL');
    assert.equal((await runChild(w, { ESC_LOCAL_CRASH_AT: 'after-verify' })).signal, 'SIGKILL');
    const done = await runChild(w);
    assert.equal(done.code, 0, done.stdout);
    await assertConsistent(core, user, k0, k1, 'double crash', true);
  });

  it('a killed rotation\'s own write is never recorded as a save: not by an editor save, an encryption, or the rerun', async () => {
    const { w, core, user, k0, k1 } = await seeded();
    await core.recordSave('app', { message: 'baseline' });
    assert.equal((await runChild(w, { ESC_LOCAL_CRASH_AT: 'after-file-write' })).signal, 'SIGKILL');
    assert.equal(await core.recordSaveIfChanged('app', { trigger: 'extension' }), undefined, 'an editor save of the file the killed run wrote');
    assert.equal((await core.encryptFile('app')).save, undefined, 'an encryption before the rerun');
    const rerun = await runChild(w);
    assert.equal(rerun.code, 0, `rerun: ${rerun.stdout} ${rerun.stderr.slice(-1000)}`);
    assert.deepEqual(core.history.list('app').map((r) => r.kind), ['save', 'rotation', 'rotation'], 'the baseline, the killed run\'s rotation, the rerun\'s');
    await assertConsistent(core, user, k0, k1, 'written, then saves tried', true);
  });

  it('hand edits made after a run was killed before its write are recorded as a save before the recovery writes', async () => {
    const { w, core, user, k0, k1 } = await seeded();
    await core.recordSave('app', { message: 'baseline' });
    assert.equal((await runChild(w, { ESC_LOCAL_CRASH_AT: 'after-write-intent' })).signal, 'SIGKILL');
    fs.writeFileSync(w.appEnvFile, fs.readFileSync(w.appEnvFile, 'utf8').replace('greeting: hello', 'greeting: edited after the crash'));
    const edited = fs.readFileSync(w.appEnvFile, 'utf8');
    const rerun = await runChild(w);
    assert.equal(rerun.code, 0, `rerun: ${rerun.stdout} ${rerun.stderr.slice(-1000)}`);
    assert.deepEqual(core.history.list('app').map((r) => r.kind), ['save', 'save', 'recovery', 'rotation']);
    assert.equal(core.history.get('app', 2).definition, edited, 'the save holds the edits, and nothing the killed run created');
    await assertConsistent(core, user, k0, k1, 'edited after the crash', true);
  });

  it('crash after create while the create response was also lost (drop after): orphans cleaned, one new key', async () => {
    const { w, core, user, k0, k1 } = await seeded();
    f.aws.control.injectFault({ kind: 'drop', action: 'CreateAccessKey', phase: 'after', count: 1 });
    assert.equal((await runChild(w, { ESC_LOCAL_CRASH_AT: 'after-create' })).signal, 'SIGKILL');
    assert.equal((await runChild(w)).code, 0);
    await assertConsistent(core, user, k0, k1, 'drop + crash', false);
  });

  it('two rotations of one environment at once: one runs, the other fails clearly; never both', async () => {
    const { w, user, k1 } = await seeded();
    f.aws.control.setKeyPropagation({ rejectUses: 3, delayMs: 0 }); // keeps the first rotation busy verifying
    const [a, b] = await Promise.all([runChild(w), runChild(w)]);
    f.aws.control.setKeyPropagation({ rejectUses: 0, delayMs: 0 });
    const outcomes = [a, b].map((o) => o.json?.error ?? (o.json?.ok ? 'ok' : 'failed')).sort();
    assert.deepEqual(outcomes, ['Locked', 'ok'], JSON.stringify([a.json, b.json]));
    const locked = [a, b].find((o) => o.json?.error === 'Locked')!;
    assert.match(locked.json!.message, /another rotation of this environment is in progress: test child \d+ \(pid \d+/);
    const keys = f.keysOf(user);
    assert.equal(keys.length, 2);
    assert.ok(keys.includes(k1.accessKeyId));
  });

  it('two rotations at once with waiting: they run one after the other', async () => {
    const { w, core, user, k1 } = await seeded();
    const [a, b] = await Promise.all([runChild(w, { ESC_TEST_WAIT_MS: '60000' }), runChild(w, { ESC_TEST_WAIT_MS: '60000' })]);
    assert.equal(a.code, 0, a.stdout);
    assert.equal(b.code, 0, b.stdout);
    const revs = core.history.list('app');
    assert.equal(revs.length, 2);
    assert.equal(revs[1]!.paths[0]!.oldKeyId, revs[0]!.paths[0]!.newKeyId, 'the second rotation started from the first one\'s result');
    assert.equal(revs[1]!.paths[0]!.deletedKeyId, k1.accessKeyId);
    assert.equal(f.keysOf(user).length, 2);
  });

  it('no secret handled appears in any file written, in stdout/stderr or in the journal/history', () => {
    assert.ok(handledSecrets.size > 10);
    const hits: string[] = [];
    for (const root of roots) {
      for (const file of allFiles(root)) {
        const content = fs.readFileSync(file, 'utf8');
        for (const s of handledSecrets) if (content.includes(s)) hits.push(path.relative(root, file));
      }
    }
    const printed = outputs.join('\n');
    for (const s of handledSecrets) if (printed.includes(s)) hits.push('child output');
    assert.deepEqual(hits, []);
  });
});
