/**
 * Rotation webhooks: after each rotation (successful or not) every webhook configured for the
 * environment or for the whole workspace receives a JSON POST describing it — environment,
 * revision, paths, key ids, outcome; never a secret — signed with HMAC-SHA256 over the exact
 * body using the hook's secret from the OS keychain.
 *
 * Delivery is retried with exponential backoff on network errors, timeouts, 429 and 5xx.
 * Failures are appended to `<workspace>/.esc/run/webhooks.log` and returned to the caller to
 * show, but never thrown: a webhook can never fail the rotation it reports.
 *
 * Configuration (`<workspace>/.esc/webhooks.json`, committable: URLs only, no secrets):
 * `{version: 1, hooks: [{id, url, environment?}]}`; a hook without `environment` is
 * workspace-wide.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { CoreError } from './errors';
import { requireEnvironmentName } from './environmentName';
import { JsonConfigFile } from './jsonConfig';
import { array, checkJsonShape, environmentName, literal, object, optional, string } from './jsonShape';
import { sleep } from './sleep';
import type { WebhookSecrets } from './webhook-secrets';

export const WEBHOOKS_FILE = 'webhooks.json';
export const WEBHOOK_LOG = 'webhooks.log';
export const SIGNATURE_HEADER = 'X-Esc-Local-Signature-256';
export const EVENT_HEADER = 'X-Esc-Local-Event';
export const DELIVERY_HEADER = 'X-Esc-Local-Delivery';

export interface WebhookConfig {
  id: string;
  url: string;
  /** Only this environment; absent = every environment of the workspace. */
  environment?: string;
}

/** One rotated path as reported to webhooks: key ids only. */
export interface RotatedPathReport {
  path: string;
  /** Identifiers of the old and new credentials where the rotator has them (e.g. AWS access key ids). */
  oldKeyId?: string;
  newKeyId?: string;
  deletedKeyId?: string;
}

/** The JSON body of a rotation webhook. Built from ids and names only, never from secret values. */
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

export interface DeliveryResult {
  hookId: string;
  url: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status received, if any. */
  status?: number;
  /** Why it failed (after the last attempt). */
  error?: string;
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
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body): what receivers recompute to verify. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Accepts https URLs, and http only to loopback (payloads name environments and key ids). */
export function validateWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CoreError('InvalidInput', `"${text}" is not a URL`, {}, 'give an absolute https:// URL');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return url;
  throw new CoreError('InvalidInput', `webhook URL ${url.origin} must use https (plain http is accepted only for localhost)`, {}, 'use an https:// URL');
}

interface WebhookFile {
  version: 1;
  hooks: WebhookConfig[];
}

/** A hook's environment is checked by the one name rule, like every name read from a file. */
const WEBHOOK_FILE_SHAPE = object<WebhookFile>({
  version: literal(1),
  hooks: array(object<WebhookConfig>({ id: string, url: string, environment: optional(environmentName) })),
});

export class WebhookStore {
  readonly file: string;
  readonly logFile: string;
  private readonly runDir: string;
  private readonly config: JsonConfigFile<WebhookFile>;

  /** `escDir` is the workspace's `.esc` folder. */
  constructor(escDir: string) {
    this.file = path.join(escDir, WEBHOOKS_FILE);
    this.runDir = path.join(escDir, 'run');
    this.logFile = path.join(this.runDir, WEBHOOK_LOG);
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

  /** Hooks that receive events of `environment`: its own and the workspace-wide ones. */
  forEnvironment(environment: string): WebhookConfig[] {
    return this.list().filter((h) => h.environment === undefined || h.environment === environment);
  }

  async add(url: string, environment?: string): Promise<WebhookConfig> {
    if (environment !== undefined) requireEnvironmentName(environment);
    const normalized = validateWebhookUrl(url).toString();
    const hook: WebhookConfig = { id: `wh_${randomBytes(4).toString('hex')}`, url: normalized };
    if (environment !== undefined) hook.environment = environment;
    await this.config.update((data) => {
      if (data.hooks.some((h) => h.url === normalized && h.environment === environment)) {
        throw new CoreError('InvalidInput', `a webhook to ${normalized} is already configured ${environment === undefined ? 'for the workspace' : `for ${environment}`}`);
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

  /** Appends one line per failed delivery (no bodies, no secrets). */
  logFailure(event: RotationEvent, result: DeliveryResult): void {
    const line = JSON.stringify({
      at: new Date().toISOString(),
      hook: result.hookId,
      url: result.url,
      environment: event.environment,
      revision: event.revision,
      attempts: result.attempts,
      status: result.status,
      error: result.error,
    });
    fs.mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.logFile, line + '\n', { mode: 0o600 });
  }
}

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

/** POSTs one signed body to one hook, with retries. Never throws (except when `signal` aborts). */
export async function deliver(hook: WebhookConfig, secret: string, body: string, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 500;
  const delivery = randomUUID();
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': options.userAgent ?? 'esc-local',
    [EVENT_HEADER]: 'rotation',
    [DELIVERY_HEADER]: delivery,
    [SIGNATURE_HEADER]: signBody(secret, body),
  };
  let status: number | undefined;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.signal?.throwIfAborted();
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      const response = await fetch(hook.url, { method: 'POST', headers, body, signal, redirect: 'error' });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined); // drain so the socket is reused/closed
      if (response.ok) return { hookId: hook.id, url: hook.url, ok: true, attempts: attempt, status };
      error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      if (!retryable(response.status)) return { hookId: hook.id, url: hook.url, ok: false, attempts: attempt, status, error };
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      error = errorText(e);
    }
    if (attempt < attempts) {
      const jitter = 0.8 + Math.random() * 0.4;
      await sleep(Math.round(base * 2 ** (attempt - 1) * jitter), options.signal);
    }
  }
  return { hookId: hook.id, url: hook.url, ok: false, attempts, status, error };
}

/**
 * Notifies every hook of the event's environment. Returns one result per hook; failures are
 * also logged. Nothing here throws for a hook's sake: a missing secret or an unreachable
 * receiver is a failed delivery.
 */
export async function notifyRotation(store: WebhookStore, secrets: WebhookSecrets, event: RotationEvent, options: DeliveryOptions = {}): Promise<DeliveryResult[]> {
  let hooks: WebhookConfig[];
  try {
    hooks = store.forEnvironment(event.environment);
  } catch (e) {
    return [{ hookId: '-', url: store.file, ok: false, attempts: 0, error: errorText(e) }];
  }
  const body = JSON.stringify(event);
  const results = await Promise.all(
    hooks.map(async (hook): Promise<DeliveryResult> => {
      let secret: string | undefined;
      try {
        secret = await secrets.get(hook.id);
      } catch (e) {
        return { hookId: hook.id, url: hook.url, ok: false, attempts: 0, error: errorText(e) };
      }
      if (secret === undefined) {
        return {
          hookId: hook.id,
          url: hook.url,
          ok: false,
          attempts: 0,
          error: `no signing secret for webhook ${hook.id} in the keychain; not sent unsigned (store one with \`esc-local webhook secret ${hook.id}\`)`,
        };
      }
      return deliver(hook, secret, body, options);
    }),
  );
  for (const result of results) {
    if (result.ok) continue;
    try {
      store.logFailure(event, result);
    } catch {
      // The log is best effort; the failure is still returned to be shown.
    }
  }
  return results;
}
