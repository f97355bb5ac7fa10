/**
 * ESC's documented providers (`fn::open::<name>`): input and output schemas after the public
 * documentation at https://www.pulumi.com/docs/esc/integrations/. Login objects passed on to
 * other providers are open records, so the full output of a login provider (which may carry
 * more fields than the consumer needs) validates.
 */
import type { ObjectSchema, Schema } from '../schema/schema';
import { anyObject, bool, mapOf, num, record, secretStr, str, strings } from './shapes';

const DOCS = 'https://www.pulumi.com/docs/esc/integrations';

export interface ProviderSpec {
  name: string;
  summary: string;
  /** Markdown prose placed between the summary and the generated tables. */
  prose: string;
  url: string;
  inputs: ObjectSchema;
  outputs: Schema;
  snippet: string;
  /** esc-local runs it (open, rotate); every other provider runs only in Pulumi Cloud. */
  runsLocally?: true;
}

function lines(...l: string[]): string {
  return l.join('\n');
}

// ---- shared shapes -------------------------------------------------------------------------

const awsCredentials = (title: string): ObjectSchema =>
  record(
    {
      accessKeyId: str('The AWS access key ID.'),
      secretAccessKey: str('The AWS secret access key.'),
      sessionToken: str('The AWS session token, if any.'),
    },
    ['accessKeyId', 'secretAccessKey'],
    { open: true, title, description: 'Credentials to use to log in to AWS, typically `${aws.login}` (the outputs of `aws-login`).' },
  );

const awsCredentialOutputs = (): ObjectSchema =>
  record(
    {
      accessKeyId: str('The AWS access key ID.'),
      secretAccessKey: secretStr('The AWS secret access key.'),
      sessionToken: secretStr('The AWS session token, if any.'),
    },
    ['accessKeyId', 'secretAccessKey'],
    { open: true },
  );

/** What the secret-importing providers output: a secret string per requested name. */
const importedSecrets = (description = 'A map of names to imported secrets.'): ObjectSchema => mapOf(secretStr('The secret\'s value.'), description);

const subjectAttributes = (): ObjectSchema => strings('Subject attributes to include in the OIDC token (subject customization).');

const azureLoginOidc = (): ObjectSchema => record({ token: secretStr('The OIDC token to use for authentication.') }, ['token'], { open: true, title: 'AzureLoginOIDC' });

const azureLogin = (title: string): ObjectSchema =>
  record(
    {
      clientId: str('The client ID to use.'),
      tenantId: str('The tenant ID to use.'),
      subscriptionId: str('The subscription ID to use.'),
      clientSecret: str('The client secret used for authentication, if any.'),
      oidc: azureLoginOidc(),
    },
    ['clientId', 'tenantId'],
    { open: true, title, description: 'Credentials used to log in to Azure, typically the outputs of `azure-login`.' },
  );

// ---- providers -----------------------------------------------------------------------------

let built: readonly ProviderSpec[] | undefined;

/**
 * ESC's providers, built on the first call: most checks open no provider, and building the
 * schemas was the largest part of the CLI check bundle's start-up (scripts/bundle.mjs).
 */
export function providerSpecs(): readonly ProviderSpec[] {
  return (built ??= buildProviderSpecs());
}

function buildProviderSpecs(): ProviderSpec[] {
  return [
  {
    name: 'aws-login',
    runsLocally: true,
    summary: 'Log in to AWS with OpenID Connect (assuming a role) or with static credentials',
    prose: lines(
      'Returns AWS credentials (`accessKeyId`, `secretAccessKey`, `sessionToken`) for use in `environmentVariables`,',
      'by `aws-secrets` / `aws-parameter-store`, or as the managing credentials of the `aws-iam` rotator.',
      'Give exactly one of `oidc` or `static`.',
      '',
      'Locally there is no Pulumi Cloud to issue an OIDC token: `oidc` assumes `roleArn` with STS `AssumeRole`,',
      'signed by managing credentials from the OS keychain (`esc-local credentials set`) or, when none matches,',
      'from the AWS SDK\'s default chain (profiles, SSO, environment variables, instance roles). On a CI runner',
      'with an OIDC token (`AWS_WEB_IDENTITY_TOKEN_FILE`, GitHub Actions `id-token: write`) the token is exchanged',
      'for the role with `AssumeRoleWithWebIdentity`, as ESC does.',
    ),
    url: `${DOCS}/dynamic-login-credentials/aws-login/`,
    inputs: record({
      oidc: record(
        {
          roleArn: str('The ARN of the role to assume.'),
          sessionName: str('The name of the role session.'),
          duration: str('The duration of the role session (e.g. `1h`). Defaults to 2 hours; AWS caps role sessions at the role\'s MaxDuration (1 hour unless configured).'),
          policyArns: strings('ARNs of additional policies to apply to the role session.'),
          subjectAttributes: subjectAttributes(),
        },
        ['roleArn', 'sessionName'],
        { title: 'AWSLoginOIDC', description: 'OIDC configuration to log in to AWS.' },
      ),
      static: record(
        {
          accessKeyId: str('The AWS access key ID.'),
          secretAccessKey: str('The AWS secret access key.'),
          sessionToken: str('The AWS session token, if any.'),
        },
        ['accessKeyId', 'secretAccessKey'],
        { title: 'AWSLoginStatic', description: 'A static set of credentials to use to log in to AWS.' },
      ),
    }),
    outputs: awsCredentialOutputs(),
    snippet: lines(
      'fn::open::aws-login:',
      '  oidc:',
      '    roleArn: ${1:arn:aws:iam::123456789012:role/esc-role}',
      '    sessionName: ${2:esc-local}',
      '    duration: ${3:1h}',
    ),
  },
  {
    name: 'aws-secrets',
    runsLocally: true,
    summary: 'Read secrets from AWS Secrets Manager',
    prose: 'Returns a map from the names under `get` to each secret\'s value. JSON secrets can be unpacked with `fn::fromJSON`.',
    url: `${DOCS}/dynamic-secrets/aws-secrets/`,
    inputs: record(
      {
        region: str('The AWS region to use.'),
        login: awsCredentials('AWSSecretsLogin'),
        get: mapOf(
          record(
            {
              secretId: str('The name or ARN of the secret to import.'),
              versionId: str('The version of the secret to import.'),
              versionStage: str('The version stage of the secret to import.'),
            },
            ['secretId'],
            { title: 'AWSSecretsGet' },
          ),
          'A map from names to secrets to read from AWS Secrets Manager.',
        ),
      },
      ['region', 'login', 'get'],
    ),
    outputs: importedSecrets(),
    snippet: lines(
      'fn::open::aws-secrets:',
      '  region: ${1:us-west-2}',
      '  login: \\${${2:aws.login}}',
      '  get:',
      '    ${3:api-key}:',
      '      secretId: ${4:api-key}',
    ),
  },
  {
    name: 'aws-parameter-store',
    runsLocally: true,
    summary: 'Read parameters from AWS Systems Manager Parameter Store',
    prose: 'Returns a map from the names under `get` to each parameter\'s value. Query a version or label with `name:version` / `name:label`.',
    url: `${DOCS}/dynamic-secrets/aws-parameter-store/`,
    inputs: record(
      {
        region: str('The AWS region to use.'),
        login: awsCredentials('AWSParameterStoreLogin'),
        get: mapOf(
          record(
            {
              name: str('The name of the parameter to import (`name:label` or `name:version` to pin one).'),
              decrypt: bool('Whether to decrypt the value. Only affects values of type SecureString.'),
            },
            ['name'],
            { title: 'AWSParameterStoreGet' },
          ),
          'A map from names to parameters to read from AWS Parameter Store.',
        ),
      },
      ['region', 'login', 'get'],
    ),
    outputs: mapOf(true, 'A map of names to imported parameters.'),
    snippet: lines(
      'fn::open::aws-parameter-store:',
      '  region: ${1:us-west-2}',
      '  login: \\${${2:aws.login}}',
      '  get:',
      '    ${3:myKey}:',
      '      name: ${4:/myNamespace/myKey}',
    ),
  },
  {
    name: 'azure-login',
    summary: 'Log in to Azure with OpenID Connect or a client secret',
    prose: 'Returns Azure credentials for use in `environmentVariables`, by `azure-secrets`, or by the `azure-app-secret` rotator.',
    url: `${DOCS}/dynamic-login-credentials/azure-login/`,
    inputs: record(
      {
        clientId: str('The client ID to use.'),
        tenantId: str('The tenant ID to use.'),
        subscriptionId: str('The subscription ID to use.'),
        clientSecret: str('The client secret to use for authentication, if any.'),
        oidc: bool('Whether to use OIDC to log in.', { default: false }),
        subjectAttributes: subjectAttributes(),
      },
      ['clientId', 'tenantId', 'subscriptionId'],
    ),
    outputs: record(
      {
        clientId: str('The configured client ID.'),
        tenantId: str('The configured tenant ID.'),
        subscriptionId: str('The configured subscription ID.'),
        clientSecret: secretStr('The client secret used for authentication, if any.'),
        oidc: azureLoginOidc(),
      },
      ['clientId', 'tenantId', 'subscriptionId'],
      { open: true },
    ),
    snippet: lines(
      'fn::open::azure-login:',
      '  clientId: ${1:00000000-0000-0000-0000-000000000000}',
      '  tenantId: ${2:00000000-0000-0000-0000-000000000000}',
      '  subscriptionId: ${3:/subscriptions/00000000-0000-0000-0000-000000000000}',
      '  oidc: ${4:true}',
    ),
  },
  {
    name: 'azure-secrets',
    summary: 'Read secrets from Azure Key Vault',
    prose: 'Returns a map from the names under `get` to each secret\'s value.',
    url: `${DOCS}/dynamic-secrets/azure-secrets/`,
    inputs: record(
      {
        login: azureLogin('AzureSecretsLogin'),
        vault: str('The vault to read from.'),
        get: mapOf(
          record(
            { name: str('The name of the secret to import.'), version: str('The version of the secret to import.') },
            ['name'],
            { title: 'AzureSecretsGet' },
          ),
          'A map from names to secrets to read from Azure Key Vault.',
        ),
      },
      ['login', 'vault', 'get'],
    ),
    outputs: importedSecrets(),
    snippet: lines(
      'fn::open::azure-secrets:',
      '  login: \\${${1:azure.login}}',
      '  vault: ${2:example-vault-name}',
      '  get:',
      '    ${3:api-key}:',
      '      name: ${4:api-key}',
    ),
  },
  {
    name: 'gcp-login',
    summary: 'Log in to Google Cloud with OpenID Connect (workload identity) or an access token',
    prose: 'Returns a Google Cloud access token for use in `environmentVariables`/`pulumiConfig` or by `gcp-secrets`. Give one of `oidc` or `accessToken`.',
    url: `${DOCS}/dynamic-login-credentials/gcp-login/`,
    inputs: record(
      {
        project: num('The numerical ID of the GCP project (the project number, e.g. 951040570662).'),
        accessToken: record(
          {
            accessToken: str('The token used to authenticate with Google Cloud.'),
            serviceAccount: str('The service account to impersonate, if any.'),
            tokenLifetime: str('The lifetime of the temporary credentials when impersonating a service account.'),
          },
          ['accessToken'],
          { title: 'GCPLoginAccessToken', description: 'Options for access token login.' },
        ),
        oidc: record(
          {
            workloadPoolId: str('The (short) ID of the workload pool to use.'),
            providerId: str('The (short) ID of the identity provider associated with the workload pool.'),
            serviceAccount: str('The email address of the service account to use.'),
            region: str('The region of the GCP project.'),
            tokenLifetime: str('The lifetime of the temporary credentials.'),
            subjectAttributes: subjectAttributes(),
          },
          ['workloadPoolId', 'providerId', 'serviceAccount'],
          { title: 'GCPLoginOIDC', description: 'Options for OIDC login.' },
        ),
      },
      ['project'],
    ),
    outputs: record(
      {
        project: str('The numerical ID of the GCP project.'),
        accessToken: secretStr('The access token used to authenticate with Google Cloud.'),
        tokenType: str('The type of the access token.'),
        expiry: str('The access token\'s expiry time.'),
      },
      ['project', 'accessToken', 'tokenType'],
      { open: true },
    ),
    snippet: lines(
      'fn::open::gcp-login:',
      '  project: ${1:123456789}',
      '  oidc:',
      '    workloadPoolId: ${2:pulumi-esc}',
      '    providerId: ${3:pulumi-esc}',
      '    serviceAccount: ${4:pulumi-esc@my-project.iam.gserviceaccount.com}',
    ),
  },
  {
    name: 'gcp-secrets',
    summary: 'Read secrets from Google Cloud Secret Manager',
    prose: 'Returns a map from the names under `access` to each secret\'s value.',
    url: `${DOCS}/dynamic-secrets/gcp-secrets/`,
    inputs: record(
      {
        login: record(
          {
            project: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'The numerical ID of the GCP project.' },
            accessToken: str('The access token used to authenticate with Google Cloud.'),
            tokenType: str('The type of the access token.'),
            expiry: str('The access token\'s expiry time.'),
          },
          ['project', 'accessToken'],
          { open: true, title: 'GCPSecretsLogin', description: 'Credentials used to log in to Google Cloud, typically the outputs of `gcp-login`.' },
        ),
        access: mapOf(
          record(
            { name: str('The name of the secret to import.'), version: str('The version of the secret to import.') },
            ['name'],
            { title: 'GCPSecretsAccess' },
          ),
          'A map from names to secrets to read from Google Cloud Secret Manager.',
        ),
      },
      ['login', 'access'],
    ),
    outputs: importedSecrets(),
    snippet: lines(
      'fn::open::gcp-secrets:',
      '  login: \\${${1:gcp.login}}',
      '  access:',
      '    ${2:api-key}:',
      '      name: ${3:api-key}',
    ),
  },
  {
    name: 'vault-login',
    summary: 'Log in to HashiCorp Vault with a JWT (OIDC) or a parent token',
    prose: 'Returns an ephemeral Vault token for use by `vault-secrets`. Give one of `jwt` or `token`.',
    url: `${DOCS}/dynamic-login-credentials/vault-login/`,
    inputs: record(
      {
        address: str('The URL of the Vault server: a scheme and hostname, no path.'),
        namespace: str('The namespace to log in to (Vault Enterprise only).'),
        jwt: record(
          {
            role: str('The name of the role to use for login.'),
            mount: str('The name of the authentication engine mount.', { default: 'jwt' }),
            subjectAttributes: subjectAttributes(),
          },
          ['role'],
          { title: 'VaultLoginJWT', description: 'JWT login: an OIDC token is exchanged for an ephemeral token.' },
        ),
        token: record(
          {
            token: str('The parent token.'),
            displayName: str('The display name of the ephemeral token.', { default: 'pulumi' }),
            maxTtl: str('The maximum TTL of the ephemeral token.'),
            metadata: anyObject('Arbitrary metadata to associate with the ephemeral token.'),
            policies: strings('Policies for the token.'),
          },
          ['token'],
          { title: 'VaultLoginToken', description: 'Token login: creates an ephemeral child token.' },
        ),
      },
      ['address'],
    ),
    outputs: record(
      {
        address: str('The URL of the Vault server.'),
        namespace: str('The namespace to use for the session.'),
        token: secretStr('The ephemeral token generated for the session.'),
      },
      ['address', 'token'],
      { open: true },
    ),
    snippet: lines(
      'fn::open::vault-login:',
      '  address: ${1:https://vault.example.com:8200}',
      '  jwt:',
      '    role: ${2:example-role}',
    ),
  },
  {
    name: 'vault-secrets',
    summary: 'Read secrets from HashiCorp Vault',
    prose: 'Returns a map from the names under `read` to the raw data read at each path (or the chosen `field`).',
    url: `${DOCS}/dynamic-secrets/vault-secrets/`,
    inputs: record(
      {
        login: record(
          {
            address: str('The URL of the Vault server: a scheme and hostname, no path.'),
            namespace: str('The namespace to use for the session.'),
            token: str('The token to use for authentication.'),
          },
          ['address', 'token'],
          { open: true, title: 'VaultSecretsLogin', description: 'Credentials used to log in to Vault, typically the outputs of `vault-login`.' },
        ),
        read: mapOf(
          record({ path: str('The path to read.'), field: str('The field of the value to read.') }, ['path'], { title: 'VaultSecretsRead' }),
          'A map of names to paths to read from the server.',
        ),
      },
      ['login', 'read'],
    ),
    outputs: mapOf(true, 'A map from names to raw values as read from the server.'),
    snippet: lines(
      'fn::open::vault-secrets:',
      '  login: \\${${1:vault.login}}',
      '  read:',
      '    ${2:api-key}:',
      '      path: ${3:secret/data/api-key}',
    ),
  },
  {
    name: '1password-secrets',
    summary: 'Read secrets from 1Password with a service account token',
    prose: 'Returns a map from the names under `get` to secret values. References have the form `op://vault/item/[section/]field`.',
    url: `${DOCS}/dynamic-secrets/1password-secrets/`,
    inputs: record(
      {
        login: record(
          { serviceAccountToken: str('The service account token to use for authentication.') },
          ['serviceAccountToken'],
          { title: '1PasswordSecretsLogin', description: 'Credentials used to log in to 1Password.' },
        ),
        get: mapOf(
          record({ ref: str('A secret reference of the form `op://vault-name/item-name/[section-name/]field-name`.') }, ['ref'], { title: '1PasswordSecretsGet' }),
          'The secrets to get.',
        ),
      },
      ['login', 'get'],
    ),
    outputs: importedSecrets('A map from names to secret values.'),
    snippet: lines(
      'fn::open::1password-secrets:',
      '  login:',
      '    serviceAccountToken:',
      '      fn::secret: ${1:ops_token}',
      '  get:',
      '    ${2:api-key}:',
      '      ref: ${3:op://vault/item/field}',
    ),
  },
  {
    name: 'doppler-secrets',
    summary: 'Read secrets from a Doppler project config',
    prose: 'Returns a map from the names under `get` to each secret\'s value.',
    url: `${DOCS}/dynamic-secrets/doppler-secrets/`,
    inputs: record(
      {
        login: record({ accessToken: str('The access token to use for authentication.') }, ['accessToken'], { open: true, title: 'DopplerSecretsLogin', description: 'Credentials used to log in to Doppler.' }),
        project: str('The project identifier in Doppler.'),
        config: str('The config identifier in Doppler.'),
        get: mapOf(record({ name: str('The secret name in Doppler.') }, ['name'], { title: 'DopplerSecretsGet' }), 'A map from names to secrets to read from Doppler.'),
      },
      ['login', 'project', 'config', 'get'],
    ),
    outputs: importedSecrets(),
    snippet: lines(
      'fn::open::doppler-secrets:',
      '  login: \\${${1:doppler.login}}',
      '  project: ${2:example-project}',
      '  config: ${3:dev}',
      '  get:',
      '    ${4:api-key}:',
      '      name: ${5:API_KEY}',
    ),
  },
  {
    name: 'infisical-login',
    summary: 'Log in to Infisical with OpenID Connect or Universal Auth client credentials',
    prose: 'Returns an Infisical access token for use by `infisical-secrets`. Give one of `oidc` or `static`.',
    url: `${DOCS}/dynamic-login-credentials/infisical-login/`,
    inputs: record({
      siteUrl: str('The base URL of the Infisical instance; omit for the default US instance.'),
      oidc: record(
        { identityId: str('The identityId of the Identity to assume.'), subjectAttributes: subjectAttributes() },
        ['identityId'],
        { title: 'InfisicalLoginOIDC', description: 'OIDC configuration to log in to Infisical.' },
      ),
      static: record(
        { clientId: str('The Universal Auth client id.'), clientSecret: str('The Universal Auth client secret.') },
        ['clientId', 'clientSecret'],
        { title: 'InfisicalLoginStatic', description: 'Universal Auth credentials to log in to Infisical.' },
      ),
    }),
    outputs: record(
      {
        siteUrl: str('The base URL of the Infisical instance you authenticated to.'),
        accessToken: secretStr('The access token to use for authentication.'),
      },
      ['accessToken'],
      { open: true },
    ),
    snippet: lines('fn::open::infisical-login:', '  oidc:', '    identityId: ${1:00000000-0000-0000-0000-000000000000}'),
  },
  {
    name: 'infisical-secrets',
    summary: 'Read secrets from Infisical',
    prose: 'Returns a map from the names under `get` to each secret\'s value.',
    url: `${DOCS}/dynamic-secrets/infisical-secrets/`,
    inputs: record(
      {
        login: record(
          {
            siteUrl: str('The base URL of the Infisical instance; omit for the default US instance.'),
            accessToken: str('The access token to use for authentication.'),
          },
          ['accessToken'],
          { open: true, title: 'InfisicalSecretsLogin', description: 'Credentials used to log in to Infisical, typically the outputs of `infisical-login`.' },
        ),
        get: mapOf(
          record(
            {
              projectId: str('The projectId of the project the secret lives in.'),
              environment: str('The environment slug the secret lives in (e.g. `dev`, `staging`, `prod`).'),
              secretKey: str('The name of the secret to import.'),
              secretPath: str('The folder inside the environment where the secret lives.', { default: '/' }),
              type: { type: 'string', enum: ['shared', 'personal'], description: 'The secret type.' },
            },
            ['projectId', 'environment', 'secretKey'],
            { title: 'InfisicalSecretsGet' },
          ),
          'A map from names to secrets to read from Infisical.',
        ),
      },
      ['login', 'get'],
    ),
    outputs: importedSecrets(),
    snippet: lines(
      'fn::open::infisical-secrets:',
      '  login: \\${${1:infisical.login}}',
      '  get:',
      '    ${2:api-key}:',
      '      projectId: ${3:00000000-0000-0000-0000-000000000000}',
      '      environment: ${4:dev}',
      '      secretKey: ${5:api-key}',
    ),
  },
  {
    name: 'pulumi-stacks',
    summary: 'Import the outputs of Pulumi stacks',
    prose: 'Returns a map from the names under `stacks` to all outputs of each stack.',
    url: `${DOCS}/infrastructure/pulumi-iac/pulumi-stacks/`,
    inputs: record(
      {
        stacks: mapOf(
          record({ stack: str('The project-qualified name of the stack, e.g. `myProject/dev`.') }, ['stack'], { title: 'PulumiStack' }),
          'A map of names to stacks to get outputs from.',
        ),
      },
      ['stacks'],
    ),
    outputs: mapOf(true, 'A map of names to the outputs of each stack.'),
    snippet: lines('fn::open::pulumi-stacks:', '  stacks:', '    ${1:vpcInfra}:', '      stack: ${2:vpc-infra/dev}'),
  },
];
}
