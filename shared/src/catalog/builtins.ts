/**
 * Documentation of ESC's `fn::` builtin functions and of the reserved top-level keys of an
 * environment document, written for hover and completion.
 */
import type { BuiltinDoc, TopLevelKeyDoc } from './types';

const REF = 'https://www.pulumi.com/docs/esc/reference';

function doc(name: string, page: string | undefined, summary: string, body: string, example: string, snippet: string): BuiltinDoc {
  const url = page === undefined ? `${REF}/builtin-functions/` : `${REF}/builtin-functions/${page}/`;
  const docs = [`**${name}** — ${summary}.`, body, '```yaml\n' + example + '\n```', `[Documentation](${url})`].join('\n\n');
  return { name, summary, docs, url, snippet };
}

let builtins: readonly BuiltinDoc[] | undefined;

/** The `fn::` builtins, documented; built on the first call (most checks read none of the docs). */
export function builtinDocs(): readonly BuiltinDoc[] {
  return (builtins ??= buildBuiltinDocs());
}

function buildBuiltinDocs(): BuiltinDoc[] {
  return [
  doc(
    'fn::open',
    'fn-open',
    'Open a provider and evaluate to its outputs',
    'Long form `fn::open: {provider, inputs}` or short form `fn::open::<provider>: <inputs>`. Providers run when the environment is opened; in check mode (the editor) their outputs are unknown.',
    'aws:\n  login:\n    fn::open::aws-login:\n      oidc:\n        roleArn: arn:aws:iam::123456789012:role/esc\n        sessionName: esc',
    'fn::open:\n  provider: ${1:aws-login}\n  inputs:\n    ${2}',
  ),
  doc(
    'fn::rotate',
    'fn-rotate',
    'Invoke a rotator: open evaluates to its state, rotation writes a new state back',
    'Long form `fn::rotate: {provider, inputs, state}` or short form `fn::rotate::<rotator>: {inputs, state}`. Some inputs are rotate-only: they are evaluated only while rotating, e.g. managing credentials referenced from a restricted environment. `state` is managed by the rotator and should not be edited by hand.',
    'iam:\n  fn::rotate::aws-iam:\n    inputs:\n      login: ${environments.credentials.aws-creds.aws.login}\n      userArn: arn:aws:iam::123456789012:user/app',
    'fn::rotate:\n  provider: ${1:aws-iam}\n  inputs:\n    ${2}',
  ),
  doc(
    'fn::secret',
    'fn-secret',
    'Mark a value as secret',
    'A plaintext argument is secret but readable in the file (esc-local warns and offers to encrypt it); `{ciphertext: ...}` holds the value encrypted with the workspace data key. Secret values are shown as `[secret]` unless revealed.',
    'password:\n  fn::secret:\n    ciphertext: ZXNjeAAAAAE...',
    'fn::secret: ${1:value}',
  ),
  doc(
    'fn::join',
    'fn-join',
    'Join a list of strings with a delimiter',
    'The argument is a two-element list: the delimiter and the list of strings.',
    'hosts:\n  fn::join: [",", ["a.example.com", "b.example.com"]]',
    'fn::join: ["${1:,}", ${2:[]}]',
  ),
  doc(
    'fn::split',
    undefined,
    'Split a string into a list of strings at a delimiter',
    'The argument is a two-element list: the delimiter and the string to split.',
    'hosts:\n  fn::split: [",", "a.example.com,b.example.com"]',
    'fn::split: ["${1:,}", ${2:""}]',
  ),
  doc(
    'fn::concat',
    'fn-concat',
    'Concatenate lists',
    'The argument is a list of lists; the result is one list with all their elements in order.',
    'all:\n  fn::concat:\n    - [a, b]\n    - ${more}',
    'fn::concat:\n  - ${1:[]}\n  - ${2:[]}',
  ),
  doc(
    'fn::toJSON',
    'fn-to-json',
    'Encode a value as a JSON string',
    'Secret values stay secret: the resulting string is secret if any part of the input is.',
    'config:\n  fn::toJSON:\n    port: 8080\n    debug: false',
    'fn::toJSON: ${1:value}',
  ),
  doc(
    'fn::fromJSON',
    'fn-from-json',
    'Decode a JSON string into a value',
    'Useful to unpack JSON secrets read by providers such as `aws-secrets`.',
    'db:\n  fn::fromJSON: ${aws.secrets.db-creds}',
    'fn::fromJSON: ${1:value}',
  ),
  doc(
    'fn::toString',
    'fn-to-string',
    'Convert a value to a string',
    'Strings are returned unchanged; other values are rendered as JSON.',
    'port:\n  fn::toString: 8080',
    'fn::toString: ${1:value}',
  ),
  doc(
    'fn::toBase64',
    'fn-to-base64',
    'Encode a string as base64',
    'The argument must be a string.',
    'encoded:\n  fn::toBase64: hello',
    'fn::toBase64: ${1:value}',
  ),
  doc(
    'fn::fromBase64',
    'fn-from-base64',
    'Decode a base64 string',
    'The argument must be a base64 string; the result is the decoded string.',
    'decoded:\n  fn::fromBase64: aGVsbG8=',
    'fn::fromBase64: ${1:value}',
  ),
  doc(
    'fn::final',
    undefined,
    'Mark a value as final: environments importing this one cannot override it',
    'An importing environment that defines the same path gets a diagnostic instead of silently replacing the value.',
    'region:\n  fn::final: us-west-2',
    'fn::final: ${1:value}',
  ),
  doc(
    'fn::validate',
    undefined,
    'Validate a value against a JSON schema and evaluate to the value',
    'The argument is `{schema, value}`; a value that does not match the schema is reported at the value.',
    'port:\n  fn::validate:\n    schema: {type: number, minimum: 1024}\n    value: 8080',
    'fn::validate:\n  schema:\n    type: ${1:string}\n  value: ${2:value}',
  ),
];
}

function key(name: string, page: string, summary: string, body: string, snippet: string): TopLevelKeyDoc {
  const url = `${REF}/${page}/`;
  return { name, summary, docs: [`**${name}** — ${summary}.`, body, `[Documentation](${url})`].join('\n\n'), url, snippet };
}

let topLevelKeys: readonly TopLevelKeyDoc[] | undefined;

/** Reserved keys: `imports` and `values` at the top of the document, the others under `values` (built on the first call). */
export function topLevelKeyDocs(): readonly TopLevelKeyDoc[] {
  return (topLevelKeys ??= buildTopLevelKeyDocs());
}

function buildTopLevelKeyDocs(): TopLevelKeyDoc[] {
  return [
  key(
    'imports',
    'top-level-keys/imports',
    'Environments whose values are merged into this one, in order',
    'A list of environment names (`credentials/aws-creds` is the file `environments/credentials/aws-creds.yaml`). Later imports override earlier ones and this environment\'s `values` override all of them. An entry `{name: {merge: false}}` imports without merging, for use through `${imports.name...}`.',
    'imports:\n  - ${1:environment}',
  ),
  key(
    'values',
    'top-level-keys/values',
    'The environment\'s configuration and secrets',
    'Any YAML value, with `${...}` interpolation, `fn::` builtins and the reserved keys `environmentVariables`, `files` and `pulumiConfig`.',
    'values:\n  ${1:key}: ${2:value}',
  ),
  key(
    'environmentVariables',
    'reserved-properties/environment-variables',
    'Environment variables to export (under `values`)',
    'A map from variable names to strings. `esc-local open ENV --format dotenv|shell` prints them; `esc run` exports them.',
    'environmentVariables:\n  ${1:NAME}: ${2:value}',
  ),
  key(
    'files',
    'reserved-properties/files',
    'Contents of temporary files whose paths are exported as environment variables (under `values`)',
    'A map from variable names to file contents. A consumer writes each value to a temporary file and sets the variable to its path.',
    'files:\n  ${1:NAME}: ${2:contents}',
  ),
  key(
    'pulumiConfig',
    'reserved-properties/pulumi-config',
    'Configuration handed to Pulumi stacks that import this environment (under `values`)',
    'Keys are Pulumi configuration keys (`aws:region`, `myKey`); values may be secrets.',
    'pulumiConfig:\n  ${1:key}: ${2:value}',
  ),
];
}
