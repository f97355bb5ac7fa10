/**
 * `esc-local`: the command-line tool. Results go to stdout, progress and errors to stderr;
 * exit codes are listed in exitCodes.ts. `runCli` is the whole program minus `process.exit`.
 */
import { didYouMean } from '../../../shared/src/schema/suggest';
import { describeError } from '../core/errors';
import { parseArgs, type OptionSpec } from './args';
import type { Command } from './command';
import { COMMANDS } from './commands/index';
import { CliContext, type GlobalOptions } from './context';
import { CliError, exitCodeFor, EXIT, UsageError } from './exitCodes';
import { commandHelp, GLOBAL_OPTIONS, mainHelp } from './help';
import type { SecretInput } from './prompt';
import { escapeControl, Ui } from './ui';
import { VERSION } from './version';

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
function splitCommand(argv: readonly string[]): { path: Command[]; rest: string[] } {
  const path: Command[] = [];
  const rest: string[] = [];
  const valued = new Set(GLOBAL_OPTIONS.filter((o) => o.value).flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]));
  let level: readonly Command[] | undefined = COMMANDS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (valued.has(arg)) {
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

export async function runCli(proc: CliProcess): Promise<number> {
  const argv = proc.argv;
  const preliminary = new Ui({ stdout: proc.stdout, stderr: proc.stderr, env: proc.env, color: argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined });
  let ui = preliminary;
  let usage: string | undefined;
  try {
    if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))) {
      ui.write(mainHelp(COMMANDS, VERSION, ui.out));
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (argv[0] === '--version' || argv[0] === 'version') {
      ui.print(VERSION);
      return EXIT.ok;
    }
    const helpFor = argv[0] === 'help';
    const { path, rest } = splitCommand(helpFor ? argv.slice(1) : argv);
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
    const ctx = new CliContext({ ui, input: { stdin: proc.stdin, stderr: proc.stderr }, cwd: proc.cwd, env: proc.env, signal: proc.signal }, global);
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

/** Runs the CLI as the process: argv, stdio, exit code, Ctrl-C (./bin.ts is the executable). */
export function main(): void {
  // The AWS SDK warns on every run that its future releases will need Node 22; that is noise for
  // CLI users and pollutes stderr in scripts. The SDK's own switch turns just that warning off.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    // A command that installed its own handler (`run` forwards signals to its child) owns Ctrl-C.
    if (process.listenerCount('SIGINT') > 1) return;
    // First Ctrl-C cancels cleanly (a rotation finishes its current step and stops); a second one exits.
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error('interrupted'));
  });
  runCli({
    argv: process.argv.slice(2),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(escapeControl(`esc-local: internal error: ${describeError(e)}\n`));
      process.exitCode = EXIT.failed;
    },
  );
}

if (require.main === module) main();
