/** `esc-local encrypt FILE…`: encrypt plaintext `fn::secret` values with the workspace data key. */
import type { Command } from '../command';
import { EXIT } from '../exitCodes';
import { reportHandEdits } from './notify';

export const encryptCommand: Command = {
  name: 'encrypt',
  summary: 'Encrypt the plaintext fn::secret values of environment files in place',
  usage: 'encrypt FILE|ENV…',
  description: [
    'Replaces every plaintext `fn::secret: value` with `fn::secret: {ciphertext: …}` (AES-256-GCM in',
    'ESC\'s escx envelope) using the workspace data key from the OS keychain, created on first use.',
    'Comments and formatting are kept; the file is replaced atomically and a revision is recorded',
    '(after a `save` revision of the edits made since the last one; ESC_LOCAL_RECORD_SAVES=0 turns that off).',
  ].join('\n'),
  options: [],
  args: { min: 1, max: Infinity },
  examples: ['esc-local encrypt environments/app/dev.yaml'],
  async run(ctx, args) {
    for (const arg of args.positionals) {
      const env = ctx.resolveEnvironment(arg);
      const result = await ctx.core.encryptFile(env.name, { trigger: 'cli' });
      await reportHandEdits(ctx, env.name, result);
      if (result.encrypted === 0) ctx.ui.print(`${env.name}: no plaintext secrets`);
      else ctx.ui.print(`${ctx.ui.out.green('✓')} ${env.name}: encrypted ${result.encrypted} secret${result.encrypted === 1 ? '' : 's'}${result.revision ? ` (revision ${result.revision.number})` : ''}`);
    }
    return EXIT.ok;
  },
};
