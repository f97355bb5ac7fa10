/**
 * Fault injection on the local AWS endpoint, observed through the real SDK: throttling and 5xx
 * (recovered by the SDK's default retries, surfaced with maxAttempts: 1), dropped connections,
 * faults after the action took effect, delays, delayed key propagation, and the request log.
 */
import { strict as assert } from 'node:assert';
import { CreateAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsEndpoint, type CreatedAccessKey, type EndpointCredentials, startAwsEndpoint } from '../aws/index';
import { expectAwsError, expectRejection } from '../aws/sdk-assert';

describe('local AWS endpoint: fault injection', () => {
  let aws: AwsEndpoint;
  let alice: CreatedAccessKey;
  const clients: Array<{ destroy(): void }> = [];

  function iam(options: { maxAttempts?: number; credentials?: EndpointCredentials } = {}): IAMClient {
    const client = new IAMClient({
      ...aws.clientConfig(options.credentials ?? alice),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    clients.push(client);
    return client;
  }
  function sts(credentials: EndpointCredentials, maxAttempts?: number): STSClient {
    const client = new STSClient({ ...aws.clientConfig(credentials), ...(maxAttempts !== undefined ? { maxAttempts } : {}) });
    clients.push(client);
    return client;
  }
  const actionsLogged = (): Array<[string, number, string | undefined]> =>
    aws.control.requests().map((e) => [e.action, e.status, e.errorCode]);

  beforeEach(async () => {
    aws = await startAwsEndpoint();
    aws.control.createUser('alice');
    alice = aws.control.createAccessKey({ userName: 'alice' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await aws.close();
  });

  describe('throttling', () => {
    it('the SDK default retry recovers from two Throttling responses', async () => {
      aws.control.injectFault({ kind: 'throttle', action: 'ListAccessKeys', count: 2 });
      const out = await iam().send(new ListAccessKeysCommand({}));
      assert.equal(out.AccessKeyMetadata?.length, 1);
      assert.equal(out.$metadata.attempts, 3);
      assert.deepEqual(actionsLogged(), [
        ['ListAccessKeys', 400, 'Throttling'],
        ['ListAccessKeys', 400, 'Throttling'],
        ['ListAccessKeys', 200, undefined],
      ]);
      assert.deepEqual(aws.control.activeFaults(), []);
    });

    it('maxAttempts: 1 surfaces Throttling (400, "Rate exceeded")', async () => {
      aws.control.injectFault({ kind: 'throttle', action: 'ListAccessKeys' });
      const err = await expectAwsError(iam({ maxAttempts: 1 }).send(new ListAccessKeysCommand({})), {
        code: 'Throttling',
        status: 400,
        message: 'Rate exceeded',
      });
      assert.equal(err.$metadata?.attempts, 1);
    });

    it('only the targeted action and service are affected', async () => {
      aws.control.injectFault({ kind: 'throttle', action: 'CreateAccessKey', count: 5 });
      aws.control.injectFault({ kind: 'throttle', service: 'iam', action: 'GetCallerIdentity', count: 5 });
      await iam({ maxAttempts: 1 }).send(new ListAccessKeysCommand({}));
      await sts(alice, 1).send(new GetCallerIdentityCommand({}));
      await expectAwsError(iam({ maxAttempts: 1 }).send(new CreateAccessKeyCommand({})), { code: 'Throttling' });
      assert.deepEqual(
        aws.control.activeFaults().map((f) => [f.action, f.remaining]),
        [
          ['CreateAccessKey', 4],
          ['GetCallerIdentity', 5],
        ],
      );
      aws.control.clearFaults();
      assert.deepEqual(aws.control.activeFaults(), []);
    });
  });

  describe('5xx', () => {
    it('ServiceUnavailable (503): recovered by default retry, surfaced with maxAttempts: 1', async () => {
      aws.control.injectFault({ kind: 'serviceUnavailable', action: 'GetCallerIdentity' });
      const ok = await sts(alice).send(new GetCallerIdentityCommand({}));
      assert.equal(ok.$metadata.attempts, 2);
      aws.control.injectFault({ kind: 'serviceUnavailable', action: 'GetCallerIdentity' });
      const err = await expectAwsError(sts(alice, 1).send(new GetCallerIdentityCommand({})), { code: 'ServiceUnavailable', status: 503 });
      assert.equal(err.Type, 'Receiver');
      assert.equal(err.$fault, 'server');
    });

    it('InternalFailure (500): recovered by default retry, surfaced with maxAttempts: 1', async () => {
      aws.control.injectFault({ kind: 'internalFailure', action: 'ListAccessKeys', count: 2 });
      const ok = await iam().send(new ListAccessKeysCommand({}));
      assert.equal(ok.$metadata.attempts, 3);
      aws.control.injectFault({ kind: 'internalFailure' });
      await expectAwsError(iam({ maxAttempts: 1 }).send(new ListAccessKeysCommand({})), { code: 'InternalFailure', status: 500 });
    });

    it("phase 'after': the key is created but the client sees a 500, and a blind retry hits the quota", async () => {
      aws.control.injectFault({ kind: 'internalFailure', action: 'CreateAccessKey', phase: 'after' });
      await expectAwsError(iam().send(new CreateAccessKeyCommand({})), { code: 'LimitExceeded', status: 409 });
      const keys = aws.control.snapshot().accessKeys;
      assert.equal(keys.length, 2, 'the first attempt created a key whose secret never reached the client');
      assert.deepEqual(actionsLogged().slice(0, 2), [
        ['CreateAccessKey', 500, 'InternalFailure'],
        ['CreateAccessKey', 409, 'LimitExceeded'],
      ]);
    });
  });

  describe('dropped connections', () => {
    it('a dropped connection is retried by the SDK by default', async () => {
      aws.control.injectFault({ kind: 'drop', action: 'ListAccessKeys' });
      const out = await iam().send(new ListAccessKeysCommand({}));
      assert.equal(out.$metadata.attempts, 2);
      assert.deepEqual(actionsLogged(), [
        ['ListAccessKeys', 0, undefined],
        ['ListAccessKeys', 200, undefined],
      ]);
      assert.equal(aws.control.requests()[0]?.fault, 'drop');
    });

    it('maxAttempts: 1 surfaces the network error (ECONNRESET / socket hang up)', async () => {
      aws.control.injectFault({ kind: 'drop' });
      const err = await expectRejection(iam({ maxAttempts: 1 }).send(new ListAccessKeysCommand({})));
      assert.ok(err.code === 'ECONNRESET' || /socket hang up/.test(err.message), `${err.name}: ${err.message}`);
    });

    it("phase 'after': CreateAccessKey takes effect but the response (and secret) is lost", async () => {
      aws.control.injectFault({ kind: 'drop', action: 'CreateAccessKey', phase: 'after' });
      await expectRejection(iam({ maxAttempts: 1 }).send(new CreateAccessKeyCommand({})));
      const keys = aws.control.snapshot().accessKeys;
      assert.equal(keys.length, 2);
      const listed = await iam().send(new ListAccessKeysCommand({}));
      assert.equal(listed.AccessKeyMetadata?.length, 2);
    });
  });

  describe('delays', () => {
    it('a delayed request is answered late', async () => {
      aws.control.injectFault({ kind: 'delay', action: 'ListAccessKeys', delayMs: 300 });
      const started = Date.now();
      await iam().send(new ListAccessKeysCommand({}));
      assert.ok(Date.now() - started >= 280, `took ${Date.now() - started} ms`);
    });

    it('a request the client timed out on is still carried out by AWS', async () => {
      aws.control.injectFault({ kind: 'delay', action: 'CreateAccessKey', delayMs: 400 });
      // The client gives up after 100 ms, as a tool with a request timeout (or a killed process) would.
      await expectRejection(iam({ maxAttempts: 1 }).send(new CreateAccessKeyCommand({}), { abortSignal: AbortSignal.timeout(100) }));
      assert.equal(aws.control.snapshot().accessKeys.length, 1, 'not yet: the endpoint is still holding the request');
      for (let i = 0; i < 60 && aws.control.snapshot().accessKeys.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(aws.control.snapshot().accessKeys.length, 2);
    });
  });

  describe('delayed key propagation', () => {
    async function createKey(): Promise<EndpointCredentials> {
      const out = await iam().send(new CreateAccessKeyCommand({}));
      return { accessKeyId: out.AccessKey?.AccessKeyId ?? '', secretAccessKey: out.AccessKey?.SecretAccessKey ?? '' };
    }

    it('a new key is refused with InvalidClientTokenId for its first N uses (not retried by the SDK)', async () => {
      aws.control.setKeyPropagation({ rejectUses: 2, delayMs: 0 });
      const fresh = await createKey();
      assert.equal(aws.control.snapshot().accessKeys.find((k) => k.accessKeyId === fresh.accessKeyId)?.propagating, true);
      for (let i = 0; i < 2; i++) {
        const err = await expectAwsError(sts(fresh).send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId', status: 403 });
        assert.equal(err.$metadata?.attempts, 1);
      }
      const who = await sts(fresh).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, 'arn:aws:iam::123456789012:user/alice');
      assert.equal(aws.control.snapshot().accessKeys.find((k) => k.accessKeyId === fresh.accessKeyId)?.propagating, false);
    });

    it('a new key is refused for T ms after creation', async () => {
      aws.control.setKeyPropagation({ rejectUses: 0, delayMs: 1000 });
      const fresh = await createKey();
      const createdAt = Date.now();
      await expectAwsError(sts(fresh).send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId' });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, createdAt + 1100 - Date.now())));
      await sts(fresh).send(new GetCallerIdentityCommand({}));
    });

    it('advancing the endpoint clock ends the delay; existing and seeded keys are unaffected', async () => {
      aws.control.setKeyPropagation({ rejectUses: 0, delayMs: 60_000 });
      const fresh = await createKey();
      await sts(alice).send(new GetCallerIdentityCommand({}));
      await expectAwsError(sts(fresh).send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId' });
      aws.control.advanceClock(60_000);
      await sts(fresh).send(new GetCallerIdentityCommand({}));
    });
  });

  describe('request log', () => {
    it('records action, service, key id, principal, non-secret params and outcome, never a secret', async () => {
      const created = await iam().send(new CreateAccessKeyCommand({ UserName: 'alice' }));
      await expectAwsError(
        sts({ accessKeyId: alice.accessKeyId, secretAccessKey: 'C'.repeat(40) }, 1).send(new GetCallerIdentityCommand({})),
        { code: 'SignatureDoesNotMatch' },
      );
      const log = aws.control.requests();
      assert.deepEqual(
        log.map((e) => ({ seq: e.seq, service: e.service, action: e.action, key: e.accessKeyId, principal: e.principalArn, params: e.params, status: e.status, errorCode: e.errorCode })),
        [
          { seq: 1, service: 'iam', action: 'CreateAccessKey', key: alice.accessKeyId, principal: 'arn:aws:iam::123456789012:user/alice', params: { UserName: 'alice' }, status: 200, errorCode: undefined },
          { seq: 2, service: 'sts', action: 'GetCallerIdentity', key: alice.accessKeyId, principal: undefined, params: {}, status: 403, errorCode: 'SignatureDoesNotMatch' },
        ],
      );
      const text = JSON.stringify(log);
      assert.ok(!text.includes(alice.secretAccessKey));
      assert.ok(!text.includes(created.AccessKey?.SecretAccessKey ?? '<none>'));
      aws.control.clearRequests();
      assert.deepEqual(aws.control.requests(), []);
    });
  });
});
