/**
 * ESC's documented rotators (`fn::rotate::<name>`): inputs, persistent state and outputs after
 * https://www.pulumi.com/docs/esc/integrations/rotated-secrets/. `rotateOnly` names the inputs
 * evaluated only while rotating (managing credentials that ordinary readers of the environment
 * may not be allowed to open).
 */
import type { ObjectSchema, Schema } from '../schema/schema';
import { bool, num, record, secretStr, str } from './shapes';

const DOCS = 'https://www.pulumi.com/docs/esc/integrations/rotated-secrets';

export interface RotatorSpec {
  name: string;
  summary: string;
  prose: string;
  url: string;
  inputs: ObjectSchema;
  state: ObjectSchema;
  outputs: Schema;
  rotateOnly: string[];
  snippet: string;
}

function lines(...l: string[]): string {
  return l.join('\n');
}

/** The two-secret state/output shape shared by several rotators: `{current, previous}`. */
function currentPrevious(item: ObjectSchema, what: string): ObjectSchema {
  return record(
    {
      current: { ...item, description: `Current ${what}: the newest, recommended credentials.` },
      previous: { ...item, description: `Previous ${what}: still valid, phased out at the next rotation.` },
    },
    [],
    { open: true },
  );
}

/** For rotators whose state is exactly what they output (built twice: each field owns its schema objects). */
function stateAsOutputs(schema: () => ObjectSchema): { state: ObjectSchema; outputs: ObjectSchema } {
  return { state: schema(), outputs: schema() };
}

const awsLogin = (): ObjectSchema => record(
  {
    accessKeyId: str('The AWS access key ID.'),
    secretAccessKey: str('The AWS secret access key.'),
    sessionToken: str('The AWS session token, if any.'),
  },
  ['accessKeyId', 'secretAccessKey'],
  { open: true, title: 'AWSIAMLogin' },
);

const awsIamKey = (): ObjectSchema => record(
  {
    accessKeyId: str('The AWS access key ID.'),
    secretAccessKey: secretStr('The AWS secret access key, stored as a secret.'),
    createDate: str('Creation timestamp (ISO 8601), as ESC records it.'),
    createdAt: str('Creation timestamp (ISO 8601), as esc-local records it.'),
  },
  ['accessKeyId', 'secretAccessKey'],
  { open: true, title: 'AWSIAMOutputs' },
);

const userCredential = (title: string): ObjectSchema =>
  record({ username: str('Username of the user in the database.'), password: secretStr('Password of the user in the database.') }, ['username', 'password'], {
    open: true,
    title,
  });

const databaseConfig = (): ObjectSchema => record(
  {
    connector: record(
      {
        awsLambda: record(
          {
            login: record(
              {
                accessKeyId: str('The AWS access key ID.'),
                secretAccessKey: str('The AWS secret access key.'),
                sessionToken: str('The AWS session token, if any.'),
              },
              ['accessKeyId', 'secretAccessKey'],
              { open: true, title: 'AWSLogin', description: 'AWS login allowed to invoke the connector, typically the outputs of `aws-login`.' },
            ),
            lambdaArn: str('The ARN of the `aws-lambda` rotation connector.'),
          },
          ['login', 'lambdaArn'],
          { title: 'AWSLambdaConfig', description: 'An AWS Lambda rotation connector.' },
        ),
      },
      ['awsLambda'],
      { title: 'Connector', description: 'Rotation connector for databases in private networks (ESC). esc-local connects directly from where it runs, so it accepts and ignores this.' },
    ),
    database: str('Name of the database to use.'),
    host: str('Endpoint of the database.'),
    port: num('Port of the database server.'),
    managingUser: record(
      { username: str('Username of the managing user.'), password: str('Password of the managing user.') },
      ['username', 'password'],
      { open: true, title: 'ManagingUser', description: 'Credentials of a user allowed to change passwords.' },
    ),
    sslmode: str('esc-local: TLS to the server. `disable`: none; `require`: encrypted, certificate not checked; `verify-full`: encrypted, certificate and host name checked against `ca` (or the system CAs).', {
      enum: ['disable', 'require', 'verify-full'],
      default: 'require',
    }),
    ca: str('esc-local: PEM text of the CA certificate(s) trusted with `sslmode: verify-full`.'),
    timeout: num('esc-local: deadline in seconds of every connection and statement; reaching it fails the rotation.', { minimum: 1, maximum: 600, multipleOf: 1, default: 10 }),
  },
  ['database', 'host', 'port', 'managingUser'],
  { title: 'DatabaseConfig', description: 'Database configuration.' },
);

const rotateUsers = (): ObjectSchema => record(
  {
    username1: str('A database user to rotate; rotated first when there is no state.'),
    username2: str('The other database user to rotate.'),
  },
  ['username1', 'username2'],
  { title: 'RotateUsers', description: 'The two users whose passwords alternate.' },
);

function databaseRotator(name: 'postgres' | 'mysql', label: string, port: number): RotatorSpec {
  return {
    name,
    summary: `Rotate the passwords of two ${label} users, alternating between them`,
    prose: lines(
      `Changes the password of the \`previous\` user with the managing user's credentials and makes it \`current\`, so that`,
      'applications using the other user keep working until they next read the environment. Keep the managing',
      'credentials in a separate, restricted environment and reference them from `database.managingUser`.',
      '',
      'esc-local runs this rotator locally, connecting directly (a database in a private network needs no connector when',
      'esc-local runs inside that network). New passwords are 32 URL-safe characters, verified by logging in before they are',
      `promoted; the server receives ${name === 'postgres' ? 'a SCRAM-SHA-256 verifier' : 'the password hash (MariaDB)'}, never the plaintext in its statement log.`,
    ),
    url: `${DOCS}/${name}/`,
    inputs: record({ database: databaseConfig(), rotateUsers: rotateUsers() }, ['database', 'rotateUsers']),
    ...stateAsOutputs(() => currentPrevious(userCredential('UserCredential'), 'user credentials')),
    rotateOnly: ['database'],
    snippet: lines(
      `fn::rotate::${name}:`,
      '  inputs:',
      '    database:',
      '      database: ${1:app_db}',
      '      host: ${2:db.example.com}',
      `      port: \${3:${port}}`,
      '      managingUser: \\${${4:environments.credentials.db.managingUser}}',
      '    rotateUsers:',
      '      username1: ${5:app_user1}',
      '      username2: ${6:app_user2}',
    ),
  };
}

function buildSpecs(): RotatorSpec[] {
  return [
  {
    name: 'aws-iam',
    summary: 'Rotate the access keys of an AWS IAM user, keeping the previous key valid',
    prose: lines(
      'Creates a new access key for `userArn` with the managing credentials in `login`, makes it `current`, moves the',
      'old current key to `previous` and deletes the key that was `previous` (IAM allows two keys per user).',
      'Provide an initial `state` to adopt existing keys.',
      '',
      'esc-local runs this rotator locally (`Rotate Secrets` in VS Code, `esc-local rotate`): the new state is written back',
      'into the file with the secret access keys encrypted.',
    ),
    url: `${DOCS}/aws-iam/`,
    inputs: record(
      {
        region: str('The AWS region to use.'),
        login: { ...awsLogin(), description: 'Managing credentials allowed to list, create and delete the user\'s access keys.' },
        userArn: str('The ARN of the IAM user whose keys are rotated.', { pattern: '^arn:' }),
      },
      ['login', 'userArn'],
    ),
    ...stateAsOutputs(() => currentPrevious(awsIamKey(), 'access key')),
    rotateOnly: ['login'],
    snippet: lines(
      'fn::rotate::aws-iam:',
      '  inputs:',
      '    region: ${1:us-west-2}',
      '    login: \\${${2:environments.credentials.aws-creds.aws.login}}',
      '    userArn: ${3:arn:aws:iam::123456789012:user/app-user}',
    ),
  },
  {
    name: 'password',
    summary: 'Generate a new random password on every rotation',
    prose: 'Generates a password from a cryptographically secure random source with the requested length and character classes.',
    url: `${DOCS}/password/`,
    inputs: record({
      length: { type: 'number', minimum: 1, multipleOf: 1, default: 16, description: 'The length of the generated passwords.' },
      lower: bool('Include lowercase characters.', { default: true }),
      upper: bool('Include uppercase characters.', { default: true }),
      special: bool('Include special characters.', { default: true }),
      minUpper: { type: 'number', minimum: 0, multipleOf: 1, default: 0, description: 'Minimum number of uppercase characters.' },
      minLower: { type: 'number', minimum: 0, multipleOf: 1, default: 0, description: 'Minimum number of lowercase characters.' },
      minSpecial: { type: 'number', minimum: 0, multipleOf: 1, default: 0, description: 'Minimum number of special characters.' },
      overrideSpecial: str('All the special characters that may be used.', { default: '!@#$%&*()-_=+[]{}<>:?', minLength: 1 }),
    }),
    ...stateAsOutputs(() => record({ current: secretStr('The current password.'), previous: secretStr('The previous password.') }, [], { open: true })),
    rotateOnly: [],
    snippet: lines('fn::rotate::password:', '  inputs:', '    length: ${1:24}', '    special: ${2:true}'),
  },
  {
    name: 'passphrase',
    summary: 'Generate a new memorable passphrase on every rotation',
    prose: 'Generates a passphrase of random words (chosen with a cryptographically secure random source) joined by `separator`.',
    url: `${DOCS}/passphrase/`,
    inputs: record({
      separator: str('A single character used as word separator.', { default: '-', minLength: 1, maxLength: 1 }),
      capitalize: bool('Capitalize each word.', { default: false }),
      length: { type: 'number', minimum: 1, multipleOf: 1, default: 5, description: 'The number of words.' },
    }),
    ...stateAsOutputs(() => record({ current: secretStr('The current passphrase.'), previous: secretStr('The previous passphrase.') }, [], { open: true })),
    rotateOnly: [],
    snippet: lines('fn::rotate::passphrase:', '  inputs:', '    length: ${1:5}', '    separator: "${2:-}"', '    capitalize: ${3:true}'),
  },
  databaseRotator('postgres', 'PostgreSQL', 5432),
  databaseRotator('mysql', 'MySQL', 3306),
  {
    name: 'snowflake-user',
    summary: 'Rotate the RSA key pair of a Snowflake user',
    prose: lines(
      'Generates a new 2048-bit RSA key pair, sets it as the user\'s `RSA_PUBLIC_KEY` and keeps the previous public key as',
      '`RSA_PUBLIC_KEY_2`, so two keys are valid at any time. The private key is stored as a secret.',
    ),
    url: `${DOCS}/snowflake-user/`,
    inputs: record(
      {
        login: record(
          {
            account: str('Snowflake account identifier.'),
            user: str('Managing user to connect as; must be allowed to alter the target user.'),
            privateKey: str('Private key in PEM format (give this or `token`).'),
            token: str('OAuth token, e.g. the output of `snowflake-login` (give this or `privateKey`).'),
          },
          ['account', 'user'],
          { open: true, title: 'SnowflakeLogin', description: 'Credentials used to connect to Snowflake and rotate.' },
        ),
        targetUser: str('The Snowflake user whose key pair is rotated.'),
      },
      ['login', 'targetUser'],
    ),
    state: record(
      {
        account: str('Snowflake account identifier.'),
        privateKey: secretStr('The private key in PEM format.'),
        createdAt: str('When the key pair was generated (RFC 3339).'),
      },
      [],
      { open: true },
    ),
    outputs: record(
      {
        account: str('Snowflake account identifier.'),
        user: str('The rotated user.'),
        privateKey: secretStr('Private key in PEM format.'),
        rotatedAt: str('When the key pair was generated (RFC 3339).'),
      },
      [],
      { open: true },
    ),
    rotateOnly: ['login'],
    snippet: lines(
      'fn::rotate::snowflake-user:',
      '  inputs:',
      '    login: \\${${1:environments.logins.snowflake.snowflake.login}}',
      '    targetUser: ${2:ESC_ROTATION_USER}',
    ),
  },
  {
    name: 'azure-app-secret',
    summary: 'Rotate the client secrets of an Azure app registration',
    prose: 'Adds a new client secret to the app registration `clientId`, makes it `current`, keeps the previous one and removes the older one. The login needs `Application.ReadWrite.All` or ownership of the app.',
    url: `${DOCS}/azure-app-secret/`,
    inputs: record(
      {
        login: record(
          {
            clientId: str('The client ID to use.'),
            tenantId: str('The tenant ID to use.'),
            subscriptionId: str('The subscription ID to use.'),
            clientSecret: str('The client secret to use for authentication.'),
            oidc: { type: 'object', description: 'OIDC-related data, if OIDC is used for authentication.' },
          },
          ['clientId', 'tenantId'],
          { open: true, title: 'AzureLogin', description: 'The credentials to use to log in to Azure.' },
        ),
        clientId: str('The Application (client) ID of the app registration whose secret is rotated.'),
        lifetimeInDays: num('The number of days the secret stays valid (at most 730).', { default: 180, minimum: 1, maximum: 730 }),
      },
      ['login', 'clientId'],
    ),
    ...stateAsOutputs(() =>
      currentPrevious(
        record(
          {
            secretId: str('The secret ID.'),
            secretValue: secretStr('The client secret value.'),
            createdAt: str('Creation timestamp (RFC 3339).'),
            expiresAt: str('Expiration timestamp (RFC 3339).'),
          },
          ['secretId', 'secretValue'],
          { open: true, title: 'AzureAppSecretOutputs' },
        ),
        'client secret',
      ),
    ),
    rotateOnly: ['login'],
    snippet: lines(
      'fn::rotate::azure-app-secret:',
      '  inputs:',
      '    login: \\${${1:environments.logins.production.azure.login}}',
      '    clientId: ${2:00000000-0000-0000-0000-000000000000}',
      '    lifetimeInDays: ${3:180}',
    ),
  },
  {
    name: 'external',
    summary: 'Rotate with a custom adapter service over authenticated HTTPS',
    prose: lines(
      'POSTs `{request, state}` to `url`; the adapter\'s JSON response becomes the new `current` state, marked secret.',
      'On the first rotation `state` is `null`. A dual-secret strategy in the adapter avoids downtime.',
    ),
    url: `${DOCS}/external/`,
    inputs: record(
      {
        url: str('HTTPS URL of the rotator adapter service.', { pattern: '^https://' }),
        request: { type: 'object', default: {}, description: 'Arbitrary JSON object sent to the adapter.' },
      },
      ['url'],
    ),
    state: record({ current: true }, [], { open: true }),
    outputs: record({ current: { description: 'The JSON response of the adapter, marked as secret.', secret: true } }, [], { open: true }),
    rotateOnly: ['request'],
    snippet: lines('fn::rotate::external:', '  inputs:', '    url: ${1:https://adapter.example.com/rotate}', '    request:', '      ${2:service}: ${3:database}'),
  },
];
}

let built: readonly RotatorSpec[] | undefined;

/**
 * The rotators (built on the first call, like providers.ts's providerSpecs), with each one's rotate-only input names also on its input schema
 * (`inputs.rotateOnly`), where the evaluator reads them: those inputs are not evaluated when the
 * environment is only opened (e.g. aws-iam's managing `login` never assumes its role then).
 */
export function rotatorSpecs(): readonly RotatorSpec[] {
  return (built ??= buildSpecs().map((spec) => (spec.rotateOnly.length > 0 ? { ...spec, inputs: { ...spec.inputs, rotateOnly: [...spec.rotateOnly] } } : spec)));
}
