/**
 * A small, strict argument parser: long options (`--name value`, `--name=value`), short
 * aliases (`-f json`), boolean flags, repeatable options, `--` ending options. Unknown options
 * are usage errors with a "did you mean".
 */
import { didYouMean } from '../../../shared/src/schema/suggest';
import { UsageError } from './exitCodes';

export interface OptionSpec {
  /** Long name without dashes, e.g. `format`. */
  name: string;
  short?: string;
  /** Placeholder of the value (`FORMAT`); absent for boolean flags. */
  value?: string;
  description: string;
  repeatable?: boolean;
  /** Allowed values (checked, and listed in help). */
  choices?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string[]>;
}

/**
 * `passthroughAfter`: once this many positionals were seen, the next positional and everything
 * after it are positionals as they are (a child command's own options, as in `run ENV cmd -x`).
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], passthroughAfter?: number): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map() };
  let i = 0;
  const take = (spec: OptionSpec, inline: string | undefined, shown: string): void => {
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`option ${shown} takes no value`);
      parsed.flags.add(spec.name);
      return;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option ${shown} needs a value (${spec.value})`);
      value = argv[++i];
    }
    if (spec.choices && !spec.choices.includes(value)) {
      const guess = didYouMean(value, spec.choices);
      throw new UsageError(`${shown} must be one of ${spec.choices.join(', ')}; got "${value}"`, guess ? `did you mean ${guess}?` : undefined);
    }
    const list = parsed.values.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new UsageError(`option ${shown} given more than once`);
    list.push(value);
    parsed.values.set(spec.name, list);
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byLong.get(name);
      if (!spec) {
        const guess = didYouMean(name, byLong.keys());
        throw new UsageError(`unknown option --${name}`, guess ? `did you mean --${guess}?` : 'see --help for the options');
      }
      take(spec, eq >= 0 ? arg.slice(eq + 1) : undefined, `--${name}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const short = arg.slice(1, 2);
      const spec = byShort.get(short);
      if (!spec) throw new UsageError(`unknown option -${short}`, 'see --help for the options');
      const rest = arg.slice(2);
      if (spec.value === undefined && rest !== '') throw new UsageError(`option -${short} takes no value`);
      take(spec, rest === '' ? undefined : rest, `-${short}`);
    } else if (passthroughAfter !== undefined && parsed.positionals.length >= passthroughAfter) {
      parsed.positionals.push(...argv.slice(i));
      break;
    } else {
      parsed.positionals.push(arg);
    }
  }
  return parsed;
}

export function optionValue(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

export function optionValues(args: ParsedArgs, name: string): string[] {
  return args.values.get(name) ?? [];
}
