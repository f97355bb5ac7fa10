/**
 * `fn::open::aws-parameter-store`: reads parameters from AWS Systems Manager Parameter Store
 * with the given login (`get: {name: {name, decrypt?}}` → `{name: value}`, `name:version` and
 * `name:label` selectors as AWS accepts them), as ESC does. Every value is kept secret: a
 * String parameter can hold a secret as well as a SecureString can. The endpoint follows the
 * SDK's standard settings (AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL).
 */
import type { ExecutionContext, Provider } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { explainAwsError } from '../aws/awsErrors';
import { providerSchemas } from '../catalog';
import { CoreError } from '../errors';
import { optionalBoolean, requiredString } from '../pluginValues';
import type { AwsSettings } from '../aws/clients';
import { importAll, importClientConfig, importRequest, sendWithDeadline } from './awsImports';

export class AwsParameterStoreProvider implements Provider {
  constructor(private readonly settings: AwsSettings) {}

  schema(): { inputs: Schema; outputs: Schema } {
    return providerSchemas('aws-parameter-store');
  }

  async open(inputs: { [key: string]: Value }, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    const request = importRequest(inputs);
    // Loaded on first use: most commands never open this provider.
    const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    const client = new SSMClient(importClientConfig(this.settings, request));
    try {
      return await importAll(request, signal, async (name, fields, abortSignal) => {
        const parameter = requiredString(fields.name, `get.${name}.name`);
        const decrypt = optionalBoolean(fields.decrypt, `get.${name}.decrypt`) ?? false;
        const operation = 'ssm:GetParameter';
        try {
          const out = await sendWithDeadline(this.settings, abortSignal, (o) => client.send(new GetParameterCommand({ Name: parameter, WithDecryption: decrypt }), o));
          if (out.Parameter?.Value === undefined) throw new CoreError('AwsError', `parameter "${parameter}" came back without a value`, { operation });
          return out.Parameter.Value;
        } catch (e) {
          throw explainAwsError(e, { operation }, `reading parameter "${parameter}"`);
        }
      });
    } finally {
      client.destroy();
    }
  }
}
