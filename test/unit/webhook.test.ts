import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  deliver,
  notifyRotation,
  SIGNATURE_HEADER,
  signBody,
  validateWebhookUrl,
  WebhookStore,
  type RotationEvent,
} from '../../client/src/core/webhook';
import { WebhookSecrets } from '../../client/src/core/webhook-secrets';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback whose answers are scripted per request. */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  hang = false;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (this.hang) return; // never answers: the client must time out
      res.statusCode = this.statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'whsec-test-0123456789abcdef-signing';
const SERVICE = `esc-local-webhook-test-${process.pid}`;

function event(environment: string, outcome: 'succeeded' | 'failed' = 'succeeded'): RotationEvent {
  return {
    event: 'rotation',
    environment,
    outcome,
    revision: 3,
    trigger: 'manual',
    paths: [{ path: 'values.iam', oldKeyId: 'AKIAOLD', newKeyId: 'AKIANEW', deletedKeyId: 'AKIAOLDEST' }],
    at: '2026-11-21T03:00:00.000Z',
  };
}

describe('webhooks', function () {
  this.timeout(20000);
  let dir: string;
  let receiver: Receiver;
  let base: string;
  let store: WebhookStore;
  const secrets = new WebhookSecrets(SERVICE);
  const created: string[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-webhook-'));
    store = new WebhookStore(path.join(dir, '.esc'));
    receiver = new Receiver();
    base = await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    for (const id of created.splice(0)) await secrets.forget(id);
  });

  async function addHook(url: string, environment?: string): Promise<string> {
    const hook = await store.add(url, environment);
    await secrets.set(hook.id, SECRET);
    created.push(hook.id);
    return hook.id;
  }

  it('validates URLs: https anywhere, http only on loopback', () => {
    assert.equal(validateWebhookUrl('https://hooks.example.com/x').hostname, 'hooks.example.com');
    assert.equal(validateWebhookUrl('http://127.0.0.1:8080/x').port, '8080');
    assert.equal(validateWebhookUrl('http://localhost/x').hostname, 'localhost');
    assert.throws(() => validateWebhookUrl('http://hooks.example.com/x'), /must use https/);
    assert.throws(() => validateWebhookUrl('ftp://x/y'), /must use https/);
    assert.throws(() => validateWebhookUrl('not a url'), /is not a URL/);
  });

  it('stores hooks per environment and workspace in .esc/webhooks.json, without secrets', async () => {
    await addHook(`${base}/all`);
    await addHook(`${base}/dev`, 'app/dev');
    await assert.rejects(store.add(`${base}/dev`, 'app/dev'), /already configured for app\/dev/);
    const text = fs.readFileSync(path.join(dir, '.esc', 'webhooks.json'), 'utf8');
    assert.ok(!text.includes(SECRET), 'the signing secret is never written to the config');
    assert.deepEqual(store.forEnvironment('app/dev').map((h) => new URL(h.url).pathname).sort(), ['/all', '/dev']);
    assert.deepEqual(store.forEnvironment('other').map((h) => new URL(h.url).pathname), ['/all']);
  });

  it('POSTs the rotation as JSON with an HMAC-SHA256 signature over the exact body', async () => {
    await addHook(`${base}/hook`, 'app/dev');
    const results = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 10 });
    assert.deepEqual(results.map((r) => [r.ok, r.attempts, r.status]), [[true, 1, 200]]);
    assert.equal(receiver.received.length, 1);
    const got = receiver.received[0];
    assert.equal(got.path, '/hook');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['x-esc-local-event'], 'rotation');
    assert.match(String(got.headers['x-esc-local-delivery']), /^[0-9a-f-]{36}$/);
    const expected = `sha256=${createHmac('sha256', SECRET).update(got.body).digest('hex')}`;
    assert.equal(got.headers[SIGNATURE_HEADER.toLowerCase()], expected);
    assert.equal(signBody(SECRET, got.body), expected);
    const body = JSON.parse(got.body) as RotationEvent;
    assert.deepEqual(body, event('app/dev'));
    assert.ok(!got.body.includes(SECRET));
  });

  it('does not notify hooks of other environments', async () => {
    await addHook(`${base}/other`, 'other');
    assert.deepEqual(await notifyRotation(store, secrets, event('app/dev')), []);
    assert.equal(receiver.received.length, 0);
  });

  it('retries 5xx and 429 with backoff, then succeeds; redeliveries carry the same signature', async () => {
    await addHook(`${base}/flaky`);
    receiver.statuses = [503, 429, 200];
    const started = Date.now();
    const [result] = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 40 });
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.ok(Date.now() - started >= 40 * 0.8 + 80 * 0.8, 'waited with exponential backoff');
    const sigs = new Set(receiver.received.map((r) => r.headers[SIGNATURE_HEADER.toLowerCase()]));
    assert.equal(sigs.size, 1);
    assert.equal(fs.existsSync(store.logFile), false, 'successful deliveries are not logged as failures');
  });

  it('gives up on a 4xx at once, logs the failure, and never throws', async () => {
    await addHook(`${base}/gone`);
    receiver.statuses = [410];
    const [result] = await notifyRotation(store, secrets, event('app/dev', 'failed'), { baseDelayMs: 10 });
    assert.deepEqual([result.ok, result.attempts, result.status], [false, 1, 410]);
    assert.match(result.error ?? '', /HTTP 410/);
    const log = fs.readFileSync(store.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(log.length, 1);
    assert.equal(log[0].environment, 'app/dev');
    assert.equal(log[0].status, 410);
    assert.ok(!fs.readFileSync(store.logFile, 'utf8').includes(SECRET));
    assert.equal((fs.statSync(store.logFile).mode & 0o777).toString(8), '600');
  });

  it('reports an unreachable receiver after all attempts', async () => {
    const url = `${base}/down`;
    await addHook(url);
    await receiver.stop();
    receiver = new Receiver();
    await receiver.start(); // a different port; the hook's port is now closed
    const [result] = await notifyRotation(store, secrets, event('app/dev'), { attempts: 3, baseDelayMs: 10 });
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 3);
    assert.match(result.error ?? '', /ECONNREFUSED|fetch failed/);
    assert.equal(fs.readFileSync(store.logFile, 'utf8').trim().split('\n').length, 1);
  });

  it('times out a receiver that never answers', async () => {
    receiver.hang = true;
    const hook = { id: 'wh_hang', url: `${base}/hang` };
    const result = await deliver(hook, SECRET, '{}', { attempts: 2, baseDelayMs: 10, timeoutMs: 200 });
    assert.deepEqual([result.ok, result.attempts, result.error], [false, 2, 'timed out']);
    assert.equal(receiver.received.length, 2);
  });

  it('never sends unsigned: a hook without a keychain secret is a failed delivery', async () => {
    const hook = await store.add(`${base}/nosecret`);
    const [result] = await notifyRotation(store, secrets, event('app/dev'));
    assert.equal(result.ok, false);
    assert.equal(result.hookId, hook.id);
    assert.match(result.error ?? '', /no signing secret/);
    assert.equal(receiver.received.length, 0);
  });

  it('removes hooks', async () => {
    const id = await addHook(`${base}/x`);
    assert.equal((await store.remove(id))?.id, id);
    assert.equal(await store.remove(id), undefined);
    assert.deepEqual(store.list(), []);
  });
});
