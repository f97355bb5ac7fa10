/**
 * `esc-local run ENV [--] COMMAND [ARGS…]`: runs a program with an environment's
 * `environmentVariables` exported and its `files` written to private temporary files (like
 * `esc run`). The child's stdout/stderr are passed through a secret mask unless
 * `--interactive`; signals are forwarded; the exit code is the child's (128+N when a signal
 * N ended it). Secrets travel only in the child's environment, never in process arguments.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../exitCodes';
import { projectEnvironment } from '../../output/outputFormats';
import { maskingStream, secretStrings } from '../secretMask';
import { openOrFail } from './openCommand';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

type ChildOutcome = { code: number | null; signal: NodeJS.Signals | null } | { error: NodeJS.ErrnoException };

/**
 * Forwards SIGINT/SIGTERM/SIGHUP to the child until `dispose`. A Ctrl-C typed on a terminal
 * already reaches the child (it shares our foreground process group), so SIGINT is forwarded
 * only when stdin is not a terminal: a second copy would look like a second Ctrl-C to it.
 */
function forwardSignals(child: ChildProcess): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

/** Pipes a child's output through the mask to our stream (not ending ours); resolves when drained. */
function masked(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, secrets: readonly string[]): Promise<void> {
  const mask = maskingStream(secrets);
  from.pipe(mask).pipe(to, { end: false });
  return finished(mask);
}

function exitCodeOf(outcome: Exclude<ChildOutcome, { error: unknown }>): number {
  if (outcome.code !== null) return outcome.code;
  return 128 + (outcome.signal ? (os.constants.signals[outcome.signal] ?? 0) : 0);
}

async function runChild(ctx: CliContext, command: string, commandArgs: string[], env: NodeJS.ProcessEnv, secrets: readonly string[], interactive: boolean): Promise<number> {
  const child = spawn(command, commandArgs, { cwd: ctx.cwd, env, stdio: interactive ? 'inherit' : ['inherit', 'pipe', 'pipe'] });
  const stopForwarding = forwardSignals(child);
  try {
    const drained = interactive ? [] : [masked(child.stdout!, ctx.ui.streams.stdout, secrets), masked(child.stderr!, ctx.ui.streams.stderr, secrets)];
    const outcome = await new Promise<ChildOutcome>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    if ('error' in outcome) {
      if (outcome.error.code === 'ENOENT') throw new CliError(`command not found: ${command}`, EXIT.commandNotFound, 'check the name and PATH (use `--` before the command if it has options of its own)');
      if (outcome.error.code === 'EACCES') throw new CliError(`command not executable: ${command}`, EXIT.cannotRun);
      throw new CliError(`could not start ${command}: ${outcome.error.message}`, EXIT.cannotRun);
    }
    await Promise.all(drained);
    return exitCodeOf(outcome);
  } finally {
    stopForwarding();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a command with an environment\'s variables and files, secrets masked in its output',
  usage: 'run ENV [--] COMMAND [ARGS…] [--interactive]',
  description: [
    'Opens ENV (providers run, secrets decrypted), exports its environmentVariables and, for each',
    'entry of files, a variable holding the path of a temporary file (mode 0600, in a private',
    'folder) with its content, then runs COMMAND. The files are removed when COMMAND exits, also',
    'when a signal ends it. SIGINT, SIGTERM and SIGHUP are forwarded; the exit code is COMMAND\'s',
    '(128+N when signal N ended it; 127 when it is not found).',
    '',
    'COMMAND\'s stdout and stderr are scanned and every secret value of ENV is replaced by',
    '[secret], also when it is written in pieces. With --interactive the terminal is connected',
    'directly (for programs that need a TTY); nothing is masked then.',
    '',
    'Everything after COMMAND belongs to it (its options are not esc-local\'s); `--` before',
    'COMMAND is optional.',
  ].join('\n'),
  options: [{ name: 'interactive', short: 'i', description: 'connect the terminal directly (no output masking)' }],
  args: { min: 2, max: Infinity },
  passthroughAfter: 1,
  examples: ['esc-local run app/dev -- npm start', 'esc-local run app/dev aws sts get-caller-identity', 'esc-local run -i app/dev -- psql "$DATABASE_URL"'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]);
    const [command, ...commandArgs] = args.positionals.slice(1);
    const interactive = args.flags.has('interactive');
    const root = await openOrFail(ctx, env.name);
    const projection = projectEnvironment(root, true);
    for (const skipped of projection.skipped) ctx.ui.warn(`skipped ${skipped}`);
    const tempDir = projection.files.length > 0 ? path.dirname(projection.files[0]) : undefined;
    try {
      const secrets = secretStrings(root);
      ctx.ui.progress(
        `running ${command} with ${env.name}: ${projection.pairs.length - projection.files.length} variable(s), ${projection.files.length} file(s)` +
          (interactive ? ', output not masked (--interactive)' : `, ${secrets.length} secret value(s) masked in its output`),
      );
      return await runChild(ctx, command, commandArgs, { ...ctx.env, ...Object.fromEntries(projection.pairs) }, secrets, interactive);
    } finally {
      if (tempDir !== undefined) fs.rmSync(tempDir, { recursive: true, force: true });
    }
  },
};
