/**
 * `esc-local`: the full command-line tool, every command (program.ts runs them). The executable
 * (bin.ts) loads it for every command but `check` and `--version`.
 */
import { EscCore } from '../core/index';
import { COMMANDS } from './commands/index';
import { runAsProcess, runProgram, type CliProcess, type Program } from './program';

export type { CliProcess };

const FULL_CLI: Program = { commands: COMMANDS, createCore: (options) => new EscCore(options) };

/** The whole program minus `process.exit`. */
export function runCli(proc: CliProcess): Promise<number> {
  return runProgram(FULL_CLI, proc);
}

export function main(): void {
  // The AWS SDK warns on every run that its future releases will need Node 22; that is noise for
  // CLI users and pollutes stderr in scripts. The SDK's own switch turns just that warning off.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runAsProcess(FULL_CLI);
}

if (require.main === module) main();
