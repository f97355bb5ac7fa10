/**
 * Webhooks, as in ESC: after a rotation (succeeded or failed) or a recorded save, every webhook
 * configured for the environment (or the whole workspace) whose event filter matches receives a
 * POST — raw JSON, a Slack message or a Microsoft Teams card — describing it: environment,
 * revision, paths, key ids, outcome; never a secret. `ping` sends a test event.
 *
 * Signatures follow the Standard Webhooks scheme (https://www.standardwebhooks.com):
 * `webhook-id` (the same for every retry of one delivery), `webhook-timestamp` (unix seconds of
 * the attempt) and `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
 * A receiver checks the signature, rejects timestamps outside its tolerance and remembers the ids
 * it accepted within it, so a captured delivery cannot be replayed (docs/webhook-receiver.js).
 * The key is the hook's secret from the OS keychain: a `whsec_<base64>` secret is base64-decoded
 * (the standard's format), any other secret is used as its UTF-8 bytes.
 *
 * Delivery is retried with exponential backoff on network errors, timeouts, 408, 429 and 5xx.
 * Every delivery (status, attempts, error; no body, no secret) is appended to
 * `<workspace>/.esc/run/webhook-deliveries.jsonl` for `webhook deliveries`. Failures are returned
 * to the caller to show, never thrown: a webhook can never fail the operation it reports.
 *
 * Configuration (`<workspace>/.esc/webhooks.json`, committable: URLs only, no secrets):
 * `{version: 1, hooks: [{id, url, environment?, format?, events?}]}`; a hook without
 * `environment` is workspace-wide, without `events` receives every event, without `format` is raw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic';
import { CoreError } from '../errors';
import { requireEnvironmentName } from '../requireEnvironmentName';
import { JsonConfigFile } from '../fs/jsonConfig';
import { array, checkJsonShape, environmentName, literal, object, optional, string } from '../fs/jsonShape';
import { sleep } from '../sleep';
import type { WebhookSecrets } from './webhookSecrets';

export const WEBHOOKS_FILE = 'webhooks.json';
export const DELIVERY_LOG = 'webhook-deliveries.jsonl';
/** The delivery log is cut to its newer half when it grows past this size. */
const DELIVERY_LOG_MAX_BYTES = 512 * 1024;
export const EVENT_HEADER = 'X-Esc-Local-Event';

/** Events a hook can subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['rotation.succeeded', 'rotation.failed', 'environment.saved'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const WEBHOOK_FORMATS = ['raw', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookConfig {
  id: string;
  url: string;
  /** Only this environment; absent = every environment of the workspace. */
  environment?: string;
  /** Body format; absent = raw JSON. */
  format?: WebhookFormat;
  /** Only these events; absent = all. */
  events?: WebhookEventType[];
}

/** One rotated path as reported to webhooks: key ids only. */
export interface RotatedPathReport {
  path: string;
  /** Identifiers of the old and new credentials where the rotator has them (e.g. AWS access key ids). */
  oldKeyId?: string;
  newKeyId?: string;
  deletedKeyId?: string;
}

/** A rotation, succeeded or failed. Built from ids and names only, never from secret values. */
export interface RotationEvent {
  event: 'rotation';
  environment: string;
  outcome: 'succeeded' | 'failed';
  /** The revision recorded by the rotation (absent when it failed before recording one). */
  revision?: number;
  paths: RotatedPathReport[];
  /** What started it. */
  trigger: 'manual' | 'schedule' | 'extension';
  /** The error message of a failed rotation (core messages contain no secrets). */
  error?: string;
  at: string;
}

/** A definition change recorded as a `save` revision. */
export interface SaveEvent {
  event: 'save';
  environment: string;
  revision: number;
  /** `extension`, `cli`, … */
  trigger: string;
  user: string;
  at: string;
}

/** `webhook ping`: proves the URL, the format and the signature work. */
export interface PingEvent {
  event: 'ping';
  hookId: string;
  at: string;
}

export type WebhookEvent = RotationEvent | SaveEvent | PingEvent;

export function eventType(event: WebhookEvent): WebhookEventType | 'ping' {
  if (event.event === 'rotation') return event.outcome === 'succeeded' ? 'rotation.succeeded' : 'rotation.failed';
  return event.event === 'save' ? 'environment.saved' : 'ping';
}

export interface DeliveryResult {
  /** The `webhook-id` of the delivery (the same for all its attempts). */
  deliveryId: string;
  hookId: string;
  url: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status received, if any. */
  status?: number;
  /** Why it failed (after the last attempt). */
  error?: string;
}

/** One line of the delivery log. */
export interface DeliveryRecord extends DeliveryResult {
  at: string;
  type: WebhookEventType | 'ping';
  environment?: string;
  revision?: number;
}

export interface DeliveryOptions {
  /** Attempts per hook, including the first (default 4). */
  attempts?: number;
  /** First backoff delay in ms, doubled per retry with ±20% jitter (default 500). */
  baseDelayMs?: number;
  /** Per-attempt timeout in ms (default 10 s). */
  timeoutMs?: number;
  userAgent?: string;
  signal?: AbortSignal;
  /** The attempt's time (tests); default now. */
  now?: () => Date;
}

// --------------------------------------------------------------------------- signatures

/** The HMAC key a secret stands for (see the module comment). */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` over `<id>.<timestamp>.<body>`: the Standard Webhooks signature. */
export function signDelivery(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', signingKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

// --------------------------------------------------------------------------- URL rule

const LOOPBACK_HOSTS = /^(localhost|127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|\[::1\])$/;

/** The host exactly as written in an `http://` URL (no userinfo, no port), lower-cased. */
function writtenHost(text: string): string | undefined {
  const m = /^http:\/\/([^/?#\\]*)/i.exec(text);
  if (!m) return undefined;
  return m[1]!.replace(/:\d*$/, '').toLowerCase();
}

/**
 * Accepts https URLs, and plain http only to a loopback host written literally: `localhost`,
 * a dotted-decimal `127.a.b.c`, or `[::1]`. Every other spelling that URL parsers map to
 * loopback (`2130706433`, `0x7f.1`, `127.1`, `127.0.0.01`, `[::ffff:127.0.0.1]`, `localhost.`,
 * percent-encoded names) is refused: different parsers, proxies and logs disagree on what they
 * mean, and a committed file must say plainly where payloads go. URLs with a user name or
 * password are refused too (`.esc/webhooks.json` is committed). Throws `InvalidInput`.
 */
export function validateWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CoreError('InvalidInput', `"${text}" is not a URL`, {}, 'give an absolute https:// URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new CoreError('InvalidInput', `webhook URL ${url.host} carries a user name or password`, {}, 'webhooks.json is committed: authenticate receivers with the signing secret instead');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname) && writtenHost(text) === url.hostname) return url;
  const hint = 'use an https:// URL; plain http is accepted only for localhost, 127.x.x.x written in dotted decimal, or [::1]';
  throw new CoreError('InvalidInput', `webhook URL ${JSON.stringify(text)} must use https (plain http only to a literal loopback host)`, {}, hint);
}

// --------------------------------------------------------------------------- bodies

function pathText(p: RotatedPathReport): string {
  if (p.newKeyId) return `${p.path} ${p.oldKeyId ?? '(none)'} → ${p.newKeyId}${p.deletedKeyId ? ` (deleted ${p.deletedKeyId})` : ''}`;
  return p.path;
}

/** A one-paragraph English summary, for chat formats. */
export function summarize(event: WebhookEvent): string {
  switch (event.event) {
    case 'ping':
      return `esc-local webhook ${event.hookId}: ping`;
    case 'save':
      return `Environment ${event.environment} saved as revision ${event.revision} by ${event.user} (${event.trigger})`;
    case 'rotation': {
      const head = `Rotation of ${event.environment} ${event.outcome}${event.revision !== undefined ? ` (revision ${event.revision})` : ''}, ${event.trigger}`;
      const paths = event.paths.map(pathText).join('; ');
      return [head, paths, event.error].filter((x) => x !== undefined && x !== '').join('\n');
    }
  }
}

/** The request body for a hook's format. Raw: `{type, timestamp, data}` (Standard Webhooks' payload shape). */
export function renderBody(format: WebhookFormat, event: WebhookEvent): string {
  const type = eventType(event);
  const summary = summarize(event);
  switch (format) {
    case 'raw':
      return JSON.stringify({ type, timestamp: event.at, data: event });
    case 'slack':
      return JSON.stringify({ text: summary });
    case 'teams':
      return JSON.stringify({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: summary.split('\n').map((text, i) => ({ type: 'TextBlock', text, wrap: true, ...(i === 0 ? { weight: 'Bolder' } : {}) })),
            },
          },
        ],
      });
  }
}

// --------------------------------------------------------------------------- configuration

interface WebhookFile {
  version: 1;
  hooks: WebhookConfig[];
}

/** A hook's environment is checked by the one name rule, like every name read from a file. */
const WEBHOOK_FILE_SHAPE = object<WebhookFile>({
  version: literal(1),
  hooks: array(
    object<WebhookConfig>({
      id: string,
      url: string,
      environment: optional(environmentName),
      format: optional(literal(...WEBHOOK_FORMATS)),
      events: optional(array(literal(...WEBHOOK_EVENT_TYPES))),
    }),
  ),
});

export interface NewWebhook {
  url: string;
  environment?: string;
  format?: WebhookFormat;
  events?: WebhookEventType[];
}

export class WebhookStore {
  readonly file: string;
  readonly deliveryLog: string;
  private readonly runDir: string;
  private readonly config: JsonConfigFile<WebhookFile>;

  /** `escDir` is the workspace's `.esc` folder. */
  constructor(escDir: string) {
    this.file = path.join(escDir, WEBHOOKS_FILE);
    this.runDir = path.join(escDir, 'run');
    this.deliveryLog = path.join(this.runDir, DELIVERY_LOG);
    this.config = new JsonConfigFile(this.file, this.runDir, {
      lockName: '@webhooks',
      purpose: 'webhook configuration update',
      empty: () => ({ version: 1, hooks: [] }),
      validate: (parsed, file) => checkJsonShape(parsed, file, WEBHOOK_FILE_SHAPE, 'an esc-local webhooks file (version 1)'),
    });
  }

  list(): WebhookConfig[] {
    return this.config.read().hooks;
  }

  /** Hooks that receive `type` events of `environment`: its own and the workspace-wide ones, by filter. */
  forEvent(environment: string, type: WebhookEventType): WebhookConfig[] {
    return this.list().filter((h) => (h.environment === undefined || h.environment === environment) && (h.events === undefined || h.events.includes(type)));
  }

  async add(spec: NewWebhook): Promise<WebhookConfig> {
    if (spec.environment !== undefined) requireEnvironmentName(spec.environment);
    const normalized = validateWebhookUrl(spec.url).toString();
    const hook: WebhookConfig = { id: `wh_${randomBytes(4).toString('hex')}`, url: normalized };
    if (spec.environment !== undefined) hook.environment = spec.environment;
    if (spec.format !== undefined && spec.format !== 'raw') hook.format = spec.format;
    if (spec.events !== undefined && spec.events.length > 0) hook.events = [...new Set(spec.events)];
    await this.config.update((data) => {
      if (data.hooks.some((h) => h.url === normalized && h.environment === spec.environment)) {
        throw new CoreError('InvalidInput', `a webhook to ${normalized} is already configured ${spec.environment === undefined ? 'for the workspace' : `for ${spec.environment}`}`);
      }
      data.hooks.push(hook);
    });
    return hook;
  }

  async remove(id: string): Promise<WebhookConfig | undefined> {
    let removed: WebhookConfig | undefined;
    await this.config.update((data) => {
      removed = data.hooks.find((h) => h.id === id);
      data.hooks = data.hooks.filter((h) => h.id !== id);
    });
    return removed;
  }

  /** Appends one line per delivery (no bodies, no secrets); keeps the log bounded. */
  logDelivery(record: DeliveryRecord): void {
    fs.mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.deliveryLog, JSON.stringify(record) + '\n', { mode: 0o600 });
    if (fs.statSync(this.deliveryLog).size > DELIVERY_LOG_MAX_BYTES) {
      const lines = fs.readFileSync(this.deliveryLog, 'utf8').split('\n').filter((l) => l !== '');
      writeFileAtomic(this.deliveryLog, lines.slice(Math.floor(lines.length / 2)).join('\n') + '\n', 0o600);
    }
  }

  /** Logged deliveries, oldest first; unreadable lines (a cut write) are skipped. */
  deliveries(): DeliveryRecord[] {
    let text: string;
    try {
      text = fs.readFileSync(this.deliveryLog, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CoreError('InvalidInput', `cannot read ${this.deliveryLog}: ${(e as Error).message}`, { file: this.deliveryLog });
    }
    const out: DeliveryRecord[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const r = JSON.parse(line) as DeliveryRecord;
        if (typeof r === 'object' && r !== null && typeof r.hookId === 'string' && typeof r.at === 'string' && typeof r.ok === 'boolean') out.push(r);
      } catch {
        // a line cut by a crash mid-append: skipped
      }
    }
    return out;
  }
}

// --------------------------------------------------------------------------- delivery

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    const code = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
    if (e.name === 'TimeoutError') return 'timed out';
    return code ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

/**
 * POSTs one event to one hook, signed, with retries. The URL rule is checked here too, so a
 * hand-edited webhooks.json can never send anywhere `webhook add` would refuse. Never throws
 * (except when `signal` aborts).
 */
export async function deliver(hook: WebhookConfig, secret: string, event: WebhookEvent, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const deliveryId = `msg_${randomUUID()}`;
  const base: Pick<DeliveryResult, 'deliveryId' | 'hookId' | 'url'> = { deliveryId, hookId: hook.id, url: hook.url };
  try {
    validateWebhookUrl(hook.url);
  } catch (e) {
    return { ...base, ok: false, attempts: 0, error: `not sent: ${(e as Error).message} (fix ${WEBHOOKS_FILE})` };
  }
  const attempts = Math.max(1, options.attempts ?? 4);
  const delay = options.baseDelayMs ?? 500;
  const body = renderBody(hook.format ?? 'raw', event);
  let status: number | undefined;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': options.userAgent ?? 'esc-local',
      [EVENT_HEADER]: eventType(event),
      'webhook-id': deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signDelivery(secret, deliveryId, timestamp, body),
    };
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      const response = await fetch(hook.url, { method: 'POST', headers, body, signal, redirect: 'error' });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined); // drain so the socket is reused/closed
      if (response.ok) return { ...base, ok: true, attempts: attempt, status };
      error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      if (!retryable(response.status)) return { ...base, ok: false, attempts: attempt, status, error };
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      error = errorText(e);
    }
    if (attempt < attempts) {
      const jitter = 0.8 + Math.random() * 0.4;
      await sleep(Math.round(delay * 2 ** (attempt - 1) * jitter), options.signal);
    }
  }
  return { ...base, ok: false, attempts, ...(status !== undefined ? { status } : {}), error };
}

/** Delivers to one hook: its secret from the keychain (never sent unsigned), then `deliver`, then the log. */
export async function deliverToHook(store: WebhookStore, secrets: WebhookSecrets, hook: WebhookConfig, event: WebhookEvent, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const result = await signedDelivery(secrets, hook, event, options);
  try {
    store.logDelivery({
      ...result,
      at: new Date().toISOString(),
      type: eventType(event),
      ...(event.event !== 'ping' ? { environment: event.environment } : {}),
      ...(event.event !== 'ping' && event.revision !== undefined ? { revision: event.revision } : {}),
    });
  } catch {
    // The log is best effort; the result is still returned to be shown.
  }
  return result;
}

async function signedDelivery(secrets: WebhookSecrets, hook: WebhookConfig, event: WebhookEvent, options: DeliveryOptions): Promise<DeliveryResult> {
  const failed = (error: string): DeliveryResult => ({ deliveryId: `msg_${randomUUID()}`, hookId: hook.id, url: hook.url, ok: false, attempts: 0, error });
  let secret: string | undefined;
  try {
    secret = await secrets.get(hook.id);
  } catch (e) {
    return failed(errorText(e));
  }
  if (secret === undefined) return failed(`no signing secret for webhook ${hook.id} in the keychain; not sent unsigned (store one with \`esc-local webhook secret ${hook.id}\`)`);
  return deliver(hook, secret, event, options);
}

/**
 * Notifies every hook subscribed to the event (environment and type). Returns one result per
 * hook. Nothing here throws for a hook's sake: an unreadable configuration, a missing secret or
 * an unreachable receiver is a failed delivery.
 */
export async function notifyWebhooks(store: WebhookStore, secrets: WebhookSecrets, event: RotationEvent | SaveEvent, options: DeliveryOptions = {}): Promise<DeliveryResult[]> {
  let hooks: WebhookConfig[];
  try {
    hooks = store.forEvent(event.environment, eventType(event) as WebhookEventType);
  } catch (e) {
    return [{ deliveryId: '-', hookId: '-', url: store.file, ok: false, attempts: 0, error: errorText(e) }];
  }
  return Promise.all(hooks.map((hook) => deliverToHook(store, secrets, hook, event, options)));
}
