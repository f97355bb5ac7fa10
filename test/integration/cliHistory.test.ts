/**
 * The history as a user meets it through the real CLI: a save revision for edits made since the
 * last revision before a command writes, tags, and diffs that `git apply` accepts; webhooks'
 * URL rule as a usage error, ping, event filters and the delivery log, verified with the
 * receiver example shipped in docs/.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactDefinition } from '../../client/src/core/history/historyStore';
import { ScheduleStore } from '../../client/src/core/schedules/scheduleStore';
import { environmentJsonSchema } from '../../shared/src/catalog/environmentSchema';
import { REPO_ROOT, runCli, type CliRun } from './cliHarness';

interface RevisionJson {
  number: number;
  kind: string;
  trigger?: string;
  tags: string[];
  definition?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const receiverExample = require(path.join(REPO_ROOT, 'docs', 'webhook-receiver.js')) as {
  createVerifier(secret: string): (headers: http.IncomingHttpHeaders, body: string) => { type: string; data: Record<string, unknown> };
};

const LINES = Array.from({ length: 30 }, (_, i) => `  setting${i}: value-${i}`).join('\n');
const INITIAL = `# app settings\nvalues:\n  region: us-east-1\n  token:\n    fn::secret: plaintext-token-4711\n${LINES}\n`;

describe('esc-local history: saves, tags, git-apply-able diffs; webhooks (real CLI, real keychain)', function () {
  // Each test spawns the CLI 10–20 times; on a loaded 2-core machine a spawn can take seconds.
  this.timeout(600000);
  let ws: string;
  let file: string;
  const env = { ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-history-test-${process.pid}` };
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> =>
    runCli(['-w', ws, ...args], { cwd: ws, env: { ...env, ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}) });
  const history = async (): Promise<RevisionJson[]> => JSON.parse((await cli(['history', 'app', '--json'])).stdout) as RevisionJson[];

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-cli-history-'));
    file = path.join(ws, 'environments', 'app.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, INITIAL);
  });
  after(async () => {
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('records hand edits as a save revision before a command writes, once, and not when disabled', async () => {
    const first = await cli(['encrypt', 'app']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await history()).map((r) => r.kind), ['encrypt'], 'an environment without history starts it with the command\'s own revision');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('region: us-east-1', 'region: eu-west-1').replace('value-25', 'value-twenty-five'));
    const again = await cli(['encrypt', 'app']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /recorded the edits to app as revision 2 \(save\)/);
    const revs = await history();
    assert.deepEqual(revs.map((r) => [r.kind, r.trigger]), [['encrypt', 'cli'], ['save', 'cli']]);
    await cli(['encrypt', 'app']);
    assert.equal((await history()).length, 2, 'no change, no revision');
    fs.appendFileSync(file, '  extra: 1\n');
    await cli(['encrypt', 'app'], { env: { ESC_LOCAL_RECORD_SAVES: '0' } });
    assert.equal((await history()).length, 2, 'ESC_LOCAL_RECORD_SAVES=0 turns it off');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('  extra: 1\n', ''));
  });

  it('rotate --due records hand edits as a save revision before the scheduled rotation, as rotate ENV does', async () => {
    const pw = path.join(ws, 'environments', 'pw.yaml');
    fs.writeFileSync(pw, 'values:\n  note: first\n  password:\n    fn::rotate::password:\n      inputs:\n        length: 24\n');
    const first = await cli(['rotate', 'pw']);
    assert.equal(first.code, 0, first.stderr);
    fs.writeFileSync(pw, fs.readFileSync(pw, 'utf8').replace('note: first', 'note: edited by hand'));
    await new ScheduleStore(path.join(ws, '.esc')).set('pw', { cron: '0 3 * * *' }, new Date(Date.now() - 8 * 86_400_000));
    const due = await cli(['rotate', '--due']);
    assert.equal(due.code, 0, due.stderr);
    assert.match(due.stderr, /recorded the edits to pw as revision 2 \(save\)/);
    const revs = JSON.parse((await cli(['history', 'pw', '--json'])).stdout) as RevisionJson[];
    assert.deepEqual(revs.map((r) => [r.kind, r.trigger]), [['rotation', 'cli'], ['save', 'cli'], ['rotation', 'schedule']]);
    const save = JSON.parse((await cli(['history', 'pw', '--revision', '2', '--json'])).stdout) as RevisionJson;
    assert.match(save.definition ?? '', /note: edited by hand/);
  });

  it('diffs a revision with the working file as a patch that git apply accepts', async () => {
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('value-3', 'value-three').replace('value-28', 'value-twenty-eight'));
    const diff = await cli(['diff', 'app', '1']);
    assert.equal(diff.code, 0, diff.stderr);
    const lines = diff.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['diff --git a/environments/app.yaml b/environments/app.yaml', '--- a/environments/app.yaml\trevision 1', '+++ b/environments/app.yaml\tworking file']);
    const hunks = lines.filter((l) => l.startsWith('@@'));
    assert.ok(hunks.length >= 2, `separate hunks for distant changes:\n${diff.stdout}`);
    for (const h of hunks) assert.match(h, /^@@ -\d+,\d+ \+\d+,\d+ @@$/);
    assert.ok(!lines.some((l) => l === '+values:'), 'only the changed lines, not the whole file as added');
    assert.ok(!/ZXNjeA|plaintext-token/.test(diff.stdout), 'secrets and ciphertexts are redacted');

    // Applied to the (redacted) revision 1 in a git repository, it yields the (redacted) working file.
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-git-apply-'));
    try {
      const rev1 = (JSON.parse((await cli(['history', 'app', '-r', '1', '--json'])).stdout) as RevisionJson).definition!;
      fs.mkdirSync(path.join(repo, 'environments'));
      fs.writeFileSync(path.join(repo, 'environments', 'app.yaml'), rev1);
      fs.writeFileSync(path.join(repo, 'change.patch'), diff.stdout);
      execFileSync('git', ['init', '-q'], { cwd: repo });
      execFileSync('git', ['apply', '--check', 'change.patch'], { cwd: repo });
      execFileSync('git', ['apply', 'change.patch'], { cwd: repo });
      assert.equal(fs.readFileSync(path.join(repo, 'environments', 'app.yaml'), 'utf8'), redactDefinition(fs.readFileSync(file, 'utf8')));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }

    const between = await cli(['diff', 'app', '1', '2']);
    assert.match(between.stdout, /^--- a\/environments\/app\.yaml\trevision 1\n\+\+\+ b\/environments\/app\.yaml\trevision 2\n@@ -\d+,\d+ \+\d+,\d+ @@\n/m);
    assert.match(between.stdout, /^-  region: us-east-1\n\+  region: eu-west-1$/m);
    const same = await cli(['diff', 'app', '2', '2']);
    assert.deepEqual([same.code, same.stdout], [0, '']);
    assert.match(same.stderr, /no differences/);
  });

  it('tags revisions; every revision argument takes a tag; bad names are usage errors, unknown tags not found', async () => {
    assert.equal((await cli(['tag', 'app', 'baseline', '1'])).code, 0);
    const latest = await cli(['tag', 'app', 'v1.0']);
    assert.equal(latest.code, 0, latest.stderr);
    assert.match(latest.stderr, /tag v1\.0 → revision 2/);
    const listed = JSON.parse((await cli(['tag', 'app', '--json'])).stdout) as Array<{ name: string; revision: number }>;
    assert.deepEqual(listed.map((t) => [t.name, t.revision]), [['baseline', 1], ['v1.0', 2]]);
    assert.deepEqual((await history()).map((r) => r.tags), [['baseline'], ['v1.0']]);
    assert.match((await cli(['history', 'app'])).stdout, /^ {3}1 .*\[baseline\]$/m);
    assert.equal((await cli(['diff', 'app', 'baseline', 'v1.0'])).stdout, (await cli(['diff', 'app', '1', '2'])).stdout);
    assert.equal((await cli(['history', 'app', '-r', 'latest', '--json'])).code, 0);
    assert.equal((await cli(['tag', 'app', '12', '1'])).code, 2, 'an all-digit tag would read as a revision');
    assert.equal((await cli(['tag', 'app', 'latest'])).code, 2);
    assert.equal((await cli(['tag', 'app', 'bad/name'])).code, 2);
    assert.equal((await cli(['tag', 'app', 'x', '99'])).code, 3);
    assert.equal((await cli(['diff', 'app', 'nope'])).code, 3);
    assert.equal((await cli(['tag', 'app', 'nope', '--delete'])).code, 3);
    assert.equal((await cli(['tag', 'app', 'baseline', '--delete'])).code, 0);
    assert.equal((await cli(['history', 'app', '-r', 'baseline'])).code, 3);
    assert.ok(fs.existsSync(path.join(ws, '.esc', 'history', 'app', 'tags.json')));
  });

  it('webhooks: a bad URL is a usage error (2); ping and a save event are delivered signed, filtered, and logged', async () => {
    for (const url of ['http://hooks.example.com/x', 'http://2130706433/x', 'http://[::ffff:127.0.0.1]/x', 'http://localhost./x', 'not-a-url']) {
      const r = await cli(['webhook', 'add', url], { input: 'signing-secret-0123456789abcdef\n' });
      assert.equal(r.code, 2, `${url}: ${r.stderr}`);
    }
    assert.equal((await cli(['webhook', 'add', 'https://x.example/h', '--format', 'xml'])).code, 2);
    assert.equal((await cli(['webhook', 'add', 'https://x.example/h', '--event', 'rotation.maybe'])).code, 2);

    const received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const secret = 'cli-history-signing-secret-0123456789';
    try {
      const saves = await cli(['webhook', 'add', `${base}/saves`, '--env', 'app', '--event', 'environment.saved'], { input: `${secret}\n` });
      assert.equal(saves.code, 0, saves.stderr);
      const rotations = await cli(['webhook', 'add', `${base}/rotations`, '--event', 'rotation.succeeded,rotation.failed', '--format', 'slack'], { input: `${secret}\n` });
      assert.equal(rotations.code, 0, rotations.stderr);
      const savesId = saves.stdout.trim();

      const ping = await cli(['webhook', 'ping', savesId]);
      assert.equal(ping.code, 0, ping.stderr);
      fs.appendFileSync(file, '  edited: true\n');
      assert.equal((await cli(['encrypt', 'app'])).code, 0);
      assert.deepEqual(received.map((r) => r.path), ['/saves', '/saves'], 'the rotations-only hook got nothing');
      const verify = receiverExample.createVerifier(secret);
      const [pinged, saved] = received.map((r) => verify(r.headers, r.body));
      assert.equal(pinged!.type, 'ping');
      assert.equal(saved!.type, 'environment.saved');
      assert.equal(saved!.data.environment, 'app');
      assert.equal(saved!.data.revision, 3);
      assert.throws(() => verify(received[1]!.headers, received[1]!.body), /replay/);

      const deliveries = JSON.parse((await cli(['webhook', 'deliveries', '--json'])).stdout) as Array<{ type: string; ok: boolean; status: number; hookId: string }>;
      assert.deepEqual(deliveries.map((d) => [d.type, d.ok, d.status, d.hookId]), [['environment.saved', true, 204, savesId], ['ping', true, 204, savesId]]);
      assert.match((await cli(['webhook', 'deliveries', savesId])).stdout, /environment\.saved app r3 {2}delivered {2}HTTP 204/);

      // A hand-edited webhooks.json with a URL `add` would refuse is refused at delivery.
      const config = path.join(ws, '.esc', 'webhooks.json');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(`${base}/saves`, `${base.replace('127.0.0.1', '2130706433')}/saves`));
      const refused = await cli(['webhook', 'ping', savesId]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not sent: .*must use https/);
      assert.equal(received.length, 2, 'nothing was sent');
    } finally {
      for (const h of JSON.parse((await cli(['webhook', 'list', '--json'])).stdout) as Array<{ id: string }>) await cli(['webhook', 'rm', h.id]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('schema prints the environment JSON Schema (draft 2020-12) on stdout', async () => {
    const r = await runCli(['schema']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), environmentJsonSchema());
    assert.equal((JSON.parse(r.stdout) as { $schema: string }).$schema, 'https://json-schema.org/draft/2020-12/schema');
  });
});
