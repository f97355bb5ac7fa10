/** `esc-local webhook add|list|rm|secret`: rotation webhooks (`.esc/webhooks.json`, secrets in the keychain). */
import { validateWebhookUrl, WebhookStore } from '../../core/webhook';
import { WebhookSecrets } from '../../core/webhook-secrets';
import { optionValue } from '../args';
import { commandGroup, type Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { readSecrets } from '../prompt';

function stores(ctx: CliContext): { hooks: WebhookStore; secrets: WebhookSecrets } {
  return { hooks: new WebhookStore(ctx.escDir), secrets: new WebhookSecrets(ctx.keychainService) };
}

async function readSigningSecret(ctx: CliContext): Promise<string> {
  const [secret] = await readSecrets(ctx.input, [{ prompt: 'Signing secret (at least 16 characters): ', required: true }]);
  return secret;
}

const add: Command = {
  name: 'add',
  summary: 'Send a signed JSON POST to URL after each rotation',
  usage: 'webhook add URL [--env ENV]',
  description: [
    'Adds a webhook for one environment (--env) or for every environment of the workspace.',
    'The signing secret is prompted for without echo (or read from standard input) and kept in',
    'the OS keychain; each POST carries `X-Esc-Local-Signature-256: sha256=<HMAC-SHA256 of the',
    'body>`. URLs must be https (http only for localhost).',
  ].join('\n'),
  options: [{ name: 'env', value: 'ENV', description: 'only this environment (default: all)' }],
  args: { min: 1, max: 1 },
  examples: ['openssl rand -hex 32 | esc-local webhook add https://hooks.example.com/esc --env prod/app'],
  async run(ctx, args) {
    const envArg = optionValue(args, 'env');
    const env = envArg === undefined ? undefined : ctx.resolveEnvironment(envArg).name;
    const { hooks, secrets } = stores(ctx);
    validateWebhookUrl(args.positionals[0]); // before prompting for a secret
    const secret = await readSigningSecret(ctx);
    const hook = await hooks.add(args.positionals[0], env);
    try {
      await secrets.set(hook.id, secret);
    } catch (e) {
      await hooks.remove(hook.id); // never leave a hook that could only fail
      throw e;
    }
    ctx.ui.print(hook.id);
    ctx.ui.info(`${ctx.ui.err.green('✓')} webhook ${hook.id} → ${hook.url} (${env ?? 'all environments'})`);
    return EXIT.ok;
  },
};

const list: Command = {
  name: 'list',
  summary: 'List webhooks (ids, URLs, environments; never secrets)',
  usage: 'webhook list [--json]',
  description: 'Lists the configured webhooks.',
  options: [{ name: 'json', description: 'print JSON' }],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const hooks = stores(ctx).hooks.list();
    if (args.flags.has('json')) ctx.ui.print(JSON.stringify(hooks, null, 2));
    else if (hooks.length === 0) ctx.ui.info('no webhooks (add one with `esc-local webhook add URL`)');
    else for (const h of hooks) ctx.ui.print(`${h.id}  ${h.url}  ${h.environment ?? '(all environments)'}`);
    return EXIT.ok;
  },
};

function noSuchWebhook(id: string): CliError {
  return new CliError(`no webhook ${id}`, EXIT.notFound, 'see `esc-local webhook list`');
}

const rm: Command = {
  name: 'rm',
  summary: 'Remove a webhook and its keychain secret',
  usage: 'webhook rm ID',
  description: 'Removes the webhook. Exit code 3 if there is none with that id.',
  options: [],
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { hooks, secrets } = stores(ctx);
    const removed = await hooks.remove(args.positionals[0]);
    if (!removed) throw noSuchWebhook(args.positionals[0]);
    await secrets.forget(removed.id);
    ctx.ui.info(`${ctx.ui.err.green('✓')} removed webhook ${removed.id} (${removed.url})`);
    return EXIT.ok;
  },
};

const secret: Command = {
  name: 'secret',
  summary: 'Replace a webhook\'s signing secret (e.g. on a new machine)',
  usage: 'webhook secret ID',
  description: 'Stores a new signing secret for the webhook in this machine\'s OS keychain (prompted, or from standard input).',
  options: [],
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const { hooks, secrets } = stores(ctx);
    const hook = hooks.list().find((h) => h.id === args.positionals[0]);
    if (!hook) throw noSuchWebhook(args.positionals[0]);
    await secrets.set(hook.id, await readSigningSecret(ctx));
    ctx.ui.info(`${ctx.ui.err.green('✓')} stored the signing secret of ${hook.id}`);
    return EXIT.ok;
  },
};

export const webhookCommand = commandGroup({
  name: 'webhook',
  summary: 'Manage rotation webhooks (signed JSON POSTs after each rotation)',
  description: 'Webhooks are configured in .esc/webhooks.json (URLs only); their signing secrets stay in the OS keychain. Delivery failures are logged to .esc/run/webhooks.log and shown, and never fail a rotation.',
  subcommands: [add, list, rm, secret],
});
