/**
 * `esc-local open ENV [PATH]`: evaluates an environment with its providers run (aws-login calls
 * STS) and ciphertexts decrypted in the core, and prints it — redacted unless --show-secrets.
 */
import * as path from 'node:path';
import type { Value } from '../../../../shared/src/value/value';
import { unrotatedValues } from '../../core/rotation/unrotated';
import { optionValue } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../exitCodes';
import { OPEN_FORMATS, renderOpen, valueAt, type OpenFormat } from '../../output/outputFormats';
import { SECRET_PLACEHOLDER } from '../../output/redaction';
import { parsePropertyPath } from '../propertyPathArgument';
import { printEvalDiagnostics } from './diagnosticOutput';

export const openCommand: Command = {
  name: 'open',
  summary: 'Evaluate an environment (providers run) and print it, redacted by default',
  usage: 'open ENV [PATH] [--format json|yaml|dotenv|shell|string] [--show-secrets]',
  description: [
    'Opens the environment as ESC does: imports merged, providers run (aws-login assumes its role',
    'with the managing credentials from the keychain), secrets decrypted with the workspace data',
    'key. Secret values print as [secret] unless --show-secrets is given.',
    '',
    'PATH selects one value (e.g. aws.login or list[0]). dotenv/shell print environmentVariables',
    '(string values, sorted) and, for each entry of files, a variable holding the path of a',
    'temporary file (mode 0600) with its contents; secret file contents are written only with',
    '--show-secrets. shell output is single-quoted, safe for `eval "$(esc-local open ENV --format',
    'shell --show-secrets)"`.',
  ].join('\n'),
  options: [
    { name: 'format', short: 'f', value: 'FORMAT', choices: OPEN_FORMATS, description: 'output format (default json)' },
    { name: 'show-secrets', description: 'print secret values in plaintext' },
  ],
  args: { min: 1, max: 2 },
  examples: ['esc-local open app/dev', 'esc-local open app/dev aws.iam.current.accessKeyId --format string', 'esc-local open app/dev --format dotenv --show-secrets > .env'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]);
    const format = (optionValue(args, 'format') ?? 'json') as OpenFormat;
    const keys = args.positionals[1] !== undefined ? parsePropertyPath(args.positionals[1]) : undefined;
    if ((format === 'dotenv' || format === 'shell') && keys) throw new CliError(`output format ${format} may not be used with a property path`, EXIT.usage);
    const reveal = args.flags.has('show-secrets');
    const root = await openOrFail(ctx, env.name);
    if (keys && valueAt(root, keys) === undefined) {
      throw new CliError(`${env.name} has no value at ${args.positionals[1]}`, EXIT.failed, `\`esc-local open ${env.name}\` shows every value`);
    }
    const rendered = renderOpen(root, { format, reveal, ...(keys ? { path: keys } : {}) });
    ctx.ui.write(rendered.text);
    for (const skipped of rendered.projection?.skipped ?? []) ctx.ui.warn(`skipped ${skipped}`);
    const redacted = rendered.projection?.redacted ?? 0;
    if (redacted > 0 && !ctx.ui.streams.stdout.isTTY) {
      // Redirected output (`> .env`, `eval "$(…)"`) with [secret] in it is broken, not safe: say so.
      ctx.ui.warn(
        `${redacted} secret value${redacted === 1 ? ' was' : 's were'} written as ${SECRET_PLACEHOLDER}, not the value: pass --show-secrets to write them, or use \`esc-local run ${env.name} -- COMMAND\` to give them to a program without writing them anywhere`,
      );
    }
    if (rendered.projection && rendered.projection.files.length > 0) {
      ctx.ui.info(`wrote ${rendered.projection.files.length} temporary file(s) for \`files\` (mode 0600); delete them when done`);
    }
    return EXIT.ok;
  },
};

/** Opens an environment (providers run) or throws with its diagnostics printed; the root value. */
export async function openOrFail(ctx: CliContext, name: string): Promise<Value> {
  ctx.ui.progress(`opening ${name}`);
  const result = await ctx.core.open(name, ctx.signal ? { signal: ctx.signal } : {});
  const errors = [...result.loadDiagnostics, ...result.diagnostics].filter((d) => d.severity === 1);
  if (errors.length > 0 || result.environment === undefined) {
    printEvalDiagnostics(ctx, name, [...result.loadDiagnostics, ...result.diagnostics]);
    throw new CliError(`${name} could not be opened (${errors.length} error${errors.length === 1 ? '' : 's'})`, EXIT.failed, rotateFirstHint(ctx, name) ?? 'see `esc-local check` for all diagnostics');
  }
  return { value: result.environment.properties, trace: {} };
}

/**
 * When values of the environment or its imports were never rotated (no outputs yet, so reading
 * `current` fails), the hint names each rotation to run first, with its file and line.
 */
function rotateFirstHint(ctx: CliContext, environment: string): string | undefined {
  const readText = (name: string): string | undefined => {
    const file = ctx.workspace.fileFor(name);
    // Read by the shared rule (regular file inside the workspace); a refused file gives no hint.
    try {
      return file === undefined ? undefined : ctx.workspace.readFile(file, name);
    } catch {
      return undefined;
    }
  };
  const pending = unrotatedValues(environment, readText);
  if (pending.length === 0) return undefined;
  const lines = pending.map((p) => {
    const file = ctx.workspace.fileFor(p.environment);
    const where = file === undefined ? p.environment : `${path.relative(ctx.cwd, file) || file}:${p.line}:${p.column}`;
    return `  ${where}: ${p.path} (${p.rotator}) in ${p.environment} has no state yet`;
  });
  const commands = [...new Set(pending.map((p) => `esc-local rotate ${p.environment}`))];
  return [`${pending.length === 1 ? 'a rotation has' : 'rotations have'} not run yet, so their outputs (current, previous) do not exist:`, ...lines, `run first: ${commands.join(' && ')}`].join('\n');
}
