/** --help texts, generated from the command definitions so they never drift from the parser. */
import type { OptionSpec } from './args';
import type { Command } from './command';
import { EXIT_CODES } from './exitCodes';
import type { Palette } from './ui';

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'workspace', short: 'w', value: 'DIR', description: 'workspace folder (default: nearest folder upwards with .esc/ or environments/; env ESC_LOCAL_WORKSPACE)' },
  { name: 'environments-root', value: 'DIR', description: 'environments folder inside the workspace (default environments; env ESC_LOCAL_ENVIRONMENTS_ROOT)' },
  { name: 'keychain-service', value: 'NAME', description: 'OS keychain service name (default esc-local; env ESC_LOCAL_KEYCHAIN_SERVICE)' },
  { name: 'color', description: 'force colours' },
  { name: 'no-color', description: 'no colours (also NO_COLOR=1); colours are used only on a terminal' },
  { name: 'quiet', short: 'q', description: 'no progress or informational messages on stderr' },
  { name: 'help', short: 'h', description: 'show help' },
];

function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length), 0) + 2;
  return options.map((o, i) => {
    const choices = o.choices ? ` (${o.choices.join('|')})` : '';
    return `  ${left[i].padEnd(width)}${o.description}${choices}`;
  });
}

export function commandHelp(command: Command, path: string, p: Palette): string {
  const lines = [`${p.bold('Usage:')} esc-local ${command.usage}`, '', command.description];
  if (command.subcommands) {
    lines.push('', p.bold('Commands:'));
    const width = Math.max(...command.subcommands.map((c) => c.name.length)) + 2;
    for (const sub of command.subcommands) lines.push(`  ${`${sub.name}`.padEnd(width)}${sub.summary}`);
    lines.push('', `Run \`esc-local ${path} COMMAND --help\` for a command's options.`);
  }
  if (command.options.length > 0) lines.push('', p.bold('Options:'), ...optionLines(command.options));
  if (command.examples && command.examples.length > 0) lines.push('', p.bold('Examples:'), ...command.examples.map((e) => `  ${e}`));
  lines.push('', p.bold('Global options:'), ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n') + '\n';
}

export function mainHelp(commands: readonly Command[], version: string, p: Palette): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `${p.bold('esc-local')} ${version} — check, open and rotate Pulumi ESC environment files locally`,
    '',
    `${p.bold('Usage:')} esc-local COMMAND [arguments] [options]`,
    '',
    p.bold('Commands:'),
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    p.bold('Global options:'),
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run `esc-local COMMAND --help` for details.',
    '',
    p.bold('Exit codes:'),
    ...EXIT_CODES.map((e) => `  ${String(e.code).padEnd(5)}${e.meaning}`),
    '',
  ].join('\n');
}
