/**
 * The rotation driver end to end: evaluator + aws-login (OIDC via the keychain → AssumeRole) +
 * aws-iam/password rotators + patch write-back (comments kept, secrets as ciphertext) +
 * history, against the local AWS endpoint and the real Secret Service.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { EscCore } from '../../client/src/core/escCore';
import { CoreError } from '../../client/src/core/errors';
import { Keychain } from '../../client/src/core/keychain';
import { toJSON } from '../../shared/src/eval/index';
import { type AwsFixture, type WorkspaceFixture, allFiles, initialStateYaml, makeWorkspace, startAws } from './core-support';

interface OpenedApp {
  iam: { current: { accessKeyId: string; secretAccessKey: string }; previous?: { accessKeyId: string; secretAccessKey: string } };
  db: { password: { current: string; previous?: string } };
  greeting: string;
}

describe('core rotation driver (evaluator + keychain + local AWS)', function () {
  this.timeout(60000);
  let f: AwsFixture;
  let w: WorkspaceFixture;
  let core: EscCore;
  const logs: string[] = [];

  beforeEach(async () => {
    f = await startAws();
    w = await makeWorkspace(f);
    core = new EscCore({ workspace: { root: w.root }, keychainService: w.service, aws: f.settings, tool: 'test', log: (l) => logs.push(l) });
  });
  afterEach(async () => {
    await f.aws.close();
    const kc = new Keychain(w.service);
    for (const n of await kc.listAwsCredentialNames()) await kc.forgetAwsCredentials(n);
    await kc.forgetDataKey(core.workspace.workspaceId());
  });

  async function openApp(): Promise<OpenedApp> {
    const r = await core.open('app');
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 1), []);
    return toJSON({ value: r.environment!.properties, trace: {} }, { redact: false }) as unknown as OpenedApp;
  }

  async function keyWorks(k: { accessKeyId: string; secretAccessKey: string }): Promise<string | undefined> {
    const out = await new STSClient(f.aws.clientConfig(k)).send(new GetCallerIdentityCommand({}));
    return out.Arn;
  }

  it('rotates every fn::rotate, writes ciphertext state keeping comments, records a revision', async () => {
    const r = await core.rotate('app', { trigger: 'test' });
    assert.equal(r.ok, true, r.message);
    assert.equal(r.recovered, false);
    assert.deepEqual(r.paths.map((p) => [p.path, p.rotator]), [['iam', 'aws-iam'], ['db.password', 'password']]);
    const iam = r.paths[0]!;
    assert.ok(iam.newKeyId && iam.oldKeyId === undefined && iam.deletedKeyId === undefined);
    assert.deepEqual(f.keysOf(), [iam.newKeyId]);
    assert.match(r.principalArn!, /:assumed-role\/esc-rotator-[0-9a-f]+\/esc-local-test$/);

    const text = fs.readFileSync(w.appEnvFile, 'utf8');
    for (const comment of ['# Application credentials, rotated by esc-local', "# the IAM user's access keys", '# long enough', '# a comment that must stay']) assert.ok(text.includes(comment), comment);
    assert.match(text, /ciphertext: /);
    const opened = await openApp();
    assert.equal(opened.iam.current.accessKeyId, iam.newKeyId);
    assert.ok(!text.includes(opened.iam.current.secretAccessKey), 'the secret key is not in the file in plaintext');
    assert.ok(!text.includes(opened.db.password.current), 'the password is not in the file in plaintext');
    assert.equal(opened.db.password.current.length, 24);
    assert.equal(await keyWorks(opened.iam.current), f.userArn, 'the written key works');

    const rev = r.revision!;
    assert.equal(rev.number, 1);
    assert.equal(rev.kind, 'rotation');
    assert.equal(rev.trigger, 'test');
    assert.equal(rev.principalArn, r.principalArn);
    assert.ok(rev.definition?.includes('ciphertext'));
    assert.ok(!JSON.stringify(rev).includes(opened.iam.current.secretAccessKey));
    assert.equal(core.pendingRecovery('app'), false);
  });

  it('two-secret strategy over three rotations: previous kept, old previous deleted and recorded', async () => {
    const r1 = await core.rotate('app', { paths: ['iam'] });
    const r2 = await core.rotate('app', { paths: ['iam'] });
    const r3 = await core.rotate('app', { paths: ['iam'] });
    assert.equal(r2.paths[0]!.oldKeyId, r1.paths[0]!.newKeyId);
    assert.equal(r3.paths[0]!.oldKeyId, r2.paths[0]!.newKeyId);
    assert.equal(r3.paths[0]!.deletedKeyId, r1.paths[0]!.newKeyId);
    assert.deepEqual(new Set(f.keysOf()), new Set([r2.paths[0]!.newKeyId, r3.paths[0]!.newKeyId]));
    const opened = await openApp();
    assert.equal(opened.iam.previous?.accessKeyId, r2.paths[0]!.newKeyId);
    assert.equal(await keyWorks(opened.iam.previous!), f.userArn);
    assert.deepEqual(core.history.list('app').map((r) => r.number), [1, 2, 3]);
    assert.deepEqual(r3.paths.map((p) => p.path), ['iam'], 'only the selected path');
  });

  it('adopts an existing key given as initial state (after encrypting the file)', async () => {
    const k0 = f.aws.control.createAccessKey({ userName: 'app' });
    const w2 = await makeWorkspace(f, { state: initialStateYaml(k0), keychainService: w.service });
    const core2 = new EscCore({ workspace: { root: w2.root }, keychainService: w.service, aws: f.settings });
    const enc = await core2.encryptFile('app');
    assert.equal(enc.encrypted, 1);
    assert.ok(!fs.readFileSync(w2.appEnvFile, 'utf8').includes(k0.secretAccessKey));
    const r = await core2.rotate('app', { paths: ['iam'] });
    assert.equal(r.paths[0]!.oldKeyId, k0.accessKeyId);
    assert.deepEqual(new Set(f.keysOf()), new Set([k0.accessKeyId, r.paths[0]!.newKeyId]));
    await core2.workspace.keychain.forgetDataKey(core2.workspace.workspaceId());
  });

  it('missing managing credentials: the path fails with what to store; nothing changes in AWS', async () => {
    await core.keychain.forgetAwsCredentials(w.roleArn);
    const before = fs.readFileSync(w.appEnvFile, 'utf8');
    const r = await core.rotate('app', { paths: ['iam'] });
    assert.equal(r.ok, false);
    assert.match(r.paths[0]!.error!, /no managing AWS credentials in the OS keychain/);
    assert.ok(r.paths[0]!.error!.includes(`credentials set ${w.roleArn}`));
    assert.deepEqual(f.keysOf(), []);
    assert.equal(fs.readFileSync(w.appEnvFile, 'utf8'), before);
    assert.equal(r.revision?.outcome, 'failed', 'a failed run is recorded');
    assert.equal(core.pendingRecovery('app'), false);
  });

  it('unknown path and environment give located messages', async () => {
    await assert.rejects(core.rotate('app', { paths: ['nope'] }), (e: unknown) => e instanceof CoreError && /no fn::rotate at values\.nope/.test(e.message) && /iam, db\.password/.test(e.message));
    await assert.rejects(core.rotate('missing'), (e: unknown) => e instanceof CoreError && e.code === 'EnvironmentNotFound');
  });

  it('rollback restores the non-rotated parts and keeps rotated state, saying so', async () => {
    const saved = await core.recordSave('app', { message: 'baseline' });
    fs.writeFileSync(w.appEnvFile, fs.readFileSync(w.appEnvFile, 'utf8').replace('greeting: hello', 'greeting: changed'));
    const r = await core.rotate('app');
    const keyNow = r.paths[0]!.newKeyId;
    const rb = await core.rollback('app', saved.number);
    assert.deepEqual(rb.keptRotatedPaths.sort(), ['db.password', 'iam']);
    assert.match(rb.message, /rotations cannot be rolled back/);
    const opened = await openApp();
    assert.equal(opened.greeting, 'hello');
    assert.equal(opened.iam.current.accessKeyId, keyNow);
    assert.equal(rb.revision.kind, 'rollback');
    assert.equal(rb.revision.rolledBackTo, saved.number);
    assert.match(core.history.diff('app', 'environments/app.yaml', r.revision!.number, rb.revision.number), /-  greeting: changed[^\n]*\n\+  greeting: hello/);
  });

  it('cancelled before the point of no return: nothing changes in AWS or the file', async () => {
    const before = fs.readFileSync(w.appEnvFile, 'utf8');
    const controller = new AbortController();
    controller.abort();
    const r = await core.rotate('app', { paths: ['iam'], signal: controller.signal });
    assert.equal(r.ok, false);
    assert.match(r.paths[0]!.error!, /^cancelled/);
    assert.deepEqual(f.keysOf(), []);
    assert.equal(fs.readFileSync(w.appEnvFile, 'utf8'), before);
    assert.equal(core.pendingRecovery('app'), false);
  });

  it('cancel after the point of no return is ignored: the rotation completes', async () => {
    const controller = new AbortController();
    const progress: string[] = [];
    const r = await core.rotate('app', { paths: ['iam'], signal: controller.signal, onPointOfNoReturn: () => controller.abort(), onProgress: (l) => progress.push(l) });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(f.keysOf(), [r.paths[0]!.newKeyId]);
    assert.ok(progress.some((l) => l.includes(`created key ${r.paths[0]!.newKeyId}`)));
  });

  it('nothing handled is written or logged in plaintext', async () => {
    await core.rotate('app');
    await core.rotate('app');
    const opened = await openApp();
    const secrets = [f.admin.secretAccessKey, opened.iam.current.secretAccessKey, opened.iam.previous!.secretAccessKey, opened.db.password.current, opened.db.password.previous!];
    const hits: string[] = [];
    for (const file of allFiles(w.root)) {
      const content = fs.readFileSync(file, 'utf8');
      for (const s of secrets) if (content.includes(s)) hits.push(file);
    }
    for (const s of secrets) if (logs.join('\n').includes(s)) hits.push('log');
    assert.deepEqual(hits, []);
  });
});

describe('core rotation driver: partial failures', function () {
  this.timeout(60000);
  let f: AwsFixture;
  let w: WorkspaceFixture;
  let core: EscCore;

  beforeEach(async () => {
    f = await startAws();
    f.aws.control.createUser('other');
    w = await makeWorkspace(f);
    // A second aws-iam path, for user `other`.
    const otherArn = f.userArn.replace(/user\/app$/, 'user/other');
    const text = fs.readFileSync(w.appEnvFile, 'utf8').replace(
      '  db:\n',
      ['  other:', '    fn::rotate::aws-iam:', '      inputs:', '        login: ${environments.creds.aws.aws.login}', `        userArn: ${otherArn}`, '  db:', ''].join('\n'),
    );
    fs.writeFileSync(w.appEnvFile, text);
    core = new EscCore({ workspace: { root: w.root }, keychainService: w.service, aws: { ...f.settings, verifyAttempts: 2 } });
  });
  afterEach(async () => {
    await f.aws.close();
    const kc = new Keychain(w.service);
    for (const n of await kc.listAwsCredentialNames()) await kc.forgetAwsCredentials(n);
  });

  it('one path drifts, the others are written; the failure is located and recorded', async () => {
    const foreign = f.aws.control.createAccessKey({ userName: 'other' });
    const r = await core.rotate('app');
    assert.equal(r.ok, false);
    const byPath = Object.fromEntries(r.paths.map((p) => [p.path, p]));
    assert.ok(byPath.iam!.newKeyId && byPath.iam!.error === undefined);
    assert.match(byPath.other!.error!, new RegExp(`does not manage: ${foreign.accessKeyId}`));
    assert.equal(byPath['db.password']!.error, undefined);
    assert.equal(r.revision?.outcome, 'failed');
    assert.deepEqual(f.keysOf('other'), [foreign.accessKeyId], 'the foreign key is untouched');
    assert.deepEqual(f.keysOf('app'), [byPath.iam!.newKeyId]);
    assert.match(fs.readFileSync(w.appEnvFile, 'utf8'), new RegExp(byPath.iam!.newKeyId!));
    assert.equal(core.pendingRecovery('app'), false, 'nothing of ours is pending in AWS');
  });

  it('a created but unverified key is kept in the journal; the next run promotes it (recovery), then rotates what was asked', async () => {
    // Keys created from now on are refused by STS for their first 3 uses: with 2 verification
    // attempts, both new keys fail to verify in the first run.
    f.aws.control.setKeyPropagation({ rejectUses: 3, delayMs: 0 });
    const first = await core.rotate('app', { paths: ['iam', 'other'] });
    assert.equal(first.ok, false);
    assert.ok(first.paths.every((p) => /still not accepted by STS/.test(p.error ?? '')), JSON.stringify(first.paths));
    assert.equal(core.pendingRecovery('app'), true);
    const created = { app: f.keysOf('app'), other: f.keysOf('other') };
    assert.equal(created.app.length, 1);
    const second = await core.rotate('app', { paths: ['db.password'] });
    assert.equal(second.recovered, true, 'the interrupted rotation is completed first');
    assert.equal(second.ok, true, second.message);
    assert.deepEqual(second.recovery?.revision?.paths.map((p) => p.path).sort(), ['iam', 'other']);
    assert.equal(second.recovery?.revision?.kind, 'recovery');
    assert.deepEqual(second.paths.map((p) => p.path), ['db.password'], 'then the rotation asked for');
    assert.deepEqual({ app: f.keysOf('app'), other: f.keysOf('other') }, created, 'the same keys were promoted, none created');
    assert.doesNotMatch(second.message, /run the rotation again/);
    assert.equal(core.pendingRecovery('app'), false);
  });
});
