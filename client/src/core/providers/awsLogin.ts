/**
 * `fn::open::aws-login`, run locally. `static` returns the given credentials. `oidc` gets into
 * `roleArn` through the first source that has access (see ../aws/credentialSource.ts): managing
 * credentials from the OS keychain (the entry named after the role ARN, else `default`) or the
 * AWS SDK's default chain, used for STS AssumeRole; or a web identity token (a CI runner's
 * OIDC token) exchanged with STS AssumeRoleWithWebIdentity, which is what ESC's oidc does.
 */
import type { ExecutionContext, Provider } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { providerSchemas } from '../catalog';
import { CoreError } from '../errors';
import type { AwsCredentials, Keychain } from '../keychain';
import { awsSdk, type AwsSettings, awsSend, callTimeoutMs, defaultRegion, stsClient, stsClientWithoutCredentials } from '../aws/clients';
import { DEFAULT_CREDENTIAL_NAME, ManagingCredentialSource } from '../aws/credentialSource';
import { explainAwsError } from '../aws/awsErrors';
import { fieldsOf, objectValue, optionalString, plain, requiredString, secretString } from '../pluginValues';

export { DEFAULT_CREDENTIAL_NAME };

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
  private readonly access: ManagingCredentialSource;

  constructor(
    keychain: Keychain,
    private readonly aws: AwsSettings = {},
    log?: (line: string) => void,
  ) {
    this.access = new ManagingCredentialSource(keychain, defaultRegion(aws), log);
  }

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

    const access = await this.access.forRole(roleArn, signal);
    const request = {
      RoleArn: roleArn,
      RoleSessionName: sessionName,
      ...(durationSeconds !== undefined ? { DurationSeconds: durationSeconds } : {}),
      ...(policyArnList ? { PolicyArns: policyArnList.map((arn) => ({ arn })) } : {}),
    };
    const operation = access.kind === 'web-identity' ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole';
    try {
      const region = defaultRegion(this.aws);
      const deadline = { timeoutMs: callTimeoutMs(this.aws), signal };
      let out;
      if (access.kind === 'web-identity') {
        const sts = stsClientWithoutCredentials(this.aws, region);
        const command = new (awsSdk().AssumeRoleWithWebIdentityCommand)({ ...request, WebIdentityToken: access.token });
        out = await awsSend((o) => sts.send(command, o), deadline);
      } else {
        const sts = stsClient(this.aws, access.credentials, region);
        const command = new (awsSdk().AssumeRoleCommand)(request);
        out = await awsSend((o) => sts.send(command, o), deadline);
      }
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new CoreError('AwsError', `${operation} returned no credentials`, { operation });
      return credentialsValue({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) });
    } catch (e) {
      throw explainAwsError(e, { operation }, `assuming role ${roleArn} (${access.source})`);
    }
  }
}
