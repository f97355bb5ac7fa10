/**
 * `esc-local check` alone, bundled apart (dist/cli-check.js) so that the command CI and
 * pre-commit hooks run most loads only the language core: no rotation core, no AWS, database,
 * keychain, cron or diff code. The executable (bin.ts) loads it when the command word is `check`;
 * the program and the command are the full CLI's (program.ts, commands/check.ts), so output and
 * exit codes are the same byte for byte.
 */
import { checkCommand } from './commands/checkCommand';
import { runAsProcess, runProgram, type CliProcess, type Program } from './program';

// A check only writes text and leaves nothing running (Program.lightProcess).
const CHECK_ONLY: Program = { commands: [checkCommand], lightProcess: true };

/** The program minus `process.exit`; scripts/code-cache.cjs runs it once to warm the code cache. */
export function runCli(proc: CliProcess): Promise<number> {
  return runProgram(CHECK_ONLY, proc);
}

export function main(): void {
  runAsProcess(CHECK_ONLY);
}
