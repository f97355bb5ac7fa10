/**
 * An esc-local webhook receiver (Node.js ≥ 18, no dependencies): verifies the Standard Webhooks
 * signature of each delivery, refuses stale or future timestamps and replays of an id already
 * accepted, then logs the event. Run it with
 *
 *     WEBHOOK_SECRET=... PORT=8787 node docs/webhook-receiver.js
 *
 * and point a hook at it (`esc-local webhook add http://127.0.0.1:8787/esc`). `createVerifier`
 * is exported for use in your own server; esc-local's tests run this very file.
 *
 * The equivalent with the `standardwebhooks` npm package:
 *     new Webhook(secret.startsWith('whsec_') ? secret : Buffer.from(secret), secret.startsWith('whsec_') ? undefined : { format: 'raw' })
 *       .verify(rawBody, headers)   // plus your own store of seen webhook-id values
 */
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');

/** The HMAC key: a `whsec_<base64>` secret is base64-decoded, any other is used as its UTF-8 bytes. */
function signingKey(secret) {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * Returns `verify(headers, rawBody, nowSeconds?)`, which returns the parsed body of a genuine,
 * fresh, first-seen delivery and throws otherwise. `headers` are Node's (lower-case names).
 * Ids are remembered for twice the tolerance, so a replay within the window is refused and an
 * older one fails the timestamp check.
 */
function createVerifier(secret, { toleranceSeconds = 300 } = {}) {
  const key = signingKey(secret);
  const seen = new Map(); // webhook-id → unix seconds when it may be forgotten
  return function verify(headers, rawBody, nowSeconds = Math.floor(Date.now() / 1000)) {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signatures = headers['webhook-signature'];
    if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') throw new Error('missing webhook-id, webhook-timestamp or webhook-signature');
    if (!/^\d+$/.test(timestamp)) throw new Error('malformed webhook-timestamp');
    if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) throw new Error('timestamp outside the tolerance (stale or replayed delivery)');
    const body = Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody;
    const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
    const valid = signatures.split(' ').some((s) => {
      const [version, value] = s.split(',');
      if (version !== 'v1' || value === undefined) return false;
      const given = Buffer.from(value, 'base64');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
    if (!valid) throw new Error('no valid signature');
    for (const [known, expiry] of seen) if (expiry < nowSeconds) seen.delete(known);
    if (seen.has(id)) throw new Error(`delivery ${id} was already received (replay)`);
    seen.set(id, nowSeconds + 2 * toleranceSeconds);
    return JSON.parse(body);
  };
}

module.exports = { createVerifier, signingKey };

if (require.main === module) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('set WEBHOOK_SECRET to the hook\'s signing secret');
    process.exit(2);
  }
  const verify = createVerifier(secret);
  http
    .createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        try {
          const payload = verify(req.headers, Buffer.concat(chunks));
          console.log(`${payload.type}: ${JSON.stringify(payload.data)}`);
          res.writeHead(204).end();
        } catch (e) {
          console.error(`refused: ${e.message}`);
          res.writeHead(401).end();
        }
      });
    })
    .listen(Number(process.env.PORT ?? 8787), '127.0.0.1');
}
