import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeCron, nextFire, parseCron } from '../../client/src/core/schedules/cronSchedule';
import { describeSchedule, isDue, makeSchedule, nextRunOf, runDueSchedules, ScheduleStore, type Schedule } from '../../client/src/core/schedules/scheduleStore';

const at = (iso: string): Date => new Date(iso);

describe('schedule cron expressions (croner, cronstrue)', () => {
  const runs = (expr: string, after: string, n: number, tz?: string): string[] => {
    const c = parseCron(expr, tz);
    const out: string[] = [];
    let t = at(after);
    for (let i = 0; i < n; i++) {
      t = nextFire(c, t)!;
      out.push(t.toISOString());
    }
    return out;
  };

  it('parses five fields, names, ranges, steps and macros', () => {
    assert.deepEqual(runs('30 2 * * mon-fri', '2026-11-20T12:00:00Z', 3), ['2026-11-23T02:30:00.000Z', '2026-11-24T02:30:00.000Z', '2026-11-25T02:30:00.000Z']);
    assert.deepEqual(runs('0 0 1 */3 *', '2026-11-20T00:00:00Z', 2), ['2027-01-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z']);
    assert.deepEqual(runs('0 0 1,15 JAN,jul *', '2026-11-20T00:00:00Z', 3), ['2027-01-01T00:00:00.000Z', '2027-01-15T00:00:00.000Z', '2027-07-01T00:00:00.000Z']);
    assert.deepEqual(runs('0 0 * * 7', '2026-11-20T00:00:00Z', 1), ['2026-11-22T00:00:00.000Z'], '7 is Sunday');
    assert.deepEqual(parseCron('@daily').fields, ['0', '0', '*', '*', '*']);
  });

  it('describes schedules in English with their zone', () => {
    assert.equal(describeCron(parseCron('@daily')), 'At 00:00 (UTC)');
    assert.equal(describeCron(parseCron('5 3 * * *')), 'At 03:05 (UTC)');
    assert.equal(describeCron(parseCron('0 3 * * 1', 'Europe/Paris')), 'At 03:00, only on Monday (Europe/Paris)');
  });

  it('rejects schedules that fire more than once a day, like ESC', () => {
    assert.throws(() => parseCron('*/5 * * * *'), /more than once a day/);
    assert.throws(() => parseCron('0 */6 * * *'), /more than once a day/);
    assert.throws(() => parseCron('0,30 3 * * *'), /more than once a day/);
    assert.throws(() => parseCron('0 1-2 * * *'), /more than once a day/);
    assert.throws(() => parseCron('@hourly'), /more than once a day/);
  });

  it('explains malformed expressions and unknown zones', () => {
    assert.throws(() => parseCron('0 3 * *'), /invalid cron expression "0 3 \* \*"/);
    assert.throws(() => parseCron('0 0 3 * * *'), /exactly 5 parts/);
    assert.throws(() => parseCron('0 24 * * *'), /invalid cron expression "0 24 \* \* \*"/);
    assert.throws(() => parseCron('0 3 * * funday'), /invalid cron expression/);
    assert.throws(() => parseCron('0 3 30 2 *'), /never fires/);
    assert.throws(() => parseCron('@fortnightly'), /invalid cron expression/);
    assert.throws(() => parseCron('0 3 * * *', 'Mars/Olympus_Mons'), /unknown time zone "Mars\/Olympus_Mons"/);
  });

  it('computes the next firing time strictly after the anchor, in UTC by default', () => {
    const daily = parseCron('0 3 * * *');
    assert.equal(nextFire(daily, at('2026-11-21T02:59:00Z'))?.toISOString(), '2026-11-21T03:00:00.000Z');
    assert.equal(nextFire(daily, at('2026-11-21T03:00:00Z'))?.toISOString(), '2026-11-22T03:00:00.000Z');
    // Day-of-month and day-of-week both restricted: either matches (cron semantics).
    assert.equal(nextFire(parseCron('0 0 1 * 3'), at('2026-11-21T00:00:00Z'))?.toISOString(), '2026-11-25T00:00:00.000Z');
    assert.equal(nextFire(parseCron('0 0 29 2 *'), at('2026-03-01T00:00:00Z'))?.toISOString(), '2028-02-29T00:00:00.000Z');
    assert.equal(nextFire(parseCron('@yearly'), at('2026-06-01T00:00:00Z'))?.toISOString(), '2027-01-01T00:00:00.000Z');
  });

  it('follows a time zone across daylight-saving changes', () => {
    // 03:00 in Paris is 02:00Z in winter (CET) and 01:00Z in summer (CEST); DST began 2026-03-29.
    assert.deepEqual(runs('0 3 * * *', '2026-03-27T12:00:00Z', 3, 'Europe/Paris'), ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T01:00:00.000Z']);
    assert.deepEqual(runs('0 9 * * 1', '2026-11-20T00:00:00Z', 1, 'America/New_York'), ['2026-11-23T14:00:00.000Z']);
  });
});

describe('schedule store and due computation', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-schedule-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('validates specs', () => {
    const now = at('2026-11-21T12:00:00Z');
    assert.throws(() => makeSchedule('a', {}, now), /exactly one of/);
    assert.throws(() => makeSchedule('a', { cron: '0 3 * * *', once: '2027-01-01T00:00:00Z' }, now), /exactly one of/);
    assert.throws(() => makeSchedule('a', { once: '2026-11-21T11:00:00Z' }, now), /not in the future/);
    assert.throws(() => makeSchedule('a', { once: '2026-12-01 03:00' }, now), /RFC 3339 time with a zone/);
    assert.equal(makeSchedule('a', { once: '2026-12-01T04:00:00+01:00' }, now).once, '2026-12-01T03:00:00.000Z');
    assert.throws(() => makeSchedule('a', { once: '2026-12-01T04:00:00Z', timeZone: 'Europe/Paris' }, now), /cron schedule only/);
    assert.throws(() => makeSchedule('a', { cron: '0 3 * * *', timeZone: 'Nowhere/Land' }, now), /unknown time zone/);
  });

  it('stores a cron schedule\'s time zone and runs it at local time', () => {
    const now = at('2026-11-21T12:00:00Z');
    const paris = makeSchedule('a', { cron: '0 3 * * 1', timeZone: 'Europe/Paris' }, now);
    assert.equal(paris.timeZone, 'Europe/Paris');
    assert.equal(nextRunOf(paris)?.toISOString(), '2026-11-23T02:00:00.000Z');
    assert.equal(describeSchedule(paris), 'At 03:00, only on Monday (Europe/Paris) [0 3 * * 1]');
    assert.equal(makeSchedule('a', { cron: '0 3 * * 1', timeZone: 'UTC' }, now).timeZone, undefined, 'UTC is the default, not stored');
  });

  it('stores one schedule per environment in .esc/schedules.json, atomically replaced', async () => {
    const store = new ScheduleStore(path.join(dir, '.esc'));
    await store.set('app/dev', { cron: '0 3 * * *', paths: ['iam'] }, at('2026-11-21T12:00:00Z'));
    await store.set('db', { once: '2026-12-01T00:00:00Z' }, at('2026-11-21T12:00:00Z'));
    await store.set('app/dev', { cron: '15 4 * * 1' }, at('2026-11-21T12:00:00Z'));
    const file = JSON.parse(fs.readFileSync(path.join(dir, '.esc', 'schedules.json'), 'utf8')) as { version: number; schedules: Record<string, Schedule> };
    assert.equal(file.version, 1);
    assert.deepEqual(Object.keys(file.schedules).sort(), ['app/dev', 'db']);
    assert.equal(file.schedules['app/dev'].cron, '15 4 * * 1');
    assert.equal(file.schedules['app/dev'].paths, undefined);
    assert.deepEqual(store.list().map((s) => s.environment), ['app/dev', 'db']);
    assert.equal(await store.remove('db'), true);
    assert.equal(await store.remove('db'), false);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.esc')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('reports a corrupt schedules file clearly', () => {
    fs.mkdirSync(path.join(dir, '.esc'));
    fs.writeFileSync(path.join(dir, '.esc', 'schedules.json'), '{nope');
    assert.throws(() => new ScheduleStore(path.join(dir, '.esc')).list(), /schedules\.json is not valid JSON/);
  });

  it('is due once per slot, counted from the last run; one-time schedules run once', () => {
    const created = '2026-11-20T12:00:00Z';
    const daily: Schedule = { environment: 'a', cron: '0 3 * * *', createdAt: created };
    assert.equal(nextRunOf(daily)?.toISOString(), '2026-11-21T03:00:00.000Z');
    assert.equal(isDue(daily, at('2026-11-21T02:59:59Z')), false);
    assert.equal(isDue(daily, at('2026-11-21T03:00:00Z')), true);
    assert.equal(isDue(daily, at('2026-11-25T00:00:00Z')), true, 'missed slots run once when next checked');
    const ran: Schedule = { ...daily, lastRun: { at: '2026-11-25T00:00:01Z', outcome: 'failed', error: 'x' } };
    assert.equal(isDue(ran, at('2026-11-25T02:00:00Z')), false, 'a failed run consumes its slot');
    assert.equal(isDue(ran, at('2026-11-25T03:00:00Z')), true);
    const once: Schedule = { environment: 'b', once: '2026-12-01T00:00:00.000Z', createdAt: created };
    assert.equal(isDue(once, at('2026-11-30T23:59:59Z')), false);
    assert.equal(isDue(once, at('2026-12-01T00:00:00Z')), true);
    assert.equal(isDue({ ...once, lastRun: { at: '2026-12-01T00:00:01Z', outcome: 'succeeded', revision: 4 } }, at('2027-01-01T00:00:00Z')), false);
  });

  it('runs due schedules, records successes and failures, and skips what is not due', async () => {
    const store = new ScheduleStore(path.join(dir, '.esc'));
    const t0 = at('2026-11-20T12:00:00Z');
    await store.set('ok', { cron: '0 3 * * *' }, t0);
    await store.set('broken', { cron: '0 3 * * *', paths: ['values.iam'] }, t0);
    await store.set('later', { once: '2027-01-01T00:00:00Z' }, t0);
    const rotated: string[] = [];
    const failures: Array<{ env: string; paths?: string[]; message: string }> = [];
    const results = await runDueSchedules(
      store,
      {
        rotate: async (env) => {
          rotated.push(env);
          if (env === 'broken') throw new Error('environment broken, values.iam: AccessDenied on iam:CreateAccessKey');
          return { revision: 7 };
        },
        recordFailure: async (env, paths, e) => {
          failures.push({ env, paths, message: (e as Error).message });
        },
      },
      { now: at('2026-11-21T03:00:00Z') },
    );
    assert.deepEqual(rotated.sort(), ['broken', 'ok']);
    assert.deepEqual(failures, [{ env: 'broken', paths: ['values.iam'], message: 'environment broken, values.iam: AccessDenied on iam:CreateAccessKey' }]);
    assert.deepEqual(results.map((r) => [r.environment, r.run.outcome]).sort(), [['broken', 'failed'], ['ok', 'succeeded']]);
    assert.equal(store.get('ok')?.lastRun?.revision, 7);
    assert.match(store.get('broken')?.lastRun?.error ?? '', /AccessDenied/);
    assert.equal(store.get('later')?.lastRun, undefined);
    // Nothing is due again until the next slot.
    assert.deepEqual(store.due(at('2026-11-21T03:30:00Z')).map((s) => s.environment), []);
  });

  it('runs only the due schedules the caller selects (the extension asks first)', async () => {
    const store = new ScheduleStore(path.join(dir, '.esc'));
    await store.set('yes', { cron: '0 3 * * *' }, at('2026-11-20T12:00:00Z'));
    await store.set('no', { cron: '0 3 * * *' }, at('2026-11-20T12:00:00Z'));
    const rotated: string[] = [];
    await runDueSchedules(store, { rotate: async (env) => (rotated.push(env), {}), recordFailure: async () => undefined }, { now: at('2026-11-21T03:00:00Z'), filter: (s) => s.environment === 'yes' });
    assert.deepEqual(rotated, ['yes']);
    assert.equal(store.get('no')?.lastRun, undefined, 'declined schedules stay due');
  });

  it('refuses a second concurrent sweep', async () => {
    const store = new ScheduleStore(path.join(dir, '.esc'));
    await store.set('slow', { cron: '0 3 * * *' }, at('2026-11-20T12:00:00Z'));
    let release: () => void = () => undefined;
    const first = runDueSchedules(
      store,
      { rotate: () => new Promise((resolve) => (release = () => resolve({ revision: 1 }))), recordFailure: async () => undefined },
      { now: at('2026-11-21T03:00:00Z') },
    );
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(
      runDueSchedules(store, { rotate: async () => ({}), recordFailure: async () => undefined }, { now: at('2026-11-21T03:00:00Z') }),
      /scheduled rotation sweep/,
    );
    release();
    assert.equal((await first).length, 1);
  });
});
