/**
 * `esc-local webhook add|list|rm|secret|ping|deliveries`: webhooks (`.esc/webhooks.json`,
 * signing secrets in the keychain, delivery log in `.esc/run/`).
 */
import { CoreError } from '../../core/errors';
import { deliverToHook, validateWebhookUrl, WEBHOOK_EVENT_TYPES, WEBHOOK_FORMATS, WebhookStore, type WebhookConfig, type WebhookEventType, type WebhookFormat } from '../../core/webhooks/webhookDelivery';
import { WebhookSecrets } from '../../core/webhooks/webhookSecrets';
import { optionValue, optionValues } from '../args';
import { commandGroup, type Command } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT, UsageError } from '../exitCodes';
import { readSecrets } from '../prompt';
import { VERSION } from '../version';

/** A URL given on the command line that breaks the URL rule is a usage error (exit 2). */
function checkedUrl(text: string): string {
  try {
    return validateWebhookUrl(text).toString();
  } catch (e) {
    if (e instanceof CoreError) throw new UsageError(e.message);
    throw e;
  }
}

function parseFormat(text: string | undefined): WebhookFormat | undefined {
  if (text === undefined) return undefined;
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(text)) throw new UsageError(`unknown format "${text}"`, `formats: ${WEBHOOK_FORMATS.join(', ')}`);
  return text as WebhookFormat;
}

function parseEvents(texts: string[]): WebhookEventType[] | undefined {
  const events = texts.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  for (const e of events) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e)) throw new UsageError(`unknown event "${e}"`, `events: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }
  return events.length > 0 ? (events as WebhookEventType[]) : undefined;
}

function hookLine(h: WebhookConfig): string {
  return `${h.id}  ${h.url}  ${h.environment ?? '(all environments)'}  ${h.format ?? 'raw'}  ${h.events?.join(',') ?? '(all events)'}`;
}

function stores(ctx: CliContext): { hooks: WebhookStore; secrets: WebhookSecrets } {
  return { hooks: new WebhookStore(ctx.escDir), secrets: new WebhookSecrets(ctx.keychainService) };
}

async function readSigningSecret(ctx: CliContext): Promise<string> {
  const [secret] = await readSecrets(ctx.input, [{ prompt: 'Signing secret (at least 16 characters): ', required: true }]);
  return secret;
}

const add: Command = {
  name: 'add',
  summary: 'Send a signed POST to URL on rotations and saves',
  usage: 'webhook add URL [--env ENV] [--format raw|slack|teams] [--event TYPE]…',
  description: [
    'Adds a webhook for one environment (--env) or for every environment of the workspace,',
    'for the events given (--event, repeatable or comma-separated: rotation.succeeded,',
    'rotation.failed, environment.saved; default all), in raw JSON, as a Slack message or a',
    'Microsoft Teams card (--format). The signing secret is prompted for without echo (or read',
    'from standard input) and kept in the OS keychain; each POST is signed the Standard Webhooks',
    'way (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256>). A secret',
    '`whsec_<base64>` is used base64-decoded, any other as its bytes. URLs must be https; plain',
    'http only to localhost, 127.x.x.x (dotted decimal) or [::1]; any other URL is a usage error.',
  ].join('\n'),
  options: [
    { name: 'env', value: 'ENV', description: 'only this environment (default: all)' },
    { name: 'format', value: 'FORMAT', description: 'raw (default), slack or teams' },
    { name: 'event', value: 'TYPE', repeatable: true, description: 'only these events (default: all)' },
  ],
  args: { min: 1, max: 1 },
  examples: [
    'openssl rand -hex 32 | esc-local webhook add https://hooks.example.com/esc --env prod/app',
    'esc-local webhook add SLACK_INCOMING_WEBHOOK_URL --format slack --event rotation.failed',
  ],
  async run(ctx, args) {
    const envArg = optionValue(args, 'env');
    const env = envArg === undefined ? undefined : ctx.resolveEnvironment(envArg).name;
    const format = parseFormat(optionValue(args, 'format'));
    const events = parseEvents(optionValues(args, 'event'));
    const url = checkedUrl(args.positionals[0]); // before prompting for a secret
    const { hooks, secrets } = stores(ctx);
    const secret = await readSigningSecret(ctx);
    const hook = await hooks.add({ url, ...(env !== undefined ? { environment: env } : {}), ...(format ? { format } : {}), ...(events ? { events } : {}) });
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
  summary: 'List webhooks (ids, URLs, environments, formats, events; never secrets)',
  usage: 'webhook list [--json]',
  description: 'Lists the configured webhooks: id, URL, environment, format, events.',
  options: [{ name: 'json', description: 'print JSON' }],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const hooks = stores(ctx).hooks.list();
    if (args.flags.has('json')) ctx.ui.print(JSON.stringify(hooks, null, 2));
    else if (hooks.length === 0) ctx.ui.info('no webhooks (add one with `esc-local webhook add URL`)');
    else for (const h of hooks) ctx.ui.print(hookLine(h));
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
    const hook = findHook(ctx, args.positionals[0]);
    const { secrets } = stores(ctx);
    await secrets.set(hook.id, await readSigningSecret(ctx));
    ctx.ui.info(`${ctx.ui.err.green('✓')} stored the signing secret of ${hook.id}`);
    return EXIT.ok;
  },
};

function findHook(ctx: CliContext, id: string): WebhookConfig {
  const hook = stores(ctx).hooks.list().find((h) => h.id === id);
  if (!hook) throw noSuchWebhook(id);
  return hook;
}

const ping: Command = {
  name: 'ping',
  summary: 'Send a signed test event to a webhook and show the result',
  usage: 'webhook ping ID',
  description: 'Delivers a `ping` event (in the hook\'s format, signed like every delivery, retried like every delivery) and prints the HTTP status. Exit 1 if it was not delivered.',
  options: [],
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const hook = findHook(ctx, args.positionals[0]);
    const { hooks, secrets } = stores(ctx);
    const r = await deliverToHook(hooks, secrets, hook, { event: 'ping', hookId: hook.id, at: new Date().toISOString() }, { userAgent: `esc-local/${VERSION}`, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (!r.ok) throw new CliError(`ping of webhook ${hook.id} (${hook.url}) failed after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'}`, EXIT.failed);
    ctx.ui.print(`${ctx.ui.out.green('✓')} ${hook.id}: HTTP ${r.status ?? '?'} (delivery ${r.deliveryId})`);
    return EXIT.ok;
  },
};

const deliveries: Command = {
  name: 'deliveries',
  summary: 'List recent deliveries with their status (all webhooks, or one)',
  usage: 'webhook deliveries [ID] [--limit N] [--json]',
  description: 'Shows the delivery log (.esc/run/webhook-deliveries.jsonl, this machine only), newest first: time, webhook, event, environment and revision, outcome, HTTP status, attempts and error. No bodies or secrets are logged.',
  options: [
    { name: 'limit', value: 'N', description: 'at most N deliveries (default 20)' },
    { name: 'json', description: 'print JSON' },
  ],
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    const limitText = optionValue(args, 'limit') ?? '20';
    if (!/^[1-9]\d{0,5}$/.test(limitText)) throw new UsageError(`--limit "${limitText}" is not a positive number`);
    const id = args.positionals[0];
    if (id !== undefined) findHook(ctx, id);
    const all = stores(ctx).hooks.deliveries().filter((d) => id === undefined || d.hookId === id);
    const shown = all.slice(-Number(limitText)).reverse();
    if (args.flags.has('json')) {
      ctx.ui.print(JSON.stringify(shown, null, 2));
      return EXIT.ok;
    }
    if (shown.length === 0) {
      ctx.ui.info('no deliveries yet');
      return EXIT.ok;
    }
    const { green, red, dim } = ctx.ui.out;
    for (const d of shown) {
      const what = `${d.type}${d.environment ? ` ${d.environment}` : ''}${d.revision !== undefined ? ` r${d.revision}` : ''}`;
      const outcome = d.ok ? green('delivered') : red('failed');
      ctx.ui.print(`${d.at}  ${d.hookId}  ${what}  ${outcome}  ${d.status !== undefined ? `HTTP ${d.status}` : '-'}  ${d.attempts} attempt(s)${d.error ? `  ${d.error}` : ''}  ${dim(d.deliveryId)}`);
    }
    return EXIT.ok;
  },
};

export const webhookCommand = commandGroup({
  name: 'webhook',
  summary: 'Manage webhooks (signed POSTs on rotations and saves; raw, Slack or Teams)',
  description: 'Webhooks are configured in .esc/webhooks.json (URLs, formats, event filters; committable); their signing secrets stay in the OS keychain. Every delivery is logged to .esc/run/webhook-deliveries.jsonl (see `webhook deliveries`); a failed one is shown and never fails what it reports.',
  subcommands: [add, list, rm, secret, ping, deliveries],
});
