/**
 * The command word of a command line (`check` in `esc-local -w ../ws check app/dev`): the first
 * argument that is neither an option nor the value of a global option that takes one. The
 * executable (bin.ts) picks the bundle to load by it, and program.ts finds the command the same way.
 */
import { GLOBAL_OPTIONS } from './help';

const VALUED = new Set(GLOBAL_OPTIONS.filter((o) => o.value).flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]));

/** `--workspace`, `-w`, …: the next argument is this option's value. */
export function isValuedGlobalOption(arg: string): boolean {
  return VALUED.has(arg);
}

export function firstCommandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return undefined;
    if (isValuedGlobalOption(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}
