/**
 * `fn::open::aws-secrets`: reads secrets from AWS Secrets Manager with the given login
 * (`get: {name: {secretId, versionId?, versionStage?}}` → `{name: secret string}`), as ESC does.
 * The endpoint follows the SDK's standard settings (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL).
 */
import type { ExecutionContext, Provider } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { explainAwsError } from '../aws/awsErrors';
import { providerSchemas } from '../catalog';
import { CoreError } from '../errors';
import { optionalString, requiredString } from '../pluginValues';
import type { AwsSettings } from '../aws/clients';
import { importAll, importClientConfig, importRequest, sendWithDeadline } from './awsImports';

export class AwsSecretsProvider implements Provider {
  constructor(private readonly settings: AwsSettings) {}

  schema(): { inputs: Schema; outputs: Schema } {
    return providerSchemas('aws-secrets');
  }

  async open(inputs: { [key: string]: Value }, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    const request = importRequest(inputs);
    // Loaded on first use: most commands never open this provider.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient(importClientConfig(this.settings, request));
    try {
      return await importAll(request, signal, async (name, fields, abortSignal) => {
        const secretId = requiredString(fields.secretId, `get.${name}.secretId`);
        const versionId = optionalString(fields.versionId, `get.${name}.versionId`);
        const versionStage = optionalString(fields.versionStage, `get.${name}.versionStage`);
        const operation = 'secretsmanager:GetSecretValue';
        try {
          const out = await sendWithDeadline(this.settings, abortSignal, (o) => client.send(new GetSecretValueCommand({ SecretId: secretId, ...(versionId ? { VersionId: versionId } : {}), ...(versionStage ? { VersionStage: versionStage } : {}) }), o));
          if (out.SecretString === undefined) throw new CoreError('InvalidInput', `secret "${secretId}" has no string value (binary secrets cannot be imported)`, { operation });
          return out.SecretString;
        } catch (e) {
          throw explainAwsError(e, { operation }, `reading secret "${secretId}"`);
        }
      });
    } finally {
      client.destroy();
    }
  }
}
