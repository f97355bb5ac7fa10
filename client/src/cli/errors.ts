/**
 * Exit codes and the mapping of failures to them. Scripts can rely on these:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success (for `check`: no errors; warnings allowed) |
 * | 1 | the operation failed or `check` found errors (details on stderr) |
 * | 2 | usage error: unknown command/option, missing or bad argument |
 * | 3 | not found: environment, revision, schedule or webhook |
 * | 4 | keychain: unavailable/locked, or a required entry (managing credentials, data key) missing |
 * | 5 | busy: another rotation of the environment holds its lock |
 * | 130 | interrupted (Ctrl-C) |
 */
import { CoreError } from '../core/errors';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  keychain: 4,
  busy: 5,
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
      case 'KeychainMissingEntry':
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
