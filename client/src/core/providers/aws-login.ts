/**
 * `fn::open::aws-login`, run locally. `static` returns the given credentials. `oidc` cannot get
 * an OIDC token from Pulumi Cloud offline, so it assumes `roleArn` with STS AssumeRole signed by
 * managing credentials from the OS keychain: the entry named after the role ARN, else the
 * entry named `default`.
 */
import type { ExecutionContext, Provider } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { providerSchemas } from '../catalog';
import { CoreError } from '../errors';
import type { AwsCredentials, Keychain } from '../keychain';
import { awsSdk, type AwsSettings, awsSend, callTimeoutMs, defaultRegion, stsClient } from '../aws/clients';
import { explainAwsError } from '../aws/errors';
import { fieldsOf, objectValue, optionalString, plain, requiredString, secretString } from '../values';

export const DEFAULT_CREDENTIAL_NAME = 'default';

/** ESC durations: Go-style (`1h`, `90m`, `1h30m`, `3600s`). Returns seconds. */
export function parseDurationSeconds(text: string, what: string): number {
  const re = /(\d+(?:\.\d+)?)(h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new CoreError('InvalidInput', `${what} "${text}" is not a duration`, {}, 'use e.g. 1h, 45m or 1h30m');
  const seconds = Math.round(total);
  if (seconds < 900 || seconds > 43200) throw new CoreError('InvalidInput', `${what} must be between 15m and 12h (got ${text})`, {}, 'AWS role sessions last 15 minutes to 12 hours (and at most the role\'s maximum session duration)');
  return seconds;
}

export function credentialsValue(c: AwsCredentials): Value {
  return objectValue({
    accessKeyId: plain(c.accessKeyId),
    secretAccessKey: secretString(c.secretAccessKey),
    sessionToken: c.sessionToken ? secretString(c.sessionToken) : undefined,
  });
}

export class AwsLoginProvider implements Provider {
  constructor(
    private readonly keychain: Keychain,
    private readonly aws: AwsSettings = {},
  ) {}

  schema(): { inputs: Schema; outputs: Schema } {
    return providerSchemas('aws-login');
  }

  async open(inputs: { [key: string]: Value }, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    const hasStatic = inputs.static !== undefined && inputs.static.value !== null;
    const hasOidc = inputs.oidc !== undefined && inputs.oidc.value !== null;
    if (hasStatic === hasOidc) throw new CoreError('InvalidInput', 'aws-login needs exactly one of `static` or `oidc`');
    if (hasStatic) {
      const f = fieldsOf(inputs.static, 'static')!;
      const sessionToken = optionalString(f.sessionToken, 'static.sessionToken');
      return credentialsValue({
        accessKeyId: requiredString(f.accessKeyId, 'static.accessKeyId'),
        secretAccessKey: requiredString(f.secretAccessKey, 'static.secretAccessKey'),
        ...(sessionToken ? { sessionToken } : {}),
      });
    }
    const o = fieldsOf(inputs.oidc, 'oidc')!;
    const roleArn = requiredString(o.roleArn, 'oidc.roleArn');
    const sessionName = requiredString(o.sessionName, 'oidc.sessionName');
    const durationText = optionalString(o.duration, 'oidc.duration');
    const durationSeconds = durationText === undefined ? undefined : parseDurationSeconds(durationText, 'oidc.duration');
    const arns = o.policyArns?.value;
    const policyArnList = Array.isArray(arns) ? arns.map((v, i) => requiredString(v, `oidc.policyArns[${i}]`)) : undefined;

    const managing = await this.managingCredentials(roleArn);
    try {
      const sts = stsClient(this.aws, managing, defaultRegion(this.aws));
      const command = new (awsSdk().AssumeRoleCommand)({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        ...(durationSeconds !== undefined ? { DurationSeconds: durationSeconds } : {}),
        ...(policyArnList ? { PolicyArns: policyArnList.map((arn) => ({ arn })) } : {}),
      });
      const out = await awsSend((o) => sts.send(command, o), { timeoutMs: callTimeoutMs(this.aws), signal });
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new CoreError('AwsError', 'AssumeRole returned no credentials', { operation: 'sts:AssumeRole' });
      return credentialsValue({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) });
    } catch (e) {
      throw explainAwsError(e, { operation: 'sts:AssumeRole' }, `assuming role ${roleArn}`);
    }
  }

  private async managingCredentials(roleArn: string): Promise<AwsCredentials> {
    const forRole = await this.keychain.getAwsCredentials(roleArn);
    if (forRole) return forRole;
    const fallback = await this.keychain.getAwsCredentials(DEFAULT_CREDENTIAL_NAME);
    if (fallback) return fallback;
    throw new CoreError(
      'KeychainMissingEntry',
      `no managing AWS credentials in the OS keychain (service "${this.keychain.service}") to assume ${roleArn}`,
      { operation: 'sts:AssumeRole' },
      `store an access key allowed to call sts:AssumeRole on this role under the name "${roleArn}" (or "${DEFAULT_CREDENTIAL_NAME}"): ESC: Store Managing Credentials, or \`esc-local credentials set ${roleArn}\``,
    );
  }
}
