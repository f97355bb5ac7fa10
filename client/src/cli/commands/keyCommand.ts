/**
 * `esc-local key export|import`: moving the workspace data key between machines (it lives only
 * in the OS keychain; `.esc/workspace.json` holds just its fingerprint).
 */
import { commandGroup, type Command } from '../command';
import { CliError, EXIT } from '../exitCodes';
import { readSecrets } from '../prompt';

const exportKey: Command = {
  name: 'export',
  summary: 'Print the workspace data key (base64) to move it to another machine',
  usage: 'key export',
  description: 'Prints the data key to standard output so it can be piped into `esc-local key import` elsewhere. Refuses to print to a terminal unless --force: the key decrypts every secret of the workspace.',
  options: [{ name: 'force', description: 'print even when standard output is a terminal' }],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    if (ctx.ui.interactive && !args.flags.has('force')) {
      throw new CliError('refusing to print the data key to a terminal', EXIT.usage, 'pipe it (`esc-local key export | ssh other esc-local key import`) or pass --force');
    }
    const key = await ctx.workspace.dataKey({ create: false });
    ctx.ui.write(key.toString('base64') + '\n');
    return EXIT.ok;
  },
};

const importKey: Command = {
  name: 'import',
  summary: 'Store the workspace data key exported from another machine',
  usage: 'key import',
  description: 'Reads the base64 key from a hidden prompt or standard input and stores it in the OS keychain, after checking its fingerprint against .esc/workspace.json.',
  options: [],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const [key] = await readSecrets(ctx.input, [{ prompt: 'Data key (base64): ', required: true }]);
    await ctx.workspace.importDataKey(key);
    ctx.ui.info(`${ctx.ui.err.green('✓')} imported the workspace data key`);
    return EXIT.ok;
  },
};

export const keyCommand = commandGroup({
  name: 'key',
  summary: 'Export or import the workspace data key (kept in the OS keychain)',
  description: 'The data key encrypts the secrets of this workspace\'s files. It never leaves the keychain except through `key export`.',
  subcommands: [exportKey, importKey],
});
