import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Webhook } from 'standardwebhooks';
import {
  deliver,
  deliverToHook,
  notifyWebhooks as notifyRotation,
  signDelivery,
  validateWebhookUrl,
  WebhookStore,
  type RotationEvent,
  type SaveEvent,
} from '../../client/src/core/webhooks/webhookDelivery';
import { WebhookSecrets } from '../../client/src/core/webhooks/webhookSecrets';

/** The receiver example shipped in docs/ (plain JavaScript), exactly as users copy it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const receiverExample = require(path.resolve(__dirname, '../../../docs/webhook-receiver.js')) as {
  createVerifier(secret: string, options?: { toleranceSeconds?: number }): (headers: http.IncomingHttpHeaders, body: string, nowSeconds?: number) => { type: string; timestamp: string; data: unknown };
};

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

function saveEvent(environment: string): SaveEvent {
  return { event: 'save', environment, revision: 4, trigger: 'extension', user: 'alice', at: '2026-11-21T04:00:00.000Z' };
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

  async function addHook(url: string, environment?: string, extra: Pick<Parameters<WebhookStore['add']>[0], 'format' | 'events'> = {}): Promise<string> {
    const hook = await store.add({ url, ...(environment !== undefined ? { environment } : {}), ...extra });
    await secrets.set(hook.id, SECRET);
    created.push(hook.id);
    return hook.id;
  }

  it('validates URLs: https anywhere, plain http only to a loopback host written literally', () => {
    assert.equal(validateWebhookUrl('https://hooks.example.com/x').hostname, 'hooks.example.com');
    assert.equal(validateWebhookUrl('http://127.0.0.1:8080/x').port, '8080');
    assert.equal(validateWebhookUrl('http://127.255.0.9/x').hostname, '127.255.0.9');
    assert.equal(validateWebhookUrl('http://localhost/x').hostname, 'localhost');
    assert.equal(validateWebhookUrl('http://LOCALHOST:9/x').hostname, 'localhost');
    assert.equal(validateWebhookUrl('http://[::1]:9/x').hostname, '[::1]');
    for (const refused of [
      'http://hooks.example.com/x',
      'http://[::ffff:127.0.0.1]/x', // IPv4-mapped IPv6
      'http://[::ffff:7f00:1]/x',
      'http://2130706433/x', // decimal IPv4
      'http://0x7f000001/x', // hex IPv4
      'http://0x7f.0.0.1/x',
      'http://0177.0.0.1/x', // octal
      'http://127.1/x', // short form
      'http://127.0.0.01/x',
      'http://localhost./x', // FQDN form, resolved by DNS
      'http://%6cocalhost/x', // percent-encoded
      'http://localhost.example.com/x',
      'http://127.0.0.1.nip.io/x',
      'http:\\\\localhost\\x',
      'ftp://x/y',
    ]) {
      assert.throws(() => validateWebhookUrl(refused), /must use https/, refused);
    }
    assert.throws(() => validateWebhookUrl('https://user:pw@hooks.example.com/x'), /user name or password/);
    assert.throws(() => validateWebhookUrl('not a url'), /is not a URL/);
  });

  it('refuses at delivery a hand-edited webhooks.json URL that `add` would refuse (no request is made)', async () => {
    const port = new URL(base).port;
    const hooks = [`http://2130706433:${port}/decimal`, `http://127.1:${port}/short`, `http://[::ffff:127.0.0.1]:${port}/mapped`].map((url, i) => ({ id: `wh_bad${i}`, url }));
    fs.mkdirSync(path.join(dir, '.esc'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.esc', 'webhooks.json'), JSON.stringify({ version: 1, hooks }));
    for (const h of hooks) {
      await secrets.set(h.id, SECRET);
      created.push(h.id);
    }
    const results = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 10 });
    assert.equal(results.length, 3);
    for (const r of results) {
      assert.equal(r.ok, false);
      assert.equal(r.attempts, 0);
      assert.match(r.error ?? '', /not sent: .*must use https.*fix webhooks\.json/);
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
    assert.deepEqual(store.deliveries().map((d) => [d.hookId, d.ok]).sort(), hooks.map((h) => [h.id, false]));
  });

  it('stores hooks per environment and workspace in .esc/webhooks.json, without secrets', async () => {
    await addHook(`${base}/all`);
    await addHook(`${base}/dev`, 'app/dev');
    await assert.rejects(store.add({ url: `${base}/dev`, environment: 'app/dev' }), /already configured for app\/dev/);
    const text = fs.readFileSync(path.join(dir, '.esc', 'webhooks.json'), 'utf8');
    assert.ok(!text.includes(SECRET), 'the signing secret is never written to the config');
    assert.deepEqual(store.forEvent('app/dev', 'rotation.succeeded').map((h) => new URL(h.url).pathname).sort(), ['/all', '/dev']);
    assert.deepEqual(store.forEvent('other', 'environment.saved').map((h) => new URL(h.url).pathname), ['/all']);
  });

  it('filters by event: a rotation.failed-only hook gets failures and nothing else', async () => {
    await addHook(`${base}/failures`, undefined, { events: ['rotation.failed'] });
    assert.deepEqual(await notifyRotation(store, secrets, event('app/dev')), []);
    assert.deepEqual(await notifyRotation(store, secrets, saveEvent('app/dev')), []);
    const [r] = await notifyRotation(store, secrets, event('app/dev', 'failed'), { baseDelayMs: 10 });
    assert.equal(r?.ok, true);
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]!.headers['x-esc-local-event'], 'rotation.failed');
  });

  it('signs the Standard Webhooks way: the docs receiver and the standardwebhooks library accept it; a replay, a stale delivery and a tampered body are refused', async () => {
    await addHook(`${base}/raw`);
    const [result] = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 10 });
    assert.equal(result?.ok, true);
    const got = receiver.received[0]!;
    assert.equal(got.headers['content-type'], 'application/json');
    assert.match(String(got.headers['webhook-id']), /^msg_[0-9a-f-]{36}$/);
    assert.equal(got.headers['webhook-id'], result!.deliveryId);
    const ts = Number(got.headers['webhook-timestamp']);
    assert.ok(Math.abs(ts - Date.now() / 1000) < 600);
    assert.equal(got.headers['webhook-signature'], signDelivery(SECRET, String(got.headers['webhook-id']), ts, got.body));
    const body = JSON.parse(got.body) as { type: string; timestamp: string; data: RotationEvent };
    assert.deepEqual(body, { type: 'rotation.succeeded', timestamp: event('app/dev').at, data: event('app/dev') });
    assert.ok(!got.body.includes(SECRET));

    const verify = receiverExample.createVerifier(SECRET);
    assert.deepEqual(verify(got.headers, got.body), body);
    assert.throws(() => verify(got.headers, got.body), /already received \(replay\)/);
    assert.throws(() => receiverExample.createVerifier(SECRET)(got.headers, got.body, ts + 3600), /outside the tolerance/);
    assert.throws(() => receiverExample.createVerifier(SECRET)(got.headers, got.body.replace('app/dev', 'app/prd')), /no valid signature/);
    assert.throws(() => receiverExample.createVerifier('another-secret-0123456789')(got.headers, got.body), /no valid signature/);
    // The reference implementation agrees (raw secret format: the secret's own bytes).
    assert.deepEqual(new Webhook(Buffer.from(SECRET), { format: 'raw' }).verify(got.body, got.headers as Record<string, string>), body);
  });

  it('uses a whsec_ secret base64-decoded, as the standard says', async () => {
    const whsec = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const hook = await store.add({ url: `${base}/whsec` });
    await secrets.set(hook.id, whsec);
    created.push(hook.id);
    await notifyRotation(store, secrets, event('app/dev'));
    const got = receiver.received[0]!;
    assert.ok(new Webhook(whsec).verify(got.body, got.headers as Record<string, string>));
    assert.ok(receiverExample.createVerifier(whsec)(got.headers, got.body));
  });

  it('formats Slack and Teams messages, signed too', async () => {
    await addHook(`${base}/slack`, undefined, { format: 'slack' });
    await addHook(`${base}/teams`, undefined, { format: 'teams' });
    await notifyRotation(store, secrets, saveEvent('app/dev'));
    const byPath = new Map(receiver.received.map((r) => [r.path, r]));
    const slack = JSON.parse(byPath.get('/slack')!.body) as { text: string };
    assert.equal(slack.text, 'Environment app/dev saved as revision 4 by alice (extension)');
    const teams = JSON.parse(byPath.get('/teams')!.body) as { type: string; attachments: Array<{ contentType: string; content: { type: string; body: Array<{ text: string }> } }> };
    assert.equal(teams.type, 'message');
    assert.equal(teams.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(teams.attachments[0]!.content.type, 'AdaptiveCard');
    assert.equal(teams.attachments[0]!.content.body[0]!.text, slack.text);
    for (const r of receiver.received) assert.ok(receiverExample.createVerifier(SECRET)(r.headers, r.body));
  });

  it('pings a hook and logs every delivery for `webhook deliveries`', async () => {
    const id = await addHook(`${base}/ping`);
    const hook = store.list().find((h) => h.id === id)!;
    const r = await deliverToHook(store, secrets, hook, { event: 'ping', hookId: id, at: new Date().toISOString() });
    assert.equal(r.ok, true);
    assert.equal(JSON.parse(receiver.received[0]!.body).type, 'ping');
    const [logged] = store.deliveries();
    assert.deepEqual([logged?.hookId, logged?.type, logged?.ok, logged?.status, logged?.deliveryId], [id, 'ping', true, 200, r.deliveryId]);
  });

  it('POSTs the rotation to the environment\'s hook, signed v1,base64(HMAC-SHA256(secret, id.timestamp.body))', async () => {
    await addHook(`${base}/hook`, 'app/dev');
    const results = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 10 });
    assert.deepEqual(results.map((r) => [r.ok, r.attempts, r.status]), [[true, 1, 200]]);
    assert.equal(receiver.received.length, 1);
    const got = receiver.received[0]!;
    assert.equal(got.path, '/hook');
    assert.equal(got.headers['x-esc-local-event'], 'rotation.succeeded');
    const signed = `${String(got.headers['webhook-id'])}.${String(got.headers['webhook-timestamp'])}.${got.body}`;
    assert.equal(got.headers['webhook-signature'], `v1,${createHmac('sha256', SECRET).update(signed).digest('base64')}`);
  });

  it('does not notify hooks of other environments', async () => {
    await addHook(`${base}/other`, 'other');
    assert.deepEqual(await notifyRotation(store, secrets, event('app/dev')), []);
    assert.equal(receiver.received.length, 0);
  });

  it('retries 5xx and 429 with backoff, then succeeds; retries carry the same webhook-id', async () => {
    await addHook(`${base}/flaky`);
    receiver.statuses = [503, 429, 200];
    const started = Date.now();
    const [result] = await notifyRotation(store, secrets, event('app/dev'), { baseDelayMs: 40 });
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.ok(Date.now() - started >= 40 * 0.8 + 80 * 0.8, 'waited with exponential backoff');
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    assert.deepEqual(store.deliveries().map((d) => [d.ok, d.attempts, d.status]), [[true, 3, 200]]);
  });

  it('gives up on a 4xx at once, logs the failure, and never throws', async () => {
    await addHook(`${base}/gone`);
    receiver.statuses = [410];
    const [result] = await notifyRotation(store, secrets, event('app/dev', 'failed'), { baseDelayMs: 10 });
    assert.deepEqual([result.ok, result.attempts, result.status], [false, 1, 410]);
    assert.match(result.error ?? '', /HTTP 410/);
    const log = store.deliveries();
    assert.equal(log.length, 1);
    assert.deepEqual([log[0]!.environment, log[0]!.revision, log[0]!.type, log[0]!.status, log[0]!.ok], ['app/dev', 3, 'rotation.failed', 410, false]);
    assert.ok(!fs.readFileSync(store.deliveryLog, 'utf8').includes(SECRET));
    assert.equal((fs.statSync(store.deliveryLog).mode & 0o777).toString(8), '600');
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
    assert.equal(store.deliveries().length, 1);
  });

  it('times out a receiver that never answers', async () => {
    receiver.hang = true;
    const hook = { id: 'wh_hang', url: `${base}/hang` };
    const result = await deliver(hook, SECRET, event('app/dev'), { attempts: 2, baseDelayMs: 10, timeoutMs: 200 });
    assert.deepEqual([result.ok, result.attempts, result.error], [false, 2, 'timed out']);
    assert.equal(receiver.received.length, 2);
  });

  it('never sends unsigned: a hook without a keychain secret is a failed delivery', async () => {
    const hook = await store.add({ url: `${base}/nosecret` });
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
