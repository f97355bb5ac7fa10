/**
 * The local AWS endpoint driven through the real @aws-sdk/client-iam and client-sts: every
 * operation, the XML/error shapes the SDK deserializes, SigV4 verification, the key quota,
 * permissions and AssumeRole's temporary credentials.
 */
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsEndpoint, type CreatedAccessKey, type EndpointCredentials, startAwsEndpoint } from '../aws/index';
import { expectAwsError } from '../aws/sdk-assert';

const ACCOUNT = '123456789012';

describe('local AWS endpoint: operations through the real SDK', () => {
  let aws: AwsEndpoint;
  let alice: CreatedAccessKey;
  const clients: Array<{ destroy(): void }> = [];

  function iamAs(credentials: EndpointCredentials, maxAttempts?: number): IAMClient {
    const client = new IAMClient({ ...aws.clientConfig(credentials), ...(maxAttempts ? { maxAttempts } : {}) });
    clients.push(client);
    return client;
  }
  function stsAs(credentials: EndpointCredentials, maxAttempts?: number): STSClient {
    const client = new STSClient({ ...aws.clientConfig(credentials), ...(maxAttempts ? { maxAttempts } : {}) });
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    aws = await startAwsEndpoint();
    aws.control.createUser('alice');
    aws.control.createUser('bob');
    alice = aws.control.createAccessKey({ userName: 'alice' });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await aws.close();
  });

  it('listens on 127.0.0.1 only, on a random port', () => {
    assert.match(aws.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(aws.port, 0);
  });

  describe('STS GetCallerIdentity', () => {
    it('returns the calling user ARN, user id and account', async () => {
      const out = await stsAs(alice).send(new GetCallerIdentityCommand({}));
      const user = aws.control.snapshot().users.find((u) => u.userName === 'alice');
      assert.equal(out.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
      assert.equal(out.Account, ACCOUNT);
      assert.equal(out.UserId, user?.userId);
      assert.match(out.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    });
  });

  describe('IAM ListAccessKeys', () => {
    it('lists the calling user keys when UserName is omitted', async () => {
      const second = aws.control.createAccessKey({ userName: 'alice', status: 'Inactive' });
      const out = await iamAs(alice).send(new ListAccessKeysCommand({}));
      assert.equal(out.IsTruncated, false);
      assert.deepEqual(
        out.AccessKeyMetadata?.map((k) => [k.UserName, k.AccessKeyId, k.Status]),
        [
          ['alice', alice.accessKeyId, 'Active'],
          ['alice', second.accessKeyId, 'Inactive'],
        ],
      );
      assert.ok(out.AccessKeyMetadata?.[0]?.CreateDate instanceof Date);
      assert.equal(out.AccessKeyMetadata?.[0]?.CreateDate?.toISOString().replace('.000', ''), alice.createDate);
    });

    it('lists another user keys by UserName, and an empty list for a user without keys', async () => {
      const out = await iamAs(alice).send(new ListAccessKeysCommand({ UserName: 'bob' }));
      assert.deepEqual(out.AccessKeyMetadata, []);
    });

    it('answers NoSuchEntity (404) for an unknown user', async () => {
      await expectAwsError(iamAs(alice).send(new ListAccessKeysCommand({ UserName: 'carol' })), {
        code: 'NoSuchEntity',
        name: 'NoSuchEntityException',
        status: 404,
        message: 'The user with name carol cannot be found.',
      });
    });
  });

  describe('IAM CreateAccessKey', () => {
    it('creates an AWS-shaped key that then authenticates', async () => {
      const out = await iamAs(alice).send(new CreateAccessKeyCommand({}));
      const key = out.AccessKey;
      assert.ok(key);
      assert.equal(key.UserName, 'alice');
      assert.match(key.AccessKeyId ?? '', /^AKIA[A-Z2-7]{16}$/);
      assert.equal(key.SecretAccessKey?.length, 40);
      assert.equal(key.Status, 'Active');
      assert.ok(key.CreateDate instanceof Date);
      const who = await stsAs({ accessKeyId: key.AccessKeyId ?? '', secretAccessKey: key.SecretAccessKey ?? '' }).send(
        new GetCallerIdentityCommand({}),
      );
      assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    });

    it('creates a key for another user named by UserName', async () => {
      const out = await iamAs(alice).send(new CreateAccessKeyCommand({ UserName: 'bob' }));
      assert.equal(out.AccessKey?.UserName, 'bob');
      assert.deepEqual(
        aws.control.snapshot().accessKeys.filter((k) => k.userName === 'bob').map((k) => k.accessKeyId),
        [out.AccessKey?.AccessKeyId],
      );
    });

    it('enforces 2 keys per user with LimitExceeded (409), which the SDK retries by default', async () => {
      aws.control.createAccessKey({ userName: 'alice', status: 'Inactive' });
      const once = await expectAwsError(iamAs(alice, 1).send(new CreateAccessKeyCommand({})), {
        code: 'LimitExceeded',
        name: 'LimitExceededException',
        status: 409,
        message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      });
      assert.equal(once.Type, 'Sender');
      assert.equal(once.$metadata?.attempts, 1);
      // The SDK classifies LimitExceeded as throttling: a rotation must turn retries off for the create.
      const retried = await expectAwsError(iamAs(alice).send(new CreateAccessKeyCommand({})), { code: 'LimitExceeded' });
      assert.equal(retried.$metadata?.attempts, 3);
      assert.equal(aws.control.snapshot().accessKeys.filter((k) => k.userName === 'alice').length, 2);
    });

    it('answers NoSuchEntity for an unknown user', async () => {
      await expectAwsError(iamAs(alice).send(new CreateAccessKeyCommand({ UserName: 'nobody' })), {
        code: 'NoSuchEntity',
        status: 404,
      });
    });
  });

  describe('IAM DeleteAccessKey', () => {
    it('deletes a key; the deleted key no longer authenticates', async () => {
      const doomed = aws.control.createAccessKey({ userName: 'alice' });
      const out = await iamAs(alice).send(new DeleteAccessKeyCommand({ AccessKeyId: doomed.accessKeyId }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      const snap = aws.control.snapshot();
      assert.deepEqual(snap.accessKeys.map((k) => k.accessKeyId), [alice.accessKeyId]);
      assert.deepEqual(snap.deletedAccessKeyIds, [doomed.accessKeyId]);
      await expectAwsError(stsAs(doomed).send(new GetCallerIdentityCommand({})), {
        code: 'InvalidClientTokenId',
        status: 403,
        message: 'The security token included in the request is invalid.',
      });
    });

    it('answers NoSuchEntity for an unknown key and for a key of another user', async () => {
      const bobs = aws.control.createAccessKey({ userName: 'bob' });
      await expectAwsError(iamAs(alice).send(new DeleteAccessKeyCommand({ AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' })), {
        code: 'NoSuchEntity',
        status: 404,
        message: 'The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.',
      });
      await expectAwsError(iamAs(alice).send(new DeleteAccessKeyCommand({ AccessKeyId: bobs.accessKeyId })), {
        code: 'NoSuchEntity',
      });
      await iamAs(alice).send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: bobs.accessKeyId }));
      assert.equal(aws.control.snapshot().accessKeys.some((k) => k.accessKeyId === bobs.accessKeyId), false);
    });
  });

  describe('IAM UpdateAccessKey', () => {
    it('deactivates and reactivates a key; an inactive key does not authenticate', async () => {
      const other = aws.control.createAccessKey({ userName: 'alice' });
      await iamAs(alice).send(new UpdateAccessKeyCommand({ AccessKeyId: other.accessKeyId, Status: 'Inactive' }));
      assert.equal(aws.control.snapshot().accessKeys.find((k) => k.accessKeyId === other.accessKeyId)?.status, 'Inactive');
      await expectAwsError(stsAs(other).send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId', status: 403 });
      await iamAs(alice).send(new UpdateAccessKeyCommand({ AccessKeyId: other.accessKeyId, Status: 'Active' }));
      const who = await stsAs(other).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    });

    it('rejects an invalid status with ValidationError (400) and an unknown key with NoSuchEntity', async () => {
      await expectAwsError(
        iamAs(alice).send(new UpdateAccessKeyCommand({ AccessKeyId: alice.accessKeyId, Status: 'Paused' as 'Active' })),
        { code: 'ValidationError', status: 400, message: /Member must satisfy enum value set/ },
      );
      await expectAwsError(
        iamAs(alice).send(new UpdateAccessKeyCommand({ AccessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', Status: 'Inactive' })),
        { code: 'NoSuchEntity', status: 404 },
      );
    });
  });

  describe('IAM GetUser', () => {
    it('returns the calling user, or the named one', async () => {
      const me = await iamAs(alice).send(new GetUserCommand({}));
      assert.equal(me.User?.UserName, 'alice');
      assert.equal(me.User?.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
      assert.equal(me.User?.Path, '/');
      assert.ok(me.User?.CreateDate instanceof Date);
      const bob = await iamAs(alice).send(new GetUserCommand({ UserName: 'bob' }));
      assert.equal(bob.User?.UserName, 'bob');
      assert.match(bob.User?.UserId ?? '', /^AIDA/);
    });

    it('answers NoSuchEntity for an unknown user', async () => {
      await expectAwsError(iamAs(alice).send(new GetUserCommand({ UserName: 'ghost' })), {
        code: 'NoSuchEntity',
        message: 'The user with name ghost cannot be found.',
      });
    });
  });

  describe('IAM GetAccessKeyLastUsed', () => {
    it('reports N/A for a never-used key and service/region/date once used', async () => {
      const fresh = aws.control.createAccessKey({ userName: 'bob' });
      const before = await iamAs(alice).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: fresh.accessKeyId }));
      assert.equal(before.UserName, 'bob');
      assert.deepEqual(before.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });
      await stsAs(fresh, undefined).send(new GetCallerIdentityCommand({}));
      const after = await iamAs(alice).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: fresh.accessKeyId }));
      assert.equal(after.AccessKeyLastUsed?.ServiceName, 'sts');
      assert.equal(after.AccessKeyLastUsed?.Region, 'us-east-1');
      assert.ok(after.AccessKeyLastUsed?.LastUsedDate instanceof Date);
      assert.ok(Math.abs((after.AccessKeyLastUsed?.LastUsedDate?.getTime() ?? 0) - Date.now()) < 5000);
    });
  });

  describe('permissions (per-principal allow-list)', () => {
    it('denies actions outside the allow-list with AccessDenied (403); GetCallerIdentity stays allowed', async () => {
      aws.control.setPermissions(`arn:aws:iam::${ACCOUNT}:user/alice`, ['iam:ListAccessKeys']);
      await iamAs(alice).send(new ListAccessKeysCommand({}));
      const err = await expectAwsError(iamAs(alice).send(new CreateAccessKeyCommand({})), {
        code: 'AccessDenied',
        status: 403,
      });
      assert.match(err.message, /^User: arn:aws:iam::123456789012:user\/alice is not authorized to perform: iam:CreateAccessKey on resource: user alice because no identity-based policy allows the iam:CreateAccessKey action$/);
      await stsAs(alice).send(new GetCallerIdentityCommand({}));
      aws.control.setPermissions(`arn:aws:iam::${ACCOUNT}:user/alice`, ['iam:*']);
      await iamAs(alice).send(new CreateAccessKeyCommand({}));
      aws.control.setPermissions(`arn:aws:iam::${ACCOUNT}:user/alice`, null);
      await iamAs(alice).send(new GetUserCommand({}));
    });
  });

  describe('STS AssumeRole and temporary credentials', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/rotator`;
    beforeEach(() => {
      aws.control.createRole({ roleName: 'rotator', trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:user/alice`], maxSessionDurationSeconds: 7200 });
    });

    async function assume(durationSeconds?: number): Promise<EndpointCredentials & { expiration: Date }> {
      const out = await stsAs(alice).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'esc-rotation', DurationSeconds: durationSeconds }),
      );
      const c = out.Credentials;
      assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && c.Expiration);
      assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/rotator/esc-rotation`);
      assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]+:esc-rotation$/);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    }

    it('issues ASIA credentials whose expiration honours DurationSeconds', async () => {
      const oneHour = await assume();
      assert.match(oneHour.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assert.equal(oneHour.secretAccessKey.length, 40);
      assert.ok(Math.abs(oneHour.expiration.getTime() - (Date.now() + 3600_000)) < 5000);
      const twoHours = await assume(7200);
      assert.ok(Math.abs(twoHours.expiration.getTime() - (Date.now() + 7200_000)) < 5000);
    });

    it('temporary credentials act as the assumed-role principal', async () => {
      const temp = await assume(900);
      const who = await stsAs(temp).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/rotator/esc-rotation`);
      assert.match(who.UserId ?? '', /^AROA[A-Z2-7]+:esc-rotation$/);
      const keys = await iamAs(temp).send(new ListAccessKeysCommand({ UserName: 'alice' }));
      assert.equal(keys.AccessKeyMetadata?.length, 1);
      await expectAwsError(iamAs(temp).send(new ListAccessKeysCommand({})), {
        code: 'ValidationError',
        status: 400,
        message: 'Must specify userName when calling with non-User credentials',
      });
    });

    it('an assumed role is governed by the allow-list of its role ARN', async () => {
      const temp = await assume(900);
      aws.control.setPermissions(roleArn, ['iam:ListAccessKeys']);
      await iamAs(temp).send(new ListAccessKeysCommand({ UserName: 'bob' }));
      await expectAwsError(iamAs(temp).send(new CreateAccessKeyCommand({ UserName: 'bob' })), {
        code: 'AccessDenied',
        message: /assumed-role\/rotator\/esc-rotation is not authorized to perform: iam:CreateAccessKey/,
      });
    });

    it('refuses untrusted callers, unknown roles and out-of-range durations', async () => {
      const bobKey = aws.control.createAccessKey({ userName: 'bob' });
      await expectAwsError(stsAs(bobKey).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' })), {
        code: 'AccessDenied',
        status: 403,
        message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${roleArn} because no identity-based policy allows the sts:AssumeRole action`,
      });
      await expectAwsError(
        stsAs(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/none`, RoleSessionName: 's1' })),
        { code: 'AccessDenied', status: 403 },
      );
      await expectAwsError(
        stsAs(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', DurationSeconds: 7201 })),
        { code: 'ValidationError', status: 400, message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' },
      );
      await expectAwsError(
        stsAs(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1', DurationSeconds: 899 })),
        { code: 'ValidationError', message: /greater than or equal to 900/ },
      );
    });

    it('trusting the account root lets any principal of the account assume the role', async () => {
      aws.control.createRole({ roleName: 'open', trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:root`] });
      const bobKey = aws.control.createAccessKey({ userName: 'bob' });
      const out = await stsAs(bobKey).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/open`, RoleSessionName: 'bob-session' }),
      );
      assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/open/bob-session`);
    });

    it('rejects temporary credentials without or with a wrong session token, and once expired', async () => {
      const temp = await assume(900);
      await expectAwsError(
        stsAs({ accessKeyId: temp.accessKeyId, secretAccessKey: temp.secretAccessKey }).send(new GetCallerIdentityCommand({})),
        { code: 'InvalidClientTokenId', status: 403 },
      );
      await expectAwsError(stsAs({ ...temp, sessionToken: `${temp.sessionToken ?? ''}x` }).send(new GetCallerIdentityCommand({})), {
        code: 'InvalidClientTokenId',
      });
      aws.control.advanceClock(901_000);
      await expectAwsError(stsAs(temp).send(new GetCallerIdentityCommand({})), {
        code: 'ExpiredToken',
        status: 403,
        message: 'The security token included in the request is expired',
      });
    });

    it('a long-term key sent with a session token is refused', async () => {
      await expectAwsError(stsAs({ ...alice, sessionToken: 'bogus' }).send(new GetCallerIdentityCommand({})), {
        code: 'InvalidClientTokenId',
      });
    });
  });

  describe('SigV4 verification', () => {
    it('wrong secret → SignatureDoesNotMatch (403), not retried', async () => {
      const err = await expectAwsError(
        iamAs({ accessKeyId: alice.accessKeyId, secretAccessKey: 'A'.repeat(40) }).send(new ListAccessKeysCommand({})),
        { code: 'SignatureDoesNotMatch', status: 403, message: /^The request signature we calculated does not match/ },
      );
      assert.equal(err.$metadata?.attempts, 1);
    });

    it('unknown key → InvalidClientTokenId (403) for IAM and STS alike', async () => {
      const ghost = { accessKeyId: 'AKIAGHOSTGHOSTGHOST2', secretAccessKey: 'B'.repeat(40) };
      await expectAwsError(iamAs(ghost).send(new GetUserCommand({})), { code: 'InvalidClientTokenId', status: 403 });
      await expectAwsError(stsAs(ghost).send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId', status: 403 });
    });

    it('deleted key → InvalidClientTokenId', async () => {
      const k = aws.control.createAccessKey({ userName: 'bob' });
      aws.control.deleteAccessKey(k.accessKeyId);
      await expectAwsError(iamAs(k).send(new GetUserCommand({})), { code: 'InvalidClientTokenId', status: 403 });
    });

    it('inactive key → InvalidClientTokenId', async () => {
      const k = aws.control.createAccessKey({ userName: 'bob', status: 'Inactive' });
      await expectAwsError(iamAs(k).send(new GetUserCommand({})), { code: 'InvalidClientTokenId', status: 403 });
    });

    it('a body altered after signing → SignatureDoesNotMatch', async () => {
      const client = iamAs(alice, 1);
      // Runs after the SDK signed the request, like a tampering proxy would.
      client.middlewareStack.add(
        (next) => async (args) => {
          const req = args.request as { body?: unknown };
          if (typeof req.body === 'string') req.body = req.body.replace('UserName=alice', 'UserName=bobby');
          return next(args);
        },
        { step: 'deserialize', name: 'tamperAfterSigning' },
      );
      await expectAwsError(client.send(new ListAccessKeysCommand({ UserName: 'alice' })), {
        code: 'SignatureDoesNotMatch',
        status: 403,
      });
    });

    it('a request signed 20 minutes off is refused; the SDK then adopts the clock of the Date header', async () => {
      const skewed = new IAMClient({ ...aws.clientConfig(alice), systemClockOffset: -20 * 60 * 1000, maxAttempts: 1 });
      clients.push(skewed);
      await expectAwsError(skewed.send(new GetUserCommand({})), {
        code: 'SignatureDoesNotMatch',
        status: 403,
        message: /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      });
      const out = await skewed.send(new GetUserCommand({}));
      assert.equal(out.User?.UserName, 'alice');
    });
  });

  describe('wire format', () => {
    function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request(
          new URL('/', aws.url),
          { method: 'POST', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it('an unsigned IAM request gets the IAM ErrorResponse document with x-amzn-RequestId', async () => {
      const res = await post('Action=ListAccessKeys&Version=2010-05-08');
      assert.equal(res.status, 403);
      assert.equal(res.headers['content-type'], 'text/xml');
      const requestId = String(res.headers['x-amzn-requestid']);
      assert.match(requestId, /^[0-9a-f-]{36}$/);
      assert.equal(
        res.body.trim(),
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
          '<Code>MissingAuthenticationToken</Code><Message>Missing Authentication Token</Message></Error>' +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    });

    it('an unsigned STS request gets the STS namespace', async () => {
      const res = await post('Action=GetCallerIdentity&Version=2011-06-15');
      assert.equal(res.status, 403);
      assert.match(res.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
    });

    it('a malformed Authorization header is IncompleteSignature (400)', async () => {
      const res = await post('Action=GetUser&Version=2010-05-08', {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE12/20260101/us-east-1/iam/aws4_request',
        'x-amz-date': '20260101T000000Z',
      });
      assert.equal(res.status, 400);
      assert.match(res.body, /<Code>IncompleteSignature<\/Code>/);
    });

    it('a successful response is the Query-protocol document, RequestId matching x-amzn-RequestId', async () => {
      const client = iamAs(alice);
      let raw = '';
      let headerRequestId = '';
      // Innermost deserialize middleware: sees the HTTP response before the SDK parses it.
      client.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const response = result.response as { headers: Record<string, string>; body: AsyncIterable<Buffer> & NodeJS.ReadableStream };
          const chunks: Buffer[] = [];
          for await (const chunk of response.body) chunks.push(chunk);
          raw = Buffer.concat(chunks).toString('utf8');
          headerRequestId = response.headers['x-amzn-requestid'] ?? '';
          response.body = Readable.from([Buffer.from(raw)]);
          return result;
        },
        { step: 'deserialize', priority: 'low', name: 'captureRawResponse' },
      );
      const out = await client.send(new ListAccessKeysCommand({}));
      assert.equal(out.$metadata.requestId, headerRequestId);
      assert.equal(
        raw.trim(),
        '<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccessKeysResult>' +
          `<AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>${alice.accessKeyId}</AccessKeyId>` +
          `<Status>Active</Status><CreateDate>${alice.createDate}</CreateDate></member></AccessKeyMetadata>` +
          '<IsTruncated>false</IsTruncated></ListAccessKeysResult>' +
          `<ResponseMetadata><RequestId>${headerRequestId}</RequestId></ResponseMetadata></ListAccessKeysResponse>`,
      );
      assert.match(alice.createDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('an action the service does not have is InvalidAction (400), even when correctly signed', async () => {
      const client = iamAs(alice, 1);
      // Rewrites the action (same length: Content-Length is already set) before signing, so the signature is valid.
      client.middlewareStack.add(
        (next) => async (args) => {
          const req = args.request as { body?: unknown };
          if (typeof req.body === 'string') req.body = req.body.replace('Action=GetUser', 'Action=GetBeer');
          return next(args);
        },
        { step: 'build', name: 'renameAction' },
      );
      await expectAwsError(client.send(new GetUserCommand({})), {
        code: 'InvalidAction',
        status: 400,
        message: 'Could not find operation GetBeer for version 2010-05-08',
      });
    });

    it('escapes XML special characters in messages', async () => {
      const err = await expectAwsError(iamAs(alice).send(new GetUserCommand({ UserName: 'a&b<c>' })), { code: 'NoSuchEntity' });
      assert.equal(err.message, 'The user with name a&b<c> cannot be found.');
    });
  });
});
