/**
 * Shared fixtures for the rotation-core tests: a temporary workspace, the local AWS endpoint
 * with an admin (managing) user and a target user, and helpers to read what AWS holds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAwsEndpoint, type AwsEndpoint, type CreatedAccessKey } from '../aws/index';
import type { Value } from '../../shared/src/value/value';
import type { AwsSettings } from '../../client/src/core/aws/clients';
import { Journal } from '../../client/src/core/rotation/journal';
import { Keychain } from '../../client/src/core/keychain';
import type { AwsRotationSession } from '../../client/src/core/rotators/awsIam';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `esc-core-${prefix}-`));
}

export function v(data: unknown, secret = false): Value {
  if (Array.isArray(data)) return { value: data.map((d) => v(d)), trace: {} };
  if (data !== null && typeof data === 'object') {
    const o: { [k: string]: Value } = {};
    for (const [k, x] of Object.entries(data as Record<string, unknown>)) o[k] = v(x);
    return { value: o, trace: {} };
  }
  return secret ? { value: data as string, secret: true, trace: {} } : { value: data as string | number | boolean | null, trace: {} };
}

/** Plain JSON of a Value plus the set of paths flagged secret. */
export function unwrap(value: Value): unknown {
  const d = value.value;
  if (Array.isArray(d)) return d.map(unwrap);
  if (d !== null && typeof d === 'object') return Object.fromEntries(Object.entries(d).map(([k, x]) => [k, unwrap(x)]));
  return d;
}

export interface AwsFixture {
  aws: AwsEndpoint;
  admin: CreatedAccessKey;
  adminArn: string;
  userArn: string;
  settings: AwsSettings;
  keysOf(user?: string): string[];
}

export async function startAws(options: { stateFile?: string } = {}): Promise<AwsFixture> {
  const aws = await startAwsEndpoint(options.stateFile ? { stateFile: options.stateFile } : {});
  const adminUser = aws.control.createUser('esc-admin');
  const admin = aws.control.createAccessKey({ userName: 'esc-admin' });
  const app = aws.control.createUser('app');
  return {
    aws,
    admin,
    adminArn: adminUser.arn,
    userArn: app.arn,
    settings: { iamEndpoint: aws.url, stsEndpoint: aws.url, defaultRegion: 'us-east-1', verifyInitialDelayMs: 20, verifyMaxDelayMs: 200 },
    keysOf: (user = 'app') => aws.control.snapshot().accessKeys.filter((k) => k.userName === user).map((k) => k.accessKeyId),
  };
}

export function loginValue(key: { accessKeyId: string; secretAccessKey: string }): Value {
  return { value: { accessKeyId: v(key.accessKeyId), secretAccessKey: v(key.secretAccessKey, true) }, trace: {} };
}

export function newSession(runDir: string, environment: string, settings: AwsSettings, dataKey = randomBytes(32)): AwsRotationSession & { logs: string[]; principals: string[]; dataKey: Buffer } {
  const logs: string[] = [];
  const principals: string[] = [];
  const journal = Journal.open(runDir, environment, dataKey) ?? Journal.begin(runDir, environment, dataKey, undefined);
  return { environment, journal, aws: settings, onPrincipal: (a) => principals.push(a), log: (l) => logs.push(l), logs, principals, dataKey };
}

/** Every file under a directory, recursively. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export interface WorkspaceFixture {
  root: string;
  service: string;
  roleArn: string;
  appEnvFile: string;
}

/**
 * A workspace with `creds/aws` (aws-login via OIDC → AssumeRole with the admin's managing
 * credentials from the keychain) and `app` (aws-iam + password rotators, with comments).
 */
export async function makeWorkspace(f: AwsFixture, options: { userName?: string; state?: string; keychainService?: string } = {}): Promise<WorkspaceFixture> {
  const root = tempDir('ws');
  const service = options.keychainService ?? `esc-local-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const roleName = `esc-rotator-${randomBytes(3).toString('hex')}`;
  const role = f.aws.control.createRole({ roleName, trustedPrincipals: [f.adminArn] });
  await new Keychain(service).setAwsCredentials(role.arn, { accessKeyId: f.admin.accessKeyId, secretAccessKey: f.admin.secretAccessKey });
  const userArn = options.userName ? f.aws.control.snapshot().users.find((u) => u.userName === options.userName)!.arn : f.userArn;
  fs.mkdirSync(path.join(root, 'environments', 'creds'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'environments', 'creds', 'aws.yaml'),
    ['# Managing credentials: assumed from the keychain entry for the role', 'values:', '  aws:', '    login:', '      fn::open::aws-login:', '        oidc:', `          roleArn: ${role.arn}`, '          sessionName: esc-local-test', '          duration: 1h', ''].join('\n'),
  );
  const appEnvFile = path.join(root, 'environments', 'app.yaml');
  fs.writeFileSync(
    appEnvFile,
    [
      '# Application credentials, rotated by esc-local',
      'values:',
      '  iam:',
      '    # the IAM user\'s access keys',
      '    fn::rotate::aws-iam:',
      '      inputs:',
      '        region: us-east-1',
      '        login: ${environments.creds.aws.aws.login}',
      `        userArn: ${userArn}`,
      ...(options.state ? [options.state] : []),
      '  db:',
      '    password:',
      '      fn::rotate::password:',
      '        inputs:',
      '          length: 24 # long enough',
      '  greeting: hello # a comment that must stay',
      '',
    ].join('\n'),
  );
  return { root, service, roleArn: role.arn, appEnvFile };
}

/** YAML lines for an initial aws-iam state (plaintext fn::secret: the test encrypts the file first). */
export function initialStateYaml(current: { accessKeyId: string; secretAccessKey: string }, previous?: { accessKeyId: string; secretAccessKey: string }): string {
  const key = (name: string, k: { accessKeyId: string; secretAccessKey: string }) => [`        ${name}:`, `          accessKeyId: ${k.accessKeyId}`, '          secretAccessKey:', `            fn::secret: ${k.secretAccessKey}`];
  return ['      state:', ...key('current', current), ...(previous ? key('previous', previous) : [])].join('\n');
}
