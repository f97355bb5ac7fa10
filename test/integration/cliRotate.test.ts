import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsEndpoint } from '../aws/index';
import { allFiles, copyExamples, EXAMPLES_ACCOUNT as ACCOUNT, EXAMPLES_ROLE_ARN as ROLE_ARN, runCli, startExamplesAws, transcript, type CliRun } from './cliHarness';


interface Hit {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function startReceiver(status: (hit: Hit) => number): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const hit = { url: req.url ?? '', headers: req.headers, body };
      hits.push(hit);
      res.statusCode = status(hit);
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      }),
    ),
  );
}

describe('esc-local rotate/open/history/diff/rollback/encrypt/credentials/webhooks (real CLI, local AWS, real keychain)', function () {
  this.timeout(120000);
  let aws: AwsEndpoint;
  let ws: string;
  let adminSecret: string;
  let env: Record<string, string>;
  const revealed = new Set<string>();
  let dataKey = '';
  const cli = (args: string[], input?: string): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env, ...(input !== undefined ? { input } : {}) });

  before(async () => {
    const started = await startExamplesAws();
    aws = started.aws;
    const key = started.adminKey;
    adminSecret = key.secretAccessKey;
    ws = copyExamples();
    env = { ...aws.sdkEnv(), ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-cli-test-${process.pid}` };
    env.AWS_ACCESS_KEY_ID = '';
    env.AWS_SECRET_ACCESS_KEY = '';
    (globalThis as { adminKeyId?: string }).adminKeyId = key.accessKeyId;
  });

  after(async () => {
    await aws.close();
  });

  const appKeys = async (): Promise<string[]> => (await aws.admin.snapshot()).accessKeys.filter((k) => k.userName === 'app-user').map((k) => k.accessKeyId).sort();

  it('a rotation without managing credentials fails clearly (exit 1) and is recorded as failed', async () => {
    const r = await cli(['rotate', 'app/aws-keys']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout + r.stderr, /no managing AWS credentials in the OS keychain/);
    assert.match(r.stdout + r.stderr, /esc-local credentials set arn:aws:iam::123456789012:role\/esc-rotator/);
    const history = JSON.parse((await cli(['history', 'app/aws-keys', '--json'])).stdout) as Array<{ outcome: string; trigger?: string }>;
    assert.deepEqual(history.map((h) => [h.outcome, h.trigger]), [['failed', 'cli']]);
    assert.deepEqual(await appKeys(), []);
  });

  it('stores managing credentials from stdin (never argv) and lists names only', async () => {
    const keyId = (globalThis as { adminKeyId?: string }).adminKeyId!;
    const set = await cli(['credentials', 'set', ROLE_ARN], JSON.stringify({ Version: 1, AccessKeyId: keyId, SecretAccessKey: adminSecret }));
    assert.equal(set.code, 0, set.stderr);
    const other = await cli(['credentials', 'set', 'other', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE'], 'not-a-real-secret-value-123\n');
    assert.equal(other.code, 0, other.stderr);
    const list = await cli(['credentials', 'list', '--json']);
    assert.deepEqual(JSON.parse(list.stdout), [ROLE_ARN, 'other'].sort());
    assert.equal((await cli(['credentials', 'forget', 'other'])).code, 0);
    const again = await cli(['credentials', 'forget', 'other']);
    assert.equal(again.code, 3);
    const bad = await cli(['credentials', 'set', 'x'], 'not json');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a JSON object with accessKeyId and secretAccessKey/);
  });

  it('rotates aws-iam keys: two-key strategy against AWS, state written back encrypted', async () => {
    const first = await cli(['rotate', 'app/aws-keys']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^✓ rotated aws\.iam in app\/aws-keys \(revision 2\)/m);
    const k1 = await appKeys();
    assert.equal(k1.length, 1);
    const second = await cli(['rotate', 'app/aws-keys', 'aws.iam', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const out = JSON.parse(second.stdout) as { ok: boolean; revision: number; paths: Array<{ path: string; oldKeyId?: string; newKeyId?: string }> };
    assert.equal(out.ok, true);
    assert.equal(out.revision, 3);
    assert.equal(out.paths[0].oldKeyId, k1[0]);
    const k2 = await appKeys();
    assert.equal(k2.length, 2);
    const third = await cli(['rotate', 'app/aws-keys', '--json']);
    const out3 = JSON.parse(third.stdout) as { paths: Array<{ deletedKeyId?: string; newKeyId?: string }> };
    assert.equal(out3.paths[0].deletedKeyId, k1[0], 'the oldest key is deleted');
    const k3 = await appKeys();
    assert.equal(k3.length, 2, 'never more than two keys');
    assert.ok(!k3.includes(k1[0]));
    const text = fs.readFileSync(path.join(ws, 'environments', 'app', 'aws-keys.yaml'), 'utf8');
    assert.match(text, /# The app user's AWS access keys/, 'comments kept');
    assert.match(text, /ciphertext: ZXNjeA/);
    assert.ok(text.includes(out3.paths[0].newKeyId!));
  });

  it('opens the app environment: redacted by default, working credentials with --show-secrets', async () => {
    const before = await cli(['open', 'app/dev']);
    assert.equal(before.code, 1, 'the password has never been rotated: its state is missing');
    assert.match(before.stderr, /environments\/app\/dev\.yaml:14:\d+: error: unknown property "current"/);
    assert.equal((await cli(['rotate', 'app/db-password'])).code, 0);
    await aws.admin.clearRequests();
    const redacted = await cli(['open', 'app/dev']);
    assert.equal(redacted.code, 0, redacted.stderr);
    const calls = (await aws.admin.requests()).map((q) => q.action);
    assert.ok(!calls.includes('AssumeRole'), `the rotate-only managing login is not used when opening (calls: ${calls.join(', ')})`);
    const values = JSON.parse(redacted.stdout) as { environmentVariables: Record<string, string> };
    assert.equal(values.environmentVariables.AWS_SECRET_ACCESS_KEY, '[secret]');
    assert.match(values.environmentVariables.AWS_ACCESS_KEY_ID, /^AKIA/);
    const shown = await cli(['open', 'app/dev', '--format', 'dotenv', '--show-secrets']);
    assert.equal(shown.code, 0);
    const vars = Object.fromEntries(shown.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), JSON.parse(l.slice(l.indexOf('=') + 1)) as string]));
    revealed.add(vars.AWS_SECRET_ACCESS_KEY);
    revealed.add(vars.DATABASE_URL);
    const sts = new STSClient(aws.clientConfig({ accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY }));
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/app-user`, 'the rotated key works');
    const one = await cli(['open', 'app/dev', 'environmentVariables.AWS_ACCESS_KEY_ID', '-f', 'string']);
    assert.equal(one.stdout, `${vars.AWS_ACCESS_KEY_ID}\n`);
    const shell = await cli(['open', 'app/dev', '--format', 'shell']);
    assert.match(shell.stdout, /^export AWS_SECRET_ACCESS_KEY='\[secret\]'$/m);
    const notFound = await cli(['open', 'app/nope']);
    assert.equal(notFound.code, 3);
  });

  it('lists history, shows and diffs revisions redacted', async () => {
    const list = await cli(['history', 'app/aws-keys']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ {3}1 .* rotation failed {2}.*\(cli\)/m);
    assert.match(list.stdout, /^ {3}4 .* rotation succeeded {2}.*arn:aws:sts::123456789012:assumed-role\/esc-rotator\/esc-local-rotation/m);
    const show = await cli(['history', 'app/aws-keys', '-r', '3']);
    assert.match(show.stdout, /ciphertext: \[ciphertext\]/);
    const diff = await cli(['diff', 'app/aws-keys', '2', '3']);
    assert.equal(diff.code, 0);
    assert.match(diff.stdout, /^diff --git a\/environments\/app\/aws-keys\.yaml b\/environments\/app\/aws-keys\.yaml\n--- a\/environments\/app\/aws-keys\.yaml\trevision 2\n\+\+\+ b\/environments\/app\/aws-keys\.yaml\trevision 3\n@@ -\d+,\d+ \+\d+,\d+ @@/);
    assert.match(diff.stdout, /^\+ +accessKeyId: AKIA/m);
    assert.ok(!/ciphertext: ZXNjeA/.test(diff.stdout), 'ciphertexts are redacted');
    const toNow = await cli(['diff', 'app/aws-keys', '2']);
    assert.match(toNow.stdout, /\tworking file\n/);
    assert.equal((await cli(['diff', 'app/aws-keys', '99'])).code, 3);
    assert.equal((await cli(['history', 'app/aws-keys', '-r', 'x'])).code, 3, 'a revision argument may be a tag: no tag x');
    assert.equal((await cli(['history', 'app/aws-keys', '-r', 'x/y'])).code, 2, 'neither a number nor a tag name');
  });

  it('encrypts plaintext secrets in place and rolls back (rotated state kept)', async () => {
    const file = path.join(ws, 'environments', 'app', 'extra.yaml');
    fs.writeFileSync(file, '# extra settings\nvalues:\n  region: eu-west-1\n  token:\n    fn::secret: plaintext-token-4711\n');
    const before = await cli(['check', 'app/extra']);
    assert.match(before.stdout, /warning: plaintext secret/);
    const enc = await cli(['encrypt', file]);
    assert.equal(enc.code, 0, enc.stderr);
    assert.match(enc.stdout, /app\/extra: encrypted 1 secret \(revision 1\)/);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes('plaintext-token-4711'));
    assert.match(text, /# extra settings/);
    assert.equal((await cli(['check', 'app/extra'])).code, 0);
    const opened = await cli(['open', 'app/extra', 'token', '-f', 'string', '--show-secrets']);
    assert.equal(opened.stdout, 'plaintext-token-4711\n');
    revealed.add('plaintext-token-4711');
    assert.match((await cli(['encrypt', 'app/extra'])).stdout, /no plaintext secrets/);

    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('eu-west-1', 'us-west-2'));
    const rb = await cli(['rollback', 'app/extra', '1']);
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(fs.readFileSync(file, 'utf8'), /region: eu-west-1/);
    const keys = await cli(['rollback', 'app/aws-keys', '2']);
    assert.equal(keys.code, 0, keys.stderr);
    assert.match(keys.stdout, /except the rotated secrets \(aws\.iam\), which keep their current state/);
    const history = JSON.parse((await cli(['history', 'app/aws-keys', '--json'])).stdout) as Array<{ kind: string; rolledBackTo?: number }>;
    assert.deepEqual(history[history.length - 1], { ...history[history.length - 1], kind: 'rollback', rolledBackTo: 2 });
  });

  it('moves the workspace data key to another keychain with key export | key import', async () => {
    const exported = await cli(['key', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    const key = exported.stdout.trim();
    assert.equal(Buffer.from(key, 'base64').length, 32);
    dataKey = key;
    const otherMachine = { ...env, ESC_LOCAL_KEYCHAIN_SERVICE: `${env.ESC_LOCAL_KEYCHAIN_SERVICE}-other` };
    const other = (args: string[], input?: string): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env: otherMachine, ...(input !== undefined ? { input } : {}) });
    const locked = await other(['open', 'app/extra', 'token', '-f', 'string', '--show-secrets']);
    assert.equal(locked.code, 4, locked.stderr);
    assert.match(locked.stderr, /data key .* is not in the OS keychain.*esc-local key import/);
    const wrong = await other(['key', 'import'], Buffer.alloc(32, 7).toString('base64') + '\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /is not this workspace's data key/);
    assert.equal((await other(['key', 'import'], key + '\n')).code, 0);
    const opened = await other(['open', 'app/extra', 'token', '-f', 'string', '--show-secrets']);
    assert.equal(opened.stdout, 'plaintext-token-4711\n');
  });

  it('POSTs signed webhooks after rotations; a failing webhook never fails the rotation', async () => {
    const good = await startReceiver(() => 204);
    const bad = await startReceiver(() => 500);
    try {
      const signing = 'cli-webhook-signing-secret-0123456789';
      const add = await cli(['webhook', 'add', `${good.url}/esc`, '--env', 'app/aws-keys'], `${signing}\n`);
      assert.equal(add.code, 0, add.stderr);
      const badAdd = await cli(['webhook', 'add', `${bad.url}/broken`], 'another-signing-secret-abcdef\n');
      assert.equal(badAdd.code, 0, badAdd.stderr);
      const hooks = JSON.parse((await cli(['webhook', 'list', '--json'])).stdout) as Array<{ id: string; environment?: string }>;
      assert.equal(hooks.length, 2);
      assert.ok(!fs.readFileSync(path.join(ws, '.esc', 'webhooks.json'), 'utf8').includes(signing));

      const rot = await cli(['rotate', 'app/aws-keys', '--json']);
      assert.equal(rot.code, 0, rot.stderr);
      const result = JSON.parse(rot.stdout) as { revision: number; paths: Array<{ newKeyId: string; oldKeyId: string }> };
      assert.equal(good.hits.length, 1);
      const hit = good.hits[0];
      assert.equal(hit.url, '/esc');
      const signed = `${String(hit.headers['webhook-id'])}.${String(hit.headers['webhook-timestamp'])}.${hit.body}`;
      assert.equal(hit.headers['webhook-signature'], `v1,${createHmac('sha256', signing).update(signed).digest('base64')}`);
      assert.match(String(hit.headers['user-agent']), /^esc-local\/0\.1\.0$/);
      const payload = JSON.parse(hit.body) as { type: string; data: Record<string, unknown> };
      assert.equal(payload.type, 'rotation.succeeded');
      const body = payload.data;
      assert.equal(body.event, 'rotation');
      assert.equal(body.environment, 'app/aws-keys');
      assert.equal(body.outcome, 'succeeded');
      assert.equal(body.revision, result.revision);
      assert.equal(body.trigger, 'manual');
      assert.deepEqual(body.paths, [{ path: 'aws.iam', oldKeyId: result.paths[0].oldKeyId, newKeyId: result.paths[0].newKeyId, deletedKeyId: (body.paths as Array<{ deletedKeyId: string }>)[0].deletedKeyId }]);
      for (const secret of [...revealed, adminSecret]) assert.ok(!hit.body.includes(secret), 'no secret in the webhook body');
      assert.equal(bad.hits.length, 4, 'retried with backoff (4 attempts)');
      assert.match(rot.stderr, /warning: webhook wh_[0-9a-f]+ \(http:\/\/127\.0\.0\.1:\d+\/broken\) failed after 4 attempt\(s\): HTTP 500/);
      assert.match(rot.stderr, /the rotation itself is unaffected/);
      const log = JSON.parse((await cli(['webhook', 'deliveries', '--json'])).stdout) as Array<{ ok: boolean; status: number; attempts: number }>;
      assert.deepEqual(log.map((d) => [d.ok, d.status, d.attempts]).sort(), [[false, 500, 4], [true, 204, 1]]);

      // A failed rotation is reported too.
      await aws.admin.setPermissions(ROLE_ARN, ['iam:ListAccessKeys', 'iam:GetUser']);
      const denied = await cli(['rotate', 'app/aws-keys']);
      await aws.admin.setPermissions(ROLE_ARN, null);
      assert.equal(denied.code, 1);
      assert.equal(good.hits.length, 2);
      const failedBody = (JSON.parse(good.hits[1].body) as { data: { outcome: string; error?: string } }).data;
      assert.equal(failedBody.outcome, 'failed');
      assert.match(failedBody.error ?? '', /AccessDenied|not authorized|denied/i);

      for (const h of hooks) assert.equal((await cli(['webhook', 'rm', h.id])).code, 0);
      assert.equal((await cli(['webhook', 'rm', hooks[0].id])).code, 3);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('exits 5 when another process holds the environment lock', async () => {
    const lock = path.join(ws, '.esc', 'run', 'locks', `${encodeURIComponent('app/db-password')}.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), tool: 'test', since: new Date().toISOString(), purpose: 'rotation' }));
    try {
      const r = await cli(['rotate', 'app/db-password']);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /another rotation of this environment is in progress: test \(pid \d+/);
    } finally {
      fs.rmSync(lock);
    }
  });

  it('writes no secret in plaintext anywhere: workspace files, history, logs, outputs', async () => {
    const secrets = [...revealed, adminSecret];
    assert.ok(secrets.length >= 4);
    for (const { file, text } of allFiles(ws)) {
      for (const s of [...secrets, dataKey]) assert.ok(!text.includes(s), `${file} contains a secret`);
    }
    for (const run of transcript) {
      if (run.args.includes('--show-secrets')) continue;
      for (const s of secrets) {
        assert.ok(!run.stdout.includes(s) && !run.stderr.includes(s), `esc-local ${run.args.join(' ')} printed a secret`);
      }
    }
  });
});
