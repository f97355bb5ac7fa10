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
  /** After this many positionals the rest of the line is passed through unparsed (see parseArgs). */
  passthroughAfter?: number;
  examples?: string[];
  /** Sub-commands (`credentials set`); a group has no `run` of its own. */
  subcommands?: Command[];
  run?(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

/** A command group (`credentials set|forget|list`): no options or arguments of its own; its usage lists the sub-commands. */
export function commandGroup(group: Pick<Command, 'name' | 'summary' | 'description'> & { subcommands: Command[] }): Command {
  return { ...group, usage: `${group.name} ${group.subcommands.map((c) => c.name).join('|')}`, options: [], args: { min: 0, max: 0 } };
}
