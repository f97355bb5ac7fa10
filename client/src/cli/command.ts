/** The shape of a CLI command and the context it runs in. */
import type { OptionSpec, ParsedArgs } from './args';
import type { CliContext } from './context';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage after `esc-local`, e.g. `open ENV [PATH] [options]`. */
  usage: string;
  /** Paragraphs for --help. */
  description: string;
  options: OptionSpec[];
  /** Positional argument count bounds. */
  args: { min: number; max: number };
  examples?: string[];
  /** Sub-commands (`credentials set`); a group has no `run` of its own. */
  subcommands?: Command[];
  run?(ctx: CliContext, args: ParsedArgs): Promise<number>;
}
