/**
 * `esc-local credentials set|forget|list`: managing AWS credentials in the OS keychain. The
 * secret access key (and session token) is read from a hidden prompt or from standard input,
 * never from the command line; `list` shows names only.
 */
import { optionValue, type ParsedArgs } from '../args';
import { commandGroup, type Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../exitCodes';
import { readAllStdin, readSecrets } from '../prompt';

interface ParsedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Accepts `{accessKeyId, secretAccessKey, sessionToken}` or the AWS CLI's `{AccessKeyId, SecretAccessKey, SessionToken}`. */
function fromJson(text: string): ParsedCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const o = parsed as Record<string, unknown>;
  const pick = (a: string, b: string): string | undefined => {
    const v = o[a] ?? o[b];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const accessKeyId = pick('accessKeyId', 'AccessKeyId');
  const secretAccessKey = pick('secretAccessKey', 'SecretAccessKey');
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = pick('sessionToken', 'SessionToken');
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

async function readCredentials(ctx: CliContext, args: ParsedArgs): Promise<ParsedCredentials> {
  const accessKeyId = optionValue(args, 'access-key-id');
  const withToken = args.flags.has('session-token');
  if (!ctx.input.stdin.isTTY && accessKeyId === undefined) {
    const text = await readAllStdin(ctx.input.stdin);
    const creds = fromJson(text.trim());
    if (creds === undefined) {
      throw new CliError(
        'standard input is not a JSON object with accessKeyId and secretAccessKey',
        EXIT.usage,
        'pipe JSON (e.g. `aws configure export-credentials --format process | esc-local credentials set NAME`) or give --access-key-id and pipe the secret access key alone',
      );
    }
    return creds;
  }
  if (accessKeyId === undefined) throw new UsageError('give --access-key-id (the id is not secret) or pipe the credentials as JSON on standard input');
  if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) throw new UsageError(`"${accessKeyId}" does not look like an AWS access key id`);
  const questions = [{ prompt: 'AWS secret access key: ', required: true }];
  if (withToken) questions.push({ prompt: 'AWS session token: ', required: true });
  const [secretAccessKey, sessionToken] = await readSecrets(ctx.input, questions);
  return withToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

const set: Command = {
  name: 'set',
  summary: 'Store managing AWS credentials in the OS keychain',
  usage: 'credentials set NAME [--access-key-id ID [--session-token]]',
  description: [
    'Stores managing credentials under NAME in the OS keychain. NAME is either a role ARN (used by',
    'aws-login `oidc` blocks for that role) or any name; `default` is used when no entry matches.',
    '',
    'The secret access key is never taken from the command line: with --access-key-id it is',
    'prompted for without echo (or read from the first line of standard input when piped, the',
    'session token from the second); without it, standard input must be JSON with',
    'accessKeyId/secretAccessKey[/sessionToken] (the AWS CLI\'s AccessKeyId/... also works).',
  ].join('\n'),
  options: [
    { name: 'access-key-id', value: 'ID', description: 'the access key id (not secret)' },
    { name: 'session-token', description: 'also read a session token (temporary credentials)' },
  ],
  args: { min: 1, max: 1 },
  examples: [
    'esc-local credentials set default --access-key-id AKIAIOSFODNN7EXAMPLE',
    'aws configure export-credentials --format process | esc-local credentials set arn:aws:iam::123456789012:role/esc-rotator',
  ],
  async run(ctx, args) {
    const name = args.positionals[0];
    const creds = await readCredentials(ctx, args);
    await ctx.keychain.setAwsCredentials(name, creds);
    ctx.ui.info(`${ctx.ui.err.green('✓')} stored managing credentials "${name}" (access key ${creds.accessKeyId}) in the OS keychain (service "${ctx.keychain.service}")`);
    return EXIT.ok;
  },
};

const forget: Command = {
  name: 'forget',
  summary: 'Remove managing credentials from the OS keychain',
  usage: 'credentials forget NAME',
  description: 'Removes the keychain entry NAME. Exit code 3 if there was none.',
  options: [],
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const name = args.positionals[0];
    if (!(await ctx.keychain.forgetAwsCredentials(name))) {
      throw new CliError(`no managing credentials named "${name}" in the OS keychain`, EXIT.notFound, 'see `esc-local credentials list`');
    }
    ctx.ui.info(`${ctx.ui.err.green('✓')} removed managing credentials "${name}"`);
    return EXIT.ok;
  },
};

const list: Command = {
  name: 'list',
  summary: 'List the names of stored managing credentials (never the secrets)',
  usage: 'credentials list [--json]',
  description: 'Prints one name per line (or a JSON array with --json). Secrets are never printed.',
  options: [{ name: 'json', description: 'print a JSON array' }],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const names = await ctx.keychain.listAwsCredentialNames();
    if (args.flags.has('json')) ctx.ui.print(JSON.stringify(names));
    else if (names.length === 0) ctx.ui.info('no managing credentials stored (add some with `esc-local credentials set NAME`)');
    else for (const n of names) ctx.ui.print(n);
    return EXIT.ok;
  },
};

export const credentialsCommand = commandGroup({
  name: 'credentials',
  summary: 'Manage the managing AWS credentials kept in the OS keychain',
  description: 'Managing credentials sign the AWS calls of rotations and of aws-login `oidc` blocks. They live only in the OS keychain.',
  subcommands: [set, forget, list],
});
