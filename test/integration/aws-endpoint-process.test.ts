/**
 * The endpoint as a separate process: the CLI entry, the HTTP admin API, the SDK configured
 * only through AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS in a child process, the state file
 * surviving a SIGKILL of the endpoint, and the endpoint surviving a SIGKILLed client.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsAdminRequestError, type CreatedAccessKey, sdkEnvFor, startAwsEndpoint } from '../aws/index';
import { AWS_ENDPOINT_MAIN, type AwsEndpointProcess, startAwsEndpointProcess } from '../aws/process';
import { expectAwsError } from '../aws/sdk-assert';

/** A child Node process that uses the SDK with no endpoint in code — only the standard env vars. */
const SDK_CHILD = `
const { STSClient, GetCallerIdentityCommand } = require(process.env.STS_MODULE);
const { IAMClient, ListAccessKeysCommand } = require(process.env.IAM_MODULE);
(async () => {
  const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  const keys = await new IAMClient({}).send(new ListAccessKeysCommand({}));
  process.stdout.write(JSON.stringify({ arn: who.Arn, keys: keys.AccessKeyMetadata.map((k) => k.AccessKeyId) }));
})().catch((e) => { process.stderr.write(String(e && e.name) + ': ' + String(e && e.message)); process.exit(3); });
`;

function childEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  // A clean environment: no profile or credentials of whoever runs the tests leak in.
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    STS_MODULE: require.resolve('@aws-sdk/client-sts'),
    IAM_MODULE: require.resolve('@aws-sdk/client-iam'),
    ...extra,
  };
}

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { env, timeout: 20000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('local AWS endpoint: separate process, admin over HTTP, state file', () => {
  let dir: string;
  let endpoint: AwsEndpointProcess | undefined;
  const clients: Array<{ destroy(): void }> = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aws-endpoint-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await endpoint?.stop();
    endpoint = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function clientsFor(url: string, key: CreatedAccessKey): { iam: IAMClient; sts: STSClient } {
    const config = { endpoint: url, region: 'us-east-1', credentials: key };
    const iam = new IAMClient(config);
    const sts = new STSClient(config);
    clients.push(iam, sts);
    return { iam, sts };
  }

  it('prints its URL as one JSON line and serves the SDK configured only by AWS_ENDPOINT_URL_IAM/STS', async () => {
    endpoint = await startAwsEndpointProcess();
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(endpoint.accountId, '123456789012');
    await endpoint.admin.createUser('ci');
    const key = await endpoint.admin.createAccessKey({ userName: 'ci' });
    const result = await runNode(SDK_CHILD, childEnv(dir, sdkEnvFor(endpoint.url, key)));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { arn: 'arn:aws:iam::123456789012:user/ci', keys: [key.accessKeyId] });
    const log = await endpoint.admin.requests();
    assert.deepEqual(
      log.map((e) => [e.service, e.action, e.status]),
      [
        ['sts', 'GetCallerIdentity', 200],
        ['iam', 'ListAccessKeys', 200],
      ],
    );
  });

  it('with the endpoint variables pointing elsewhere, the same child does not reach the endpoint', async () => {
    endpoint = await startAwsEndpointProcess();
    await endpoint.admin.createUser('ci');
    const key = await endpoint.admin.createAccessKey({ userName: 'ci' });
    // Points at a closed port: proves the variables, not some default, route the SDK.
    const env = sdkEnvFor('http://127.0.0.1:9', key);
    const result = await runNode(SDK_CHILD, childEnv(dir, { ...env, AWS_MAX_ATTEMPTS: '1' }));
    assert.equal(result.code, 3);
    assert.deepEqual(await endpoint.admin.requests(), []);
  });

  it('admin over HTTP: seeding, faults, permissions, snapshot, errors as 400/404', async () => {
    endpoint = await startAwsEndpointProcess();
    const user = await endpoint.admin.createUser('ops');
    assert.equal(user.arn, 'arn:aws:iam::123456789012:user/ops');
    const key = await endpoint.admin.createAccessKey({
      userName: 'ops',
      accessKeyId: 'AKIAOPSOPSOPSOPSOPS2',
      secretAccessKey: 'opsSecretopsSecretopsSecretopsSecret1234',
    });
    assert.equal(key.secretAccessKey, 'opsSecretopsSecretopsSecretopsSecret1234');
    const { iam, sts } = clientsFor(endpoint.url, key);

    const fault = await endpoint.admin.injectFault({ kind: 'throttle', action: 'ListAccessKeys', count: 1 });
    assert.equal(fault.remaining, 1);
    assert.equal((await endpoint.admin.activeFaults()).length, 1);
    const listed = await iam.send(new ListAccessKeysCommand({}));
    assert.equal(listed.$metadata.attempts, 2);

    await endpoint.admin.setPermissions(user.arn, ['iam:ListAccessKeys']);
    await expectAwsError(iam.send(new CreateAccessKeyCommand({})), { code: 'AccessDenied', status: 403 });
    await endpoint.admin.setPermissions(user.arn, null);

    await endpoint.admin.setKeyPropagation({ rejectUses: 1, delayMs: 0 });
    const created = await iam.send(new CreateAccessKeyCommand({}));
    const fresh = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    const freshSts = new STSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: fresh });
    clients.push(freshSts);
    await expectAwsError(freshSts.send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId' });
    await freshSts.send(new GetCallerIdentityCommand({}));

    await endpoint.admin.setAccessKeyStatus(fresh.accessKeyId, 'Inactive');
    await expectAwsError(freshSts.send(new GetCallerIdentityCommand({})), { code: 'InvalidClientTokenId' });
    await endpoint.admin.deleteAccessKey(fresh.accessKeyId);
    const snap = await endpoint.admin.snapshot();
    assert.deepEqual(snap.accessKeys.map((k) => k.accessKeyId), [key.accessKeyId]);
    assert.deepEqual(snap.deletedAccessKeyIds, [fresh.accessKeyId]);
    assert.ok(!JSON.stringify(snap).includes(key.secretAccessKey), 'the snapshot never carries secrets');

    const role = await endpoint.admin.createRole({ roleName: 'deploy', trustedPrincipals: [user.arn] });
    assert.equal(role.arn, 'arn:aws:iam::123456789012:role/deploy');
    await endpoint.admin.advanceClock(1000);
    await sts.send(new GetCallerIdentityCommand({}));

    await assert.rejects(endpoint.admin.createUser('ops'), (e: unknown) => e instanceof AwsAdminRequestError && e.status === 400 && /already exists/.test(e.message));
    await assert.rejects(endpoint.admin.createAccessKey({ userName: 'nobody' }), (e: unknown) => e instanceof AwsAdminRequestError && e.status === 400 && /no user 'nobody'/.test(e.message));
    const res = await fetch(`${endpoint.url}/__admin/nope`);
    assert.equal(res.status, 404);
    const bad = await fetch(`${endpoint.url}/__admin/faults`, { method: 'POST', body: '{not json' });
    assert.equal(bad.status, 400);
    const noName = await fetch(`${endpoint.url}/__admin/users`, { method: 'POST', body: '{}' });
    assert.equal(noName.status, 400);
    assert.deepEqual(await noName.json(), { error: 'userName must be a non-empty string' });
    await assert.rejects(endpoint.admin.injectFault({ kind: 'meteor' as 'drop' }), /unknown fault kind 'meteor'/);
    await assert.rejects(endpoint.admin.injectFault({ kind: 'throttle', phase: 'after' }), /phase 'after' applies to 5xx and drop/);
    await assert.rejects(endpoint.admin.createRole({ roleName: 'r', trustedPrincipals: 'everyone' as unknown as string[] }), /trustedPrincipals must be an array of strings/);

    await endpoint.admin.clearFaults();
    await endpoint.admin.clearRequests();
    assert.deepEqual(await endpoint.admin.requests(), []);
    await endpoint.admin.reset();
    assert.deepEqual((await endpoint.admin.snapshot()).users, []);
  });

  it('keeps AWS state across a SIGKILL and restart with --state (file mode 0600, written atomically)', async () => {
    const stateFile = join(dir, 'aws-state.json');
    endpoint = await startAwsEndpointProcess({ stateFile, accountId: '210987654321' });
    await endpoint.admin.createUser('svc');
    const seeded = await endpoint.admin.createAccessKey({ userName: 'svc' });
    const created = await clientsFor(endpoint.url, seeded).iam.send(new CreateAccessKeyCommand({}));
    await endpoint.kill();
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);

    endpoint = await startAwsEndpointProcess({ stateFile });
    assert.equal(endpoint.accountId, '210987654321', 'the account comes from the state file');
    const snap = await endpoint.admin.snapshot();
    assert.deepEqual(snap.accessKeys.map((k) => k.accessKeyId), [seeded.accessKeyId, created.AccessKey?.AccessKeyId]);
    const newKey = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    const who = await clientsFor(endpoint.url, { ...newKey, userName: 'svc', status: 'Active', createDate: '' }).sts.send(
      new GetCallerIdentityCommand({}),
    );
    assert.equal(who.Arn, 'arn:aws:iam::210987654321:user/svc');
  });

  it('in-process: a state file carries keys from one endpoint instance to the next', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startAwsEndpoint({ stateFile });
    first.control.createUser('u');
    const key = first.control.createAccessKey({ userName: 'u' });
    await first.close();
    const second = await startAwsEndpoint({ stateFile });
    try {
      const sts = new STSClient(second.clientConfig(key));
      clients.push(sts);
      assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::123456789012:user/u');
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file with a clear message', async () => {
    const stateFile = join(dir, 'broken.json');
    writeFileSync(stateFile, '{"version": 7}');
    await assert.rejects(startAwsEndpointProcess({ stateFile }), /unsupported endpoint state version 7/);
    assert.equal(readFileSync(stateFile, 'utf8'), '{"version": 7}', 'the file is left as it was');
    writeFileSync(stateFile, '{"vers');
    await assert.rejects(startAwsEndpointProcess({ stateFile }), /broken\.json: not a valid endpoint state file/);
  });

  it('survives a client SIGKILLed in the middle of a request', async () => {
    endpoint = await startAwsEndpointProcess();
    await endpoint.admin.createUser('ci');
    const key = await endpoint.admin.createAccessKey({ userName: 'ci' });
    await endpoint.admin.injectFault({ kind: 'delay', action: 'GetCallerIdentity', delayMs: 500 });
    const child = spawn(process.execPath, ['-e', SDK_CHILD], { env: childEnv(dir, sdkEnvFor(endpoint.url, key)), stdio: 'ignore' });
    // Wait until the request has reached the endpoint, then kill the client mid-request.
    for (let i = 0; i < 100 && (await endpoint.admin.activeFaults()).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 600));
    const result = await runNode(SDK_CHILD, childEnv(dir, sdkEnvFor(endpoint.url, key)));
    assert.equal(result.code, 0, result.stderr);
  });

  it('the CLI rejects bad arguments with usage (exit 2)', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [AWS_ENDPOINT_MAIN, '--port', 'abc'], (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr }),
      );
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port must be 0…65535, got 'abc'/);
    assert.match(result.stderr, /usage: node out\/test\/aws\/main\.js/);
  });
});
