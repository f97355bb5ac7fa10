/**
 * CI mode against moto_server (request authentication on): `open`, `rotate` and
 * `rotate --due` with no D-Bus at all (no session bus variable, no keyring daemon), the data
 * key from ESC_LOCAL_DATA_KEY, and managing credentials from (a) environment variables, (b) a
 * shared config profile, (c) a web identity token file and (d) GitHub Actions' OIDC token
 * request, each exchanged for the role. Nothing secret may end up in a file or in the output.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateAccessKeyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { allFiles, copyExamples, EXAMPLES_ROLE_ARN as ROLE_ARN, runCli, transcript, type CliRun } from './cliHarness';
import { hostileEndpoint } from './hostileEndpoint';
import { startMotoServer, startUnsignedRequestSigner, type MotoServer, type WebIdentityCall } from './motoServer';

const policy = (statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const READER_ROLE_ARN = 'arn:aws:iam::123456789012:role/esc-reader';
const DB_PASSWORD = `db-pw-${randomBytes(8).toString('hex')}`;
const API_TOKEN = `api-${randomBytes(8).toString('hex')}`;

describe('CI mode: no keychain, data key from the environment, managing credentials from the AWS chain or OIDC (moto_server, auth on)', function () {
  this.timeout(180000);
  let moto: MotoServer;
  let signer: Awaited<ReturnType<typeof startUnsignedRequestSigner>>;
  let iam: IAMClient;
  let ws: string;
  let home: string;
  let runner: { accessKeyId: string; secretAccessKey: string };
  const dataKey = randomBytes(32).toString('base64');
  const appSecrets = new Set<string>();

  /** No session bus, no keyring, no ~/.aws: only what each test adds. */
  const ciEnv = (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    DBUS_SESSION_BUS_ADDRESS: undefined,
    XDG_RUNTIME_DIR: undefined,
    DISPLAY: undefined,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_ROLE_ARN: undefined,
    ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
    ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-ci-test-${process.pid}`,
    ...moto.sdkEnv(),
    // Secrets Manager and SSM too; no instance metadata on a test machine.
    AWS_ENDPOINT_URL: moto.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    ESC_LOCAL_DATA_KEY: dataKey,
    ...extra,
  });
  const cli = (args: string[], extra: Record<string, string | undefined> = {}): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env: ciEnv(extra), timeoutMs: 90000 });

  const appKeyIds = async (): Promise<string[]> => ((await iam.send(new ListAccessKeysCommand({ UserName: 'app-user' }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!).sort();

  /** The current key as the environment holds it; must be the newest key moto has for app-user. */
  async function currentKeyMatchesAws(): Promise<void> {
    const id = await cli(['open', 'app/aws-keys', 'aws.iam.current.accessKeyId', '-f', 'string']);
    assert.equal(id.code, 0, id.stderr);
    assert.ok((await appKeyIds()).includes(id.stdout.trim()), 'the state names a key that exists');
    const secret = await cli(['open', 'app/aws-keys', 'aws.iam.current.secretAccessKey', '-f', 'string', '--show-secrets']);
    assert.equal(secret.code, 0, secret.stderr);
    appSecrets.add(secret.stdout.trim());
  }

  before(async () => {
    moto = await startMotoServer();
    signer = await startUnsignedRequestSigner(moto);
    iam = new IAMClient({ endpoint: moto.url, region: 'us-east-1', credentials: moto.admin });
    await iam.send(new CreateUserCommand({ UserName: 'app-user' }));
    await iam.send(new CreateUserCommand({ UserName: 'ci-runner' }));
    // The runner may only assume the rotation role; the role may only manage app-user's keys.
    await iam.send(new PutUserPolicyCommand({ UserName: 'ci-runner', PolicyName: 'assume', PolicyDocument: policy([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [ROLE_ARN, READER_ROLE_ARN] }]) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-runner' }))).AccessKey!;
    runner = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'esc-rotator',
        AssumeRolePolicyDocument: policy([
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::123456789012:user/ci-runner` }, Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ]),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'esc-rotator',
        PolicyName: 'rotate-app-user',
        // moto checks IAM actions against resource "*" (it resolves no IAM resource ARNs), so a
        // policy scoped to app-user's ARN would deny; the action list is what is checked here.
        PolicyDocument: policy([{ Effect: 'Allow', Action: ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:GetUser'], Resource: '*' }]),
      }),
    );
    // A second role that may only read the app's secrets and parameters.
    await iam.send(new CreateRoleCommand({ RoleName: 'esc-reader', AssumeRolePolicyDocument: policy([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/ci-runner' }, Action: 'sts:AssumeRole' }]) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'esc-reader', PolicyName: 'read', PolicyDocument: policy([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter'], Resource: '*' }]) }));
    const sm = new SecretsManagerClient({ endpoint: moto.url, region: 'us-east-1', credentials: moto.admin });
    await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: DB_PASSWORD }));
    sm.destroy();
    const ssm = new SSMClient({ endpoint: moto.url, region: 'us-east-1', credentials: moto.admin });
    await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'https://v1.example', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'https://v2.example', Type: 'String', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/app/token', Value: API_TOKEN, Type: 'SecureString' }));
    ssm.destroy();
    ws = copyExamples();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-ci-home-'));
    fs.mkdirSync(path.join(ws, 'environments', 'ci'));
    fs.writeFileSync(path.join(ws, 'environments', 'ci', 'plain.yaml'), 'values:\n  region: us-east-1\n  environmentVariables:\n    AWS_REGION: ${region}\n');
    const importing = (get: string[]): string =>
      [
        'values:',
        '  aws:',
        '    login:',
        '      fn::open::aws-login:',
        '        oidc:',
        `          roleArn: ${READER_ROLE_ARN}`,
        '          sessionName: ci-read',
        '    secrets:',
        '      fn::open::aws-secrets:',
        '        region: us-east-1',
        '        login: ${aws.login}',
        '        get:',
        ...get,
        '    params:',
        '      fn::open::aws-parameter-store:',
        '        region: us-east-1',
        '        login: ${aws.login}',
        '        get:',
        '          url:',
        '            name: /app/url',
        '          firstUrl:',
        '            name: /app/url:1',
        '          token:',
        '            name: /app/token',
        '            decrypt: true',
        '  environmentVariables:',
        '    DB_PASSWORD: ${aws.secrets.db}',
        '    API_TOKEN: ${aws.params.token}',
        '',
      ].join('\n');
    fs.writeFileSync(path.join(ws, 'environments', 'ci', 'imports.yaml'), importing(['          db:', '            secretId: app/db']));
    fs.writeFileSync(path.join(ws, 'environments', 'ci', 'broken.yaml'), importing(['          db:', '            secretId: app/db', '          gone:', '            secretId: app/no-such-secret']));
    fs.writeFileSync(
      path.join(ws, 'environments', 'ci', 'cloud.yaml'),
      ['values:', '  doppler:', '    fn::open::doppler-secrets:', '      login:', '        accessToken: ${token}', '      project: app', '      config: prd', '      get:', '        a:', '          name: A', '  token: t', ''].join('\n'),
    );
  });

  after(async () => {
    iam?.destroy();
    await signer?.stop();
    await moto?.close();
  });

  it('without any managing credentials: a clear, fast failure naming every source tried; nothing hangs on the missing D-Bus', async () => {
    const r = await cli(['rotate', 'app/aws-keys']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout + r.stderr, /no managing AWS credentials in the OS keychain \(service "[^"]+": the keychain is not available\)/);
    assert.match(r.stdout + r.stderr, /no web identity token, and none from the AWS SDK's default credential chain/);
    assert.deepEqual(await appKeyIds(), []);
  });

  it('(a) environment variables: rotate assumes the role, the state is written encrypted with the key from ESC_LOCAL_DATA_KEY', async () => {
    const r = await cli(['rotate', 'app/aws-keys'], { AWS_ACCESS_KEY_ID: runner.accessKeyId, AWS_SECRET_ACCESS_KEY: runner.secretAccessKey });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /data key: from ESC_LOCAL_DATA_KEY \(the OS keychain is not available\)/);
    assert.match(r.stderr, /managing credentials for arn:aws:iam::123456789012:role\/esc-rotator: AWS SDK default chain: environment variables/);
    assert.equal((await appKeyIds()).length, 1);
    await currentKeyMatchesAws();
    const text = fs.readFileSync(path.join(ws, 'environments', 'app', 'aws-keys.yaml'), 'utf8');
    assert.match(text, /ciphertext:/);
  });

  it('open: a file without secrets needs no key at all; one with ciphertexts says where a key can come from', async () => {
    const plain = await cli(['open', 'ci/plain', '-f', 'dotenv'], { ESC_LOCAL_DATA_KEY: undefined });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'AWS_REGION="us-east-1"\n');
    const secret = await cli(['open', 'app/aws-keys'], { ESC_LOCAL_DATA_KEY: undefined });
    assert.equal(secret.code, 4, secret.stderr);
    assert.match(secret.stderr, /error: cannot read the workspace data key: no D-Bus session.*ESC_LOCAL_DATA_KEY or ESC_LOCAL_DATA_KEY_FILE/);
    const keyFile = path.join(home, 'data-key');
    fs.writeFileSync(keyFile, dataKey + '\n', { mode: 0o600 });
    const fromFile = await cli(['open', 'app/aws-keys', '-f', 'json'], { ESC_LOCAL_DATA_KEY: undefined, ESC_LOCAL_DATA_KEY_FILE: keyFile });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /data key: from ESC_LOCAL_DATA_KEY_FILE/);
    const wrong = await cli(['open', 'app/aws-keys'], { ESC_LOCAL_DATA_KEY: randomBytes(32).toString('base64') });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /does not match this workspace's key/);
  });

  it('(b) a shared config profile, through rotate --due', async () => {
    fs.writeFileSync(path.join(home, 'config'), '[profile ci]\nregion = us-east-1\n');
    fs.writeFileSync(path.join(home, 'credentials'), `[ci]\naws_access_key_id = ${runner.accessKeyId}\naws_secret_access_key = ${runner.secretAccessKey}\n`, { mode: 0o600 });
    const profile = { AWS_PROFILE: 'ci', AWS_CONFIG_FILE: path.join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials') };
    const at = new Date(Date.now() + 3600_000).toISOString();
    const set = await cli(['schedule', 'set', 'app/aws-keys', '--once', at]);
    assert.equal(set.code, 0, set.stderr);
    // An hour passes: the slot is moved into the past rather than waited for.
    const schedules = path.join(ws, '.esc', 'schedules.json');
    const text = fs.readFileSync(schedules, 'utf8');
    assert.ok(text.includes(at));
    fs.writeFileSync(schedules, text.replace(at, new Date(Date.now() - 1000).toISOString()));
    const r = await cli(['rotate', '--due'], profile);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /managing credentials for \S+: AWS SDK default chain: shared config profile "ci"/);
    assert.match(r.stderr, /1 scheduled rotation\(s\) ran, 0 failed/);
    assert.equal((await appKeyIds()).length, 2);
    await currentKeyMatchesAws();
  });

  it('(c) a web identity token file is exchanged for the role with AssumeRoleWithWebIdentity', async () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/app:ref:refs/heads/main' })).toString('base64url')}.c2ln`;
    const tokenFile = path.join(home, 'web-identity-token');
    fs.writeFileSync(tokenFile, token);
    const before = await appKeyIds();
    const r = await cli(['rotate', 'app/aws-keys'], { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: signer.endpoint });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /managing credentials for \S+: web identity token from AWS_WEB_IDENTITY_TOKEN_FILE/);
    assert.deepEqual(
      signer.calls.map((c: WebIdentityCall) => [c.roleArn, c.sessionName, c.token]),
      [[ROLE_ARN, 'esc-local-rotation', token]],
    );
    const after = await appKeyIds();
    assert.equal(after.length, 2);
    assert.equal(after.filter((k) => !before.includes(k)).length, 1, 'one new key, the oldest deleted');
    await currentKeyMatchesAws();
  });

  it("(d) GitHub Actions: the runner's OIDC token is requested (bearer, audience) and exchanged", async () => {
    const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: 'repo:acme/app' })).toString('base64url')}.Z2g`;
    const seen: Array<{ url: string; auth?: string }> = [];
    const server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: token }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const requestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
      const r = await cli(['rotate', 'app/aws-keys'], { ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-bearer-123', AWS_ENDPOINT_URL_STS: signer.endpoint });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /GitHub Actions OIDC token/);
      assert.deepEqual(seen, [{ url: '/token?api-version=2.0&audience=sts.amazonaws.com', auth: 'Bearer request-bearer-123' }]);
      assert.equal(signer.calls.at(-1)?.token, token);
      await currentKeyMatchesAws();
    } finally {
      server.close();
    }
  });

  const runnerEnv = (): Record<string, string> => ({ AWS_ACCESS_KEY_ID: runner.accessKeyId, AWS_SECRET_ACCESS_KEY: runner.secretAccessKey });

  it('aws-secrets and aws-parameter-store: values come back through open (as secrets), through an assumed role', async () => {
    const shown = await cli(['open', 'ci/imports', 'aws', '--show-secrets'], runnerEnv());
    assert.equal(shown.code, 0, shown.stderr);
    const values = JSON.parse(shown.stdout) as { secrets: Record<string, string>; params: Record<string, string> };
    assert.deepEqual(values.secrets, { db: DB_PASSWORD });
    assert.deepEqual(values.params, { url: 'https://v2.example', firstUrl: 'https://v1.example', token: API_TOKEN });
    const redacted = await cli(['open', 'ci/imports', '-f', 'dotenv'], runnerEnv());
    assert.equal(redacted.code, 0, redacted.stderr);
    assert.equal(redacted.stdout, 'API_TOKEN="[secret]"\nDB_PASSWORD="[secret]"\n');
    const ran = await cli(['run', 'ci/imports', '--', 'sh', '-c', 'echo "$DB_PASSWORD ${#API_TOKEN}"'], runnerEnv());
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, `[secret] ${API_TOKEN.length}\n`);
  });

  it('a failing entry is located on that entry; the error names the secret, never a value', async () => {
    const r = await cli(['open', 'ci/broken'], runnerEnv());
    assert.equal(r.code, 1);
    const line = fs.readFileSync(path.join(ws, 'environments', 'ci', 'broken.yaml'), 'utf8').split('\n').findIndex((l) => l.trim() === 'secretId: app/no-such-secret') + 1;
    assert.match(r.stderr, new RegExp(`broken\\.yaml:${line}:\\d+: error: .*reading secret "app/no-such-secret": ResourceNotFoundException`));
    assert.ok(!r.stderr.includes(DB_PASSWORD));
  });

  it('aws-secrets against an endpoint that accepts and never answers: the per-attempt response deadline (ESC_LOCAL_AWS_TIMEOUT) ends the read, located on the entry', async function () {
    // Without per-attempt deadlines from the core's AWS client configuration, each of the SDK's
    // 3 attempts would wait its 15 s default (45 s): longer than this test's timeout.
    this.timeout(40000);
    const hostile = await hostileEndpoint('hang');
    try {
      const r = await cli(['open', 'ci/imports'], { ...runnerEnv(), AWS_ENDPOINT_URL_SECRETS_MANAGER: hostile.url, ESC_LOCAL_AWS_TIMEOUT: '1' });
      assert.equal(r.code, 1, r.stderr);
      const line = fs.readFileSync(path.join(ws, 'environments', 'ci', 'imports.yaml'), 'utf8').split('\n').findIndex((l) => l.trim() === 'secretId: app/db') + 1;
      assert.match(r.stderr, new RegExp(`imports\\.yaml:${line}:\\d+: error: .*secretsmanager:GetSecretValue.*timed out`));
      assert.doesNotMatch(r.stderr, /no answer within 60 s/);
    } finally {
      await hostile.close();
    }
  });

  it('a provider that runs only in Pulumi Cloud: check warns (exit 0), open says why, never "unknown provider"', async () => {
    const check = await cli(['check', 'ci/cloud']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout + check.stderr, /warning: provider "doppler-secrets" runs only in Pulumi Cloud: esc-local checks its inputs but cannot open it/);
    const open = await cli(['open', 'ci/cloud']);
    assert.equal(open.code, 1);
    assert.match(open.stderr, /provider "doppler-secrets" runs only in Pulumi Cloud/);
    assert.doesNotMatch(open.stdout + open.stderr, /unknown provider/);
  });

  it('nothing secret was written to any file or printed unasked: runner key, role sessions, data key, app keys', () => {
    const files = allFiles(ws).filter((f) => !f.file.includes(`${path.sep}.git${path.sep}`));
    const roleSecrets = signer.calls.map((c) => c.issuedSecretAccessKey).filter((s): s is string => s !== undefined);
    assert.ok(roleSecrets.length >= 2);
    assert.ok(appSecrets.size >= 3);
    const never = [runner.secretAccessKey, dataKey, ...roleSecrets];
    for (const { file, text } of files) for (const s of [DB_PASSWORD, API_TOKEN]) assert.ok(!text.includes(s), `an imported secret in ${file}`);
    for (const { file, text } of files) {
      for (const s of [...never, ...appSecrets]) assert.ok(!text.includes(s), `a secret in ${file}`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(ws, '.esc', 'workspace.json'), 'utf8')) as { dataKeyId?: string };
    assert.match(manifest.dataKeyId ?? '', /^[0-9a-f]{16}$/);
    for (const run of transcript) {
      const shown = run.stdout + run.stderr;
      for (const s of never) assert.ok(!shown.includes(s), `a secret in the output of esc-local ${run.args.join(' ')}`);
      if (!run.args.includes('--show-secrets')) for (const s of appSecrets) assert.ok(!shown.includes(s), `an app secret in the output of esc-local ${run.args.join(' ')}`);
    }
  });
});
