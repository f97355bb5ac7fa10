/**
 * aws-iam rotator against the local AWS endpoint through the real SDK: two-secret strategy,
 * drift, faults (throttling, 5xx before/after, dropped connections, propagation delay),
 * AccessDenied / NoSuchEntity / LimitExceeded, verification failure then resume.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AwsIamRotator, parseIamState, userNameFromArn } from '../../client/src/core/rotators/awsIam';
import { CoreError } from '../../client/src/core/errors';
import { Journal } from '../../client/src/core/rotation/journal';
import { type AwsFixture, loginValue, newSession, startAws, tempDir, unwrap } from './core-support';
import type { Value } from '../../shared/src/value/value';

interface KeyJson {
  accessKeyId: string;
  secretAccessKey: string;
  createdAt?: string;
}
interface StateJson {
  current?: KeyJson;
  previous?: KeyJson;
}

function stateValue(s: StateJson | undefined): Value | undefined {
  if (!s) return undefined;
  const key = (k: KeyJson): Value => ({ value: { accessKeyId: { value: k.accessKeyId, trace: {} }, secretAccessKey: { value: k.secretAccessKey, secret: true, trace: {} } }, trace: {} });
  const o: { [k: string]: Value } = {};
  if (s.current) o.current = key(s.current);
  if (s.previous) o.previous = key(s.previous);
  return { value: o, trace: {} };
}

describe('core aws-iam rotator (local AWS endpoint, real SDK)', function () {
  this.timeout(60000);
  let f: AwsFixture;
  let runDir: string;
  const dataKey = randomBytes(32);

  beforeEach(async () => {
    f = await startAws();
    runDir = tempDir('iam');
  });
  afterEach(async () => {
    await f.aws.close();
  });

  async function rotate(state: StateJson | undefined, extra: { userArn?: string; settings?: Partial<typeof f.settings>; env?: string } = {}): Promise<StateJson> {
    const session = newSession(runDir, extra.env ?? 'env', { ...f.settings, ...extra.settings }, dataKey);
    const rotator = new AwsIamRotator(session);
    const out = await rotator.rotate({ region: { value: 'us-east-1', trace: {} }, login: loginValue(f.admin), userArn: { value: extra.userArn ?? f.userArn, trace: {} } }, stateValue(state), {});
    return unwrap(out) as StateJson;
  }

  function endJournal(env = 'env'): void {
    Journal.open(runDir, env, dataKey)?.remove();
  }

  function mutatingCalls(): string[] {
    return f.aws.control.requests().filter((r) => ['CreateAccessKey', 'DeleteAccessKey', 'UpdateAccessKey'].includes(r.action) && r.status === 200).map((r) => `${r.action}:${r.params.AccessKeyId ?? ''}`);
  }

  it('parses user ARNs (with paths, partitions) and rejects others', () => {
    assert.equal(userNameFromArn('arn:aws:iam::123456789012:user/app'), 'app');
    assert.equal(userNameFromArn('arn:aws:iam::123456789012:user/division/team/app'), 'app');
    assert.equal(userNameFromArn('arn:aws-us-gov:iam:::user/x'), 'x');
    assert.throws(() => userNameFromArn('arn:aws:iam::123456789012:role/r'), /not an IAM user ARN/);
  });

  it('first rotation creates a verified key; the secret is flagged secret', async () => {
    const session = newSession(runDir, 'env', f.settings, dataKey);
    const out = await new AwsIamRotator(session).rotate({ login: loginValue(f.admin), userArn: { value: f.userArn, trace: {} } }, undefined, {});
    const s = unwrap(out) as StateJson;
    assert.ok(s.current?.accessKeyId.startsWith('AKIA'));
    assert.equal(s.previous, undefined);
    const fields = out.value as { [k: string]: Value };
    const current = fields.current!.value as { [k: string]: Value };
    assert.equal(current.secretAccessKey!.secret, true);
    assert.deepEqual(f.keysOf(), [s.current!.accessKeyId]);
    assert.deepEqual(session.principals, [f.adminArn]);
    assert.ok(!session.logs.join('\n').includes(s.current!.secretAccessKey), 'no secret in logs');
    // The journal has the secret sealed, not in plaintext.
    const journalText = JSON.stringify(session.journal.entries);
    assert.ok(!journalText.includes(s.current!.secretAccessKey));
  });

  it('two-secret strategy: previous = old current, the old previous is deleted, never more than 2 keys', async () => {
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    let s = await rotate({ current: k1 });
    endJournal();
    assert.equal(s.previous?.accessKeyId, k1.accessKeyId);
    const k2 = s.current!.accessKeyId;
    assert.deepEqual(new Set(f.keysOf()), new Set([k1.accessKeyId, k2]));
    s = await rotate(s);
    endJournal();
    assert.equal(s.previous?.accessKeyId, k2);
    assert.notEqual(s.current?.accessKeyId, k2);
    assert.deepEqual(new Set(f.keysOf()), new Set([k2, s.current!.accessKeyId]));
    assert.ok(f.aws.control.snapshot().deletedAccessKeyIds.includes(k1.accessKeyId));
  });

  it('drift: state.current missing in AWS stops before any change, with a clear message', async () => {
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    f.aws.control.deleteAccessKey(k1.accessKeyId);
    await assert.rejects(rotate({ current: k1 }), (e: unknown) => e instanceof CoreError && e.code === 'Drift' && /state\.current.*no longer exists/.test(e.message) && e.location.operation === 'iam:ListAccessKeys');
    assert.deepEqual(mutatingCalls(), []);
  });

  it('drift: a key the environment does not manage is never touched', async () => {
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    const foreign = f.aws.control.createAccessKey({ userName: 'app', status: 'Inactive' });
    await assert.rejects(rotate({ current: k1 }), (e: unknown) => e instanceof CoreError && e.code === 'Drift' && e.message.includes(foreign.accessKeyId) && /never touches/.test(e.message));
    assert.deepEqual(mutatingCalls(), []);
    assert.deepEqual(new Set(f.keysOf()), new Set([k1.accessKeyId, foreign.accessKeyId]));
  });

  it('throttling and dropped connections on reads are retried with backoff', async () => {
    f.aws.control.injectFault({ kind: 'throttle', action: 'ListAccessKeys', count: 2 });
    f.aws.control.injectFault({ kind: 'drop', action: 'GetCallerIdentity', count: 1 });
    const s = await rotate(undefined);
    assert.deepEqual(f.keysOf(), [s.current!.accessKeyId]);
    const lists = f.aws.control.requests().filter((r) => r.action === 'ListAccessKeys');
    assert.equal(lists.filter((r) => r.errorCode === 'Throttling').length, 2);
  });

  for (const kind of ['serviceUnavailable', 'throttle'] as const) {
    it(`${kind} on CreateAccessKey (nothing created): not retried blindly by the SDK; reconciled, then created once`, async () => {
      f.aws.control.injectFault({ kind, action: 'CreateAccessKey', count: 1 });
      const s = await rotate(undefined);
      assert.deepEqual(f.keysOf(), [s.current!.accessKeyId]);
      const creates = f.aws.control.requests().filter((r) => r.action === 'CreateAccessKey');
      assert.equal(creates.length, 2);
      const between = f.aws.control.requests().filter((r) => r.seq > creates[0]!.seq && r.seq < creates[1]!.seq).map((r) => r.action);
      assert.ok(between.includes('ListAccessKeys'), 'reconciled with ListAccessKeys before creating again');
    });
  }

  for (const kind of ['internalFailure', 'drop'] as const) {
    it(`${kind} after CreateAccessKey (key made, response lost): the orphan is deleted, one usable key results`, async () => {
      const k1 = f.aws.control.createAccessKey({ userName: 'app' });
      f.aws.control.injectFault({ kind, action: 'CreateAccessKey', count: 1, phase: 'after' });
      const s = await rotate({ current: k1 });
      assert.deepEqual(new Set(f.keysOf()), new Set([k1.accessKeyId, s.current!.accessKeyId]));
      const creates = f.aws.control.requests().filter((r) => r.action === 'CreateAccessKey');
      assert.equal(creates.length, 2, 'exactly one retry after reconciling');
      const deletes = f.aws.control.requests().filter((r) => r.action === 'DeleteAccessKey' && r.status === 200);
      assert.equal(deletes.length, 1, 'the orphan was deleted');
      assert.notEqual(deletes[0]!.params.AccessKeyId, k1.accessKeyId, 'the live key was not deleted');
    });
  }

  it('throttled and dropped DeleteAccessKey (deleted, response lost): retried, already-gone counts as done', async () => {
    const k0 = f.aws.control.createAccessKey({ userName: 'app' });
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    f.aws.control.injectFault({ kind: 'throttle', action: 'DeleteAccessKey', count: 1 });
    f.aws.control.injectFault({ kind: 'drop', action: 'DeleteAccessKey', count: 1, phase: 'after' });
    const s = await rotate({ current: k1, previous: k0 });
    assert.equal(s.previous?.accessKeyId, k1.accessKeyId);
    assert.deepEqual(new Set(f.keysOf()), new Set([k1.accessKeyId, s.current!.accessKeyId]));
  });

  it('5xx on the preflight GetCallerIdentity and ListAccessKeys is retried', async () => {
    f.aws.control.injectFault({ kind: 'serviceUnavailable', action: 'GetCallerIdentity', count: 2 });
    f.aws.control.injectFault({ kind: 'internalFailure', action: 'ListAccessKeys', count: 2 });
    const s = await rotate(undefined);
    assert.deepEqual(f.keysOf(), [s.current!.accessKeyId]);
  });

  it('AWS down for longer than the retries: a clear "try again later", nothing changed', async () => {
    f.aws.control.injectFault({ kind: 'serviceUnavailable', action: 'ListAccessKeys', count: 50 });
    await assert.rejects(rotate(undefined, { settings: { maxAttempts: 2 } }), (e: unknown) => e instanceof CoreError && e.code === 'AwsUnavailable' && /try again later/.test(e.message) && e.location.operation === 'iam:ListAccessKeys');
    assert.deepEqual(mutatingCalls(), []);
  });

  it('delayed propagation: the new key is verified with backoff before it is promoted', async () => {
    f.aws.control.setKeyPropagation({ rejectUses: 3, delayMs: 0 });
    const s = await rotate(undefined);
    const rejected = f.aws.control.requests().filter((r) => r.action === 'GetCallerIdentity' && r.accessKeyId === s.current!.accessKeyId && r.errorCode === 'InvalidClientTokenId');
    assert.equal(rejected.length, 3);
  });

  it('verification that never succeeds: not promoted, kept in the journal; the next run resumes with the same key', async () => {
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    f.aws.control.setKeyPropagation({ rejectUses: 5, delayMs: 0 });
    await assert.rejects(rotate({ current: k1 }, { settings: { verifyAttempts: 3 } }), (e: unknown) => e instanceof CoreError && e.code === 'VerificationFailed' && /run the rotation again/.test(e.message));
    const pending = f.keysOf().filter((k) => k !== k1.accessKeyId);
    assert.equal(pending.length, 1);
    const snapshotBefore = f.keysOf();
    // The next run resumes from the journal: it verifies the same key (2 more rejections) and promotes it.
    const resumed = await rotate({ current: k1 }, { settings: { verifyAttempts: 5 } });
    assert.equal(resumed?.current?.accessKeyId, pending[0]);
    assert.equal(resumed?.previous?.accessKeyId, k1.accessKeyId);
    assert.deepEqual(f.keysOf(), snapshotBefore, 'no further key was created');
  });

  it('AccessDenied on CreateAccessKey: located, names the missing permission', async () => {
    f.aws.control.setPermissions(f.adminArn, ['iam:ListAccessKeys', 'iam:DeleteAccessKey', 'iam:GetUser']);
    await assert.rejects(rotate(undefined), (e: unknown) => e instanceof CoreError && e.code === 'AwsAccessDenied' && e.location.operation === 'iam:CreateAccessKey' && /allow `iam:CreateAccessKey`/.test(e.message));
    assert.deepEqual(f.keysOf(), []);
  });

  it('NoSuchEntity for an unknown user: located, actionable', async () => {
    const arn = f.userArn.replace(/user\/app$/, 'user/nobody');
    await assert.rejects(rotate(undefined, { userArn: arn }), (e: unknown) => e instanceof CoreError && e.code === 'AwsNoSuchEntity' && e.location.operation === 'iam:ListAccessKeys' && /userArn/.test(e.message));
  });

  it('LimitExceeded (a key appeared between list and create): not retried, actionable, nothing deleted', async () => {
    const k1 = f.aws.control.createAccessKey({ userName: 'app' });
    f.aws.control.injectFault({ kind: 'delay', action: 'CreateAccessKey', delayMs: 300 });
    const pending = rotate({ current: k1 });
    await new Promise((r) => setTimeout(r, 150));
    const intruder = f.aws.control.createAccessKey({ userName: 'app' });
    await assert.rejects(pending, (e: unknown) => e instanceof CoreError && e.code === 'AwsLimitExceeded' && /at most 2 access keys/.test(e.message));
    assert.deepEqual(new Set(f.keysOf()), new Set([k1.accessKeyId, intruder.accessKeyId]));
    assert.equal(f.aws.control.requests().filter((r) => r.action === 'CreateAccessKey').length, 1, 'CreateAccessKey was not retried');
  });

  it('invalid managing credentials: clear message naming where to fix them', async () => {
    const session = newSession(runDir, 'env', f.settings, dataKey);
    await assert.rejects(
      new AwsIamRotator(session).rotate({ login: loginValue({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) }), userArn: { value: f.userArn, trace: {} } }, undefined, {}),
      (e: unknown) => e instanceof CoreError && e.code === 'AwsInvalidCredentials' && e.location.operation === 'sts:GetCallerIdentity',
    );
  });

  it('parses ESC state shapes (createDate or createdAt) and rejects malformed state', () => {
    const s = parseIamState({ value: { current: { value: { accessKeyId: { value: 'AKIA1', trace: {} }, secretAccessKey: { value: 's', trace: {} }, createDate: { value: '2024-01-01T00:00:00Z', trace: {} } }, trace: {} } }, trace: {} });
    assert.equal(s.current?.createdAt, '2024-01-01T00:00:00Z');
    assert.throws(() => parseIamState({ value: 'x', trace: {} }), /state must be an object/);
  });
});
