/** aws-login provider run locally: static, OIDC → AssumeRole with keychain credentials, errors. */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsLoginProvider, parseDurationSeconds } from '../../client/src/core/providers/awsLogin';
import { Keychain } from '../../client/src/core/keychain';
import { CoreError } from '../../client/src/core/errors';
import { type AwsFixture, startAws, unwrap, v } from './core-support';
import type { Value } from '../../shared/src/value/value';

describe('core aws-login provider (local AWS endpoint, real Secret Service)', function () {
  this.timeout(30000);
  let f: AwsFixture;
  const keychain = new Keychain(`esc-local-test-login-${process.pid}-${randomBytes(3).toString('hex')}`);

  beforeEach(async () => {
    f = await startAws();
  });
  afterEach(async () => {
    await f.aws.close();
    for (const n of await keychain.listAwsCredentialNames()) await keychain.forgetAwsCredentials(n);
  });

  it('parses ESC durations and refuses what AWS would', () => {
    assert.equal(parseDurationSeconds('1h', 'd'), 3600);
    assert.equal(parseDurationSeconds('1h30m', 'd'), 5400);
    assert.equal(parseDurationSeconds('900s', 'd'), 900);
    assert.throws(() => parseDurationSeconds('10m', 'oidc.duration'), /between 15m and 12h/);
    assert.throws(() => parseDurationSeconds('an hour', 'oidc.duration'), /is not a duration/);
  });

  it('static: returns the given credentials, secret flagged', async () => {
    const out = await new AwsLoginProvider(keychain, f.settings).open({ static: v({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh' }) }, {});
    assert.deepEqual(unwrap(out), { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'shh' });
    assert.equal(((out.value as { [k: string]: Value }).secretAccessKey)!.secret, true);
    await assert.rejects(new AwsLoginProvider(keychain).open({}, {}), /exactly one of `static` or `oidc`/);
  });

  it('oidc: assumes the role with the credentials stored under its ARN (or "default"), for the duration asked', async () => {
    const role = f.aws.control.createRole({ roleName: 'deployer', trustedPrincipals: [f.adminArn] });
    const provider = new AwsLoginProvider(keychain, f.settings);
    const inputs = { oidc: v({ roleArn: role.arn, sessionName: 'esc-session', duration: '30m' }) };
    await keychain.setAwsCredentials('default', { accessKeyId: f.admin.accessKeyId, secretAccessKey: f.admin.secretAccessKey });
    const out = unwrap(await provider.open(inputs, {})) as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
    assert.match(out.accessKeyId, /^ASIA/);
    const who = await new STSClient(f.aws.clientConfig(out)).send(new GetCallerIdentityCommand({}));
    assert.match(who.Arn!, /:assumed-role\/deployer\/esc-session$/);
    const assume = f.aws.control.requests().find((r) => r.action === 'AssumeRole');
    assert.equal(assume?.params.DurationSeconds, '1800');
    assert.equal(assume?.accessKeyId, f.admin.accessKeyId);
  });

  it('oidc without keychain entry: names what to store and how', async () => {
    const roleArn = `arn:aws:iam::${f.aws.accountId}:role/none`;
    await assert.rejects(
      new AwsLoginProvider(keychain, f.settings).open({ oidc: v({ roleArn, sessionName: 's' }) }, {}),
      (e: unknown) => e instanceof CoreError && e.code === 'KeychainMissingEntry' && e.message.includes(`under the name "${roleArn}"`) && e.message.includes(`esc-local credentials set ${roleArn}`) && e.message.includes(keychain.service),
    );
  });

  it('oidc with a role that does not trust the caller: AccessDenied, located at sts:AssumeRole', async () => {
    const role = f.aws.control.createRole({ roleName: 'other', trustedPrincipals: [`arn:aws:iam::${f.aws.accountId}:user/someone-else`] });
    await keychain.setAwsCredentials(role.arn, { accessKeyId: f.admin.accessKeyId, secretAccessKey: f.admin.secretAccessKey });
    await assert.rejects(
      new AwsLoginProvider(keychain, f.settings).open({ oidc: v({ roleArn: role.arn, sessionName: 'esc-session' }) }, {}),
      (e: unknown) => e instanceof CoreError && e.code === 'AwsAccessDenied' && e.location.operation === 'sts:AssumeRole' && e.message.includes(role.arn),
    );
  });
});
