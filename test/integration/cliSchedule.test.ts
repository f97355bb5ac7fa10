import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScheduleStore, type Schedule } from '../../client/src/core/schedules/scheduleStore';
import type { AwsEndpoint } from '../aws/index';
import { copyExamples, EXAMPLES_ROLE_ARN as ROLE_ARN, runCli, startExamplesAws, type CliRun } from './cliHarness';

const DAYS_AGO = (n: number): Date => new Date(Date.now() - n * 86_400_000);

interface RevisionJson {
  number: number;
  kind: string;
  outcome: string;
  trigger?: string;
  message?: string;
  paths: Array<{ path: string; error?: string }>;
}

describe('esc-local schedules and rotate --due (real CLI, local AWS, real keychain)', function () {
  this.timeout(120000);
  let aws: AwsEndpoint;
  let ws: string;
  let env: Record<string, string>;
  let credentialsJson: string;
  /** Bodies of the webhook POSTs received from scheduled rotations. */
  const events: Array<{ environment: string; outcome: string; trigger: string; revision?: number }> = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      events.push((JSON.parse(body) as { data: (typeof events)[number] }).data);
      res.statusCode = 204;
      res.end();
    });
  });
  const cli = (args: string[], input?: string): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env, ...(input !== undefined ? { input } : {}) });
  const history = async (name: string): Promise<RevisionJson[]> => JSON.parse((await cli(['history', name, '--json'])).stdout) as RevisionJson[];
  const schedules = (): ScheduleStore => new ScheduleStore(path.join(ws, '.esc'));
  /** Moves a schedule's creation into the past so that its next slot is due now. */
  const makeDue = async (name: string, spec: { cron?: string; once?: string; paths?: string[] }): Promise<void> => {
    await schedules().set(name, spec, DAYS_AGO(8));
  };

  before(async () => {
    const started = await startExamplesAws();
    aws = started.aws;
    const key = started.adminKey;
    credentialsJson = JSON.stringify({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    ws = copyExamples();
    env = { ...aws.sdkEnv(), ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-schedule-test-${process.pid}` };
    const set = await cli(['credentials', 'set', ROLE_ARN], credentialsJson);
    assert.equal(set.code, 0, set.stderr);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = await cli(['webhook', 'add', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`], 'schedule-test-signing-secret-0123\n');
    assert.equal(hook.code, 0, hook.stderr);
  });

  after(async () => {
    await cli(['credentials', 'forget', ROLE_ARN]);
    for (const h of JSON.parse((await cli(['webhook', 'list', '--json'])).stdout) as Array<{ id: string }>) await cli(['webhook', 'rm', h.id]);
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await aws.close();
  });

  it('sets, lists and validates schedules (cron at most daily, one-time in the future)', async () => {
    const set = await cli(['schedule', 'set', 'app/aws-keys', '--cron', '0 3 * * *']);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stderr, /app\/aws-keys: rotates at 03:00 \(UTC\) \[0 3 \* \* \*\]; next run \d{4}-\d\d-\d\dT03:00:00\.000Z/);
    const paris = await cli(['schedule', 'set', 'app/aws-keys', '--cron', '0 3 * * 1', '--tz', 'Europe/Paris']);
    assert.equal(paris.code, 0, paris.stderr);
    // 03:00 in Paris is 02:00Z in winter, 01:00Z in summer.
    assert.match(paris.stderr, /app\/aws-keys: rotates at 03:00, only on Monday \(Europe\/Paris\) \[0 3 \* \* 1\]; next run \d{4}-\d\d-\d\dT0[12]:00:00\.000Z/);
    assert.equal((JSON.parse((await cli(['schedule', 'list', '--json'])).stdout) as Schedule[])[0]!.timeZone, 'Europe/Paris');
    assert.match((await cli(['schedule', 'list'])).stdout, /^app\/aws-keys {2}At 03:00, only on Monday \(Europe\/Paris\) \[0 3 \* \* 1\]$/m);
    const badZone = await cli(['schedule', 'set', 'app/aws-keys', '--cron', '0 3 * * 1', '--tz', 'Europe/Atlantis']);
    assert.equal(badZone.code, 2);
    assert.match(badZone.stderr, /unknown time zone "Europe\/Atlantis"/);
    assert.equal((await cli(['schedule', 'set', 'app/aws-keys', '--once', '2999-01-01T00:00:00Z', '--tz', 'UTC'])).code, 2);
    assert.equal((await cli(['schedule', 'set', 'app/aws-keys', '--cron', '0 3 * * *'])).code, 0);
    const tooOften = await cli(['schedule', 'set', 'app/aws-keys', '--cron', '*/5 * * * *']);
    assert.equal(tooOften.code, 2);
    assert.match(tooOften.stderr, /may fire at most once a day/);
    const past = await cli(['schedule', 'set', 'app/db-password', '--once', '2020-01-01T00:00:00Z']);
    assert.equal(past.code, 2);
    assert.match(past.stderr, /not in the future/);
    const both = await cli(['schedule', 'set', 'app/db-password', '--once', '2999-01-01T00:00:00Z', '--cron', '@daily']);
    assert.equal(both.code, 2);
    const once = await cli(['schedule', 'set', 'app/db-password', '--once', '2999-01-01T00:00:00Z']);
    assert.equal(once.code, 0, once.stderr);
    const unknown = await cli(['schedule', 'set', 'app/nope', '--cron', '@daily']);
    assert.equal(unknown.code, 3);
    const list = JSON.parse((await cli(['schedule', 'list', '--json'])).stdout) as Array<Schedule & { nextRun: string | null }>;
    assert.deepEqual(list.map((s) => [s.environment, s.cron ?? s.once, s.nextRun?.slice(11)]), [
      ['app/aws-keys', '0 3 * * *', '03:00:00.000Z'],
      ['app/db-password', '2999-01-01T00:00:00.000Z', '00:00:00.000Z'],
    ]);
    const human = await cli(['schedule', 'list']);
    assert.match(human.stdout, /^app\/aws-keys {2}At 03:00 \(UTC\) \[0 3 \* \* \*\]\n {2}next: /m);
    const none = await cli(['rotate', '--due']);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /no scheduled rotation is due/);
  });

  it('rotates every due environment once, records the runs (history + schedule), then nothing is due', async () => {
    await makeDue('app/aws-keys', { cron: '0 3 * * *' });
    await makeDue('app/db-password', { cron: '@weekly', paths: ['db.password'] });
    const r = await cli(['rotate', '--due', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout) as Array<{ environment: string; outcome: string; revision?: number }>;
    assert.deepEqual(runs.map((x) => [x.environment, x.outcome, x.revision]), [
      ['app/aws-keys', 'succeeded', 1],
      ['app/db-password', 'succeeded', 1],
    ]);
    const h = await history('app/aws-keys');
    assert.deepEqual(h.map((x) => [x.kind, x.outcome, x.trigger]), [['rotation', 'succeeded', 'schedule']]);
    assert.equal(schedules().get('app/aws-keys')?.lastRun?.outcome, 'succeeded');
    assert.equal(schedules().get('app/db-password')?.lastRun?.revision, 1);
    assert.deepEqual(events.map((e) => [e.environment, e.outcome, e.trigger, e.revision]), [
      ['app/aws-keys', 'succeeded', 'schedule', 1],
      ['app/db-password', 'succeeded', 'schedule', 1],
    ]);
    const again = await cli(['rotate', '--due']);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /no scheduled rotation is due/);
    assert.equal((await history('app/aws-keys')).length, 1);
  });

  it('records a scheduled rotation that fails (no managing credentials): exit 1, failed revision, last run failed', async () => {
    assert.equal((await cli(['credentials', 'forget', ROLE_ARN])).code, 0);
    try {
      await makeDue('app/aws-keys', { cron: '0 3 * * *' });
      const r = await cli(['rotate', '--due']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /1 scheduled rotation\(s\) ran, 1 failed/);
      const last = (await history('app/aws-keys')).pop()!;
      assert.deepEqual([last.number, last.kind, last.outcome, last.trigger], [2, 'rotation', 'failed', 'schedule']);
      assert.match(last.paths[0].error ?? last.message ?? '', /no managing AWS credentials/);
      const run = schedules().get('app/aws-keys')?.lastRun;
      assert.equal(run?.outcome, 'failed');
      assert.equal(run?.revision, 2);
      assert.match(run?.error ?? '', /no managing AWS credentials/);
      assert.deepEqual(events.slice(-1).map((e) => [e.environment, e.outcome, e.trigger, e.revision]), [['app/aws-keys', 'failed', 'schedule', 2]]);
      const listed = await cli(['schedule', 'list']);
      assert.match(listed.stdout, /last: .* failed \(revision 2\): /);
    } finally {
      assert.equal((await cli(['credentials', 'set', ROLE_ARN], credentialsJson)).code, 0);
    }
  });

  it('records a scheduled rotation that cannot start (environment locked) in the history too', async () => {
    await makeDue('app/db-password', { cron: '@daily' });
    const lock = path.join(ws, '.esc', 'run', 'locks', `${encodeURIComponent('app/db-password')}.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), tool: 'VS Code', since: new Date().toISOString(), purpose: 'rotation' }));
    try {
      const r = await cli(['rotate', '--due']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /app\/db-password: environment app\/db-password: another rotation of this environment is in progress: VS Code/);
      const last = (await history('app/db-password')).pop()!;
      assert.deepEqual([last.kind, last.outcome, last.trigger], ['rotation', 'failed', 'schedule']);
      assert.deepEqual(last.paths.map((p) => p.path), ['db.password']);
      assert.match(last.message ?? '', /another rotation of this environment is in progress/);
      assert.equal(schedules().get('app/db-password')?.lastRun?.outcome, 'failed');
      assert.deepEqual(events.slice(-1).map((e) => [e.environment, e.outcome, e.trigger]), [['app/db-password', 'failed', 'schedule']]);
    } finally {
      fs.rmSync(lock);
    }
  });

  it('never runs a due slot twice when two `rotate --due` run at once', async () => {
    await makeDue('app/db-password', { cron: '@daily' });
    const before = (await history('app/db-password')).length;
    const [a, b] = await Promise.all([cli(['rotate', '--due']), cli(['rotate', '--due'])]);
    const codes = [a.code, b.code].sort();
    assert.ok(codes[0] === 0, `one sweep succeeds: ${a.stderr} / ${b.stderr}`);
    const after = (await history('app/db-password')).length;
    if (codes[1] === 5) {
      assert.match(a.stderr + b.stderr, /scheduled rotation sweep/);
      assert.equal(after, before + 1);
    } else {
      // The second sweep started after the first finished: nothing was due any more.
      assert.equal(codes[1], 0);
      assert.match(a.stderr + b.stderr, /no scheduled rotation is due/);
      assert.equal(after, before + 1);
    }
  });

  it('removes schedules', async () => {
    assert.equal((await cli(['schedule', 'rm', 'app/db-password'])).code, 0);
    const again = await cli(['schedule', 'rm', 'app/db-password']);
    assert.equal(again.code, 3);
    assert.match(again.stderr, /app\/db-password has no schedule/);
    const text = fs.readFileSync(path.join(ws, '.esc', 'schedules.json'), 'utf8');
    assert.ok(!text.includes('app/db-password'));
  });
});
