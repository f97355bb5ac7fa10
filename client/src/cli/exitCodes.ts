/**
 * Exit codes and the mapping of failures to them: `EXIT_CODES` is the one table; `--help`
 * prints it and docs/cli.md carries the same rows (a test compares them).
 */
import { CoreError } from '../core/errors';

/** code → meaning, in the order printed. */
export const EXIT_CODES: ReadonlyArray<{ code: number; meaning: string }> = [
  { code: 0, meaning: 'success (`check`: no errors; warnings allowed)' },
  { code: 1, meaning: 'the operation failed (a rotation failed, timed out or found drift — missing managing AWS credentials included), or `check` found errors' },
  { code: 2, meaning: 'usage error (unknown command/option, bad or missing argument, bad `--cron`/`--tz`, bad tag name, webhook URL breaking the URL rule)' },
  { code: 3, meaning: 'not found: environment, revision or tag, schedule, webhook, keychain entry to forget' },
  { code: 4, meaning: 'keychain: unavailable or locked, or the workspace data key is missing' },
  { code: 5, meaning: "busy: another rotation holds the environment's lock (see `--wait`)" },
  { code: 126, meaning: '`run`: the command could not be started (otherwise `run` exits with its code, 128+N after signal N)' },
  { code: 127, meaning: '`run`: the command was not found' },
  { code: 130, meaning: 'interrupted (Ctrl-C: the first one cancels cleanly, a second exits)' },
];

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  keychain: 4,
  busy: 5,
  cannotRun: 126,
  commandNotFound: 127,
  interrupted: 130,
} as const;

/** A command-line mistake: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the CLI itself detects (not from the core), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof CoreError) {
    switch (e.code) {
      case 'EnvironmentNotFound':
        return EXIT.notFound;
      case 'KeychainUnavailable':
      case 'DataKeyMissing':
        return EXIT.keychain;
      case 'Locked':
        return EXIT.busy;
      case 'Cancelled':
        return EXIT.interrupted;
      default:
        return EXIT.failed;
    }
  }
  return EXIT.failed;
}
