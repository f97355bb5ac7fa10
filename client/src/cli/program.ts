/**
 * The command-line program over a table of commands: argv → command → exit code, with help,
 * usage errors and exit codes (exitCodes.ts). Results go to stdout, progress and errors to stderr.
 * Two bundles run it: the full CLI (main.ts, every command) and the check-only one
 * (checkMain.ts), which the executable (bin.ts) picks for `esc-local check` to start faster.
 */
import { didYouMean } from '../../../shared/src/schema/suggest';
import { describeError } from '../core/errors';
import { parseArgs, type OptionSpec } from './args';
import type { Command } from './command';
import { isValuedGlobalOption } from './commandWord';
import { CliContext, type CoreFactory, type GlobalOptions } from './context';
import { directOutput, type OutputStream } from './directOutput';
import { CliError, exitCodeFor, EXIT, UsageError } from './exitCodes';
import { commandHelp, GLOBAL_OPTIONS, mainHelp } from './help';
import type { SecretInput } from './prompt';
import { escapeControl, Ui } from './ui';
import { VERSION } from './version';

/** What a program runs: its commands (in `--help` order) and, for commands that rotate, the core. */
export interface Program {
  commands: readonly Command[];
  createCore?: CoreFactory;
  /**
   * Its commands only write text, and leave nothing running once they return (no child, timer or
   * delivery in flight), as `check`: output goes straight to the descriptors (./directOutput.ts),
   * and the process exits as soon as it is written instead of waiting for the event loop to drain
   * and V8 to free its heap. Both are milliseconds of `check`'s start-up budget.
   */
  lightProcess?: boolean;
}

export interface CliProcess {
  argv: string[];
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: SecretInput['stdin'];
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
}

/** Splits argv into the command path (`credentials set`) and the rest, skipping global options and their values. */
function splitCommand(argv: readonly string[], commands: readonly Command[]): { path: Command[]; rest: string[] } {
  const path: Command[] = [];
  const rest: string[] = [];
  let level: readonly Command[] | undefined = commands;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (isValuedGlobalOption(arg)) {
      rest.push(arg, ...(i + 1 < argv.length ? [argv[++i]] : []));
      continue;
    }
    if (!arg.startsWith('-') && level !== undefined) {
      const found: Command | undefined = level.find((c) => c.name === arg);
      if (found === undefined) {
        if (path.length === 0 || path[path.length - 1].subcommands) {
          const names = level.map((c) => c.name);
          const guess = didYouMean(arg, names);
          const where = path.length === 0 ? '' : ` ${path.map((c) => c.name).join(' ')}`;
          throw new UsageError(`unknown command "esc-local${where} ${arg}"`, guess ? `did you mean "${guess}"?` : `commands: ${names.join(', ')}`);
        }
        rest.push(arg);
        level = undefined;
        continue;
      }
      path.push(found);
      level = found.subcommands;
      continue;
    }
    rest.push(arg);
  }
  return { path, rest };
}

export async function runProgram(program: Program, proc: CliProcess): Promise<number> {
  const argv = proc.argv;
  const preliminary = new Ui({ stdout: proc.stdout, stderr: proc.stderr, env: proc.env, color: argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined });
  let ui = preliminary;
  let usage: string | undefined;
  try {
    if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))) {
      ui.write(mainHelp(program.commands, VERSION, ui.out));
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (argv[0] === '--version' || argv[0] === 'version') {
      ui.print(VERSION);
      return EXIT.ok;
    }
    const helpFor = argv[0] === 'help';
    const { path, rest } = splitCommand(helpFor ? argv.slice(1) : argv, program.commands);
    if (path.length === 0) throw new UsageError(`no command given`, 'run `esc-local --help` for the commands');
    const command = path[path.length - 1];
    const commandPath = path.map((c) => c.name).join(' ');
    usage = `esc-local ${command.usage}`;
    const specs: OptionSpec[] = [...command.options, ...GLOBAL_OPTIONS];
    const args = parseArgs(rest, specs, command.passthroughAfter);
    if (helpFor || args.flags.has('help') || (command.subcommands && args.positionals.length === 0 && command.run === undefined)) {
      ui.write(commandHelp(command, commandPath, ui.out));
      return helpFor || args.flags.has('help') ? EXIT.ok : EXIT.usage;
    }
    if (command.run === undefined) throw new UsageError(`"esc-local ${commandPath}" needs a sub-command`);
    if (args.positionals.length < command.args.min) throw new UsageError(`missing argument${command.args.min - args.positionals.length > 1 ? 's' : ''}`);
    if (args.positionals.length > command.args.max) throw new UsageError(`unexpected argument "${args.positionals[command.args.max]}"`);
    ui = new Ui({
      stdout: proc.stdout,
      stderr: proc.stderr,
      env: proc.env,
      color: args.flags.has('no-color') ? false : args.flags.has('color') ? true : undefined,
      quiet: args.flags.has('quiet'),
    });
    const global: GlobalOptions = {
      workspace: args.values.get('workspace')?.[0],
      environmentsRoot: args.values.get('environments-root')?.[0],
      keychainService: args.values.get('keychain-service')?.[0],
    };
    // stdin is read through a getter: `process.stdin` costs milliseconds to create, and only
    // commands that prompt or read piped secrets use it.
    const input: SecretInput = {
      get stdin() {
        return proc.stdin;
      },
      stderr: proc.stderr,
    };
    const ctx = new CliContext({ ui, input, cwd: proc.cwd, env: proc.env, signal: proc.signal, createCore: program.createCore }, global);
    return await command.run(ctx, args);
  } catch (e) {
    if (e instanceof UsageError) {
      ui.error(e.message, e.hint);
      if (usage) ui.info(`usage: ${usage}  (see --help)`);
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      ui.error(e.message, e.hint);
      return e.exitCode;
    }
    if (proc.signal?.aborted) {
      ui.error('interrupted');
      return EXIT.interrupted;
    }
    // Core errors carry their location and hint in the message, and never a secret.
    ui.error(describeError(e));
    return exitCodeFor(e);
  }
}

/** Runs `program` as the process: argv, stdio, exit code, Ctrl-C (./bin.ts is the executable). */
export function runAsProcess(program: Program): void {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    // A command that installed its own handler (`run` forwards signals to its child) owns Ctrl-C.
    if (process.listenerCount('SIGINT') > 1) return;
    // First Ctrl-C cancels cleanly (a rotation finishes its current step and stops); a second one exits.
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error('interrupted'));
  });
  const light = program.lightProcess === true;
  // The light path creates the process streams only if a write falls back to them (./directOutput).
  const stdout = light ? directOutput(1, () => readerMayLeave(process.stdout)) : readerMayLeave(process.stdout);
  const stderr = light ? directOutput(2, () => readerMayLeave(process.stderr)) : readerMayLeave(process.stderr);
  runProgram(program, {
    argv: process.argv.slice(2),
    stdout,
    stderr,
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        stderr.write(escapeControl(`esc-local: internal error: ${describeError(e)}\n`));
        process.exitCode = EXIT.failed;
      },
    )
    .then(() => {
      if (light) exitOnceWritten([stdout, stderr]);
    });
}

/**
 * `stream`, which from now on drops what is written after its reader has gone (EPIPE:
 * `esc-local schema | head`) instead of crashing on the unhandled stream error. The command runs
 * on to its end, as it would with its output redirected to /dev/null: a rotation or a write
 * interrupted half-way by a closed pipe is worse than output nobody reads. Any other write error
 * is thrown as before.
 */
function readerMayLeave<T extends OutputStream>(stream: T): T {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  return stream;
}

/** `process.exit` once `outputs` have written everything given to them (an empty write's callback comes after theirs). */
function exitOnceWritten(outputs: readonly OutputStream[]): void {
  let pending = outputs.length;
  const written = (): void => {
    if (--pending === 0) process.exit();
  };
  for (const output of outputs) output.write('', written);
}
