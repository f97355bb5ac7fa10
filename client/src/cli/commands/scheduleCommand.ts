/** `esc-local schedule set|list|rm`: rotation schedules of environments (`.esc/schedules.json`). */
import { describeSchedule, nextRunOf, ScheduleStore, type Schedule } from '../../core/schedules/scheduleStore';
import { optionValue, optionValues } from '../args';
import { commandGroup, type Command } from '../command';
import type { CliContext } from '../context';
import { CoreError } from '../../core/errors';
import { CliError, EXIT, UsageError } from '../exitCodes';

function store(ctx: CliContext): ScheduleStore {
  return new ScheduleStore(ctx.escDir);
}

function nextText(s: Schedule): string {
  try {
    return nextRunOf(s)?.toISOString() ?? 'never (already ran)';
  } catch (e) {
    return `invalid: ${(e as Error).message}`;
  }
}

const set: Command = {
  name: 'set',
  summary: 'Schedule rotations of an environment (cron, at most daily, or once)',
  usage: 'schedule set ENV (--cron EXPR [--tz ZONE] | --once TIME) [--path PATH]…',
  description: [
    'Creates or replaces the environment\'s schedule (one per environment, like ESC).',
    '--cron takes five fields "minute hour day-of-month month day-of-week" or a macro (@daily,',
    '@weekly, @monthly, @yearly), read in the IANA time zone --tz (default UTC; stored with the',
    'schedule, daylight-saving changes followed); it may fire at most once a day. --once takes an',
    'RFC 3339 time in the future. Schedules run when `esc-local rotate --due` runs (cron/CI) or',
    'when VS Code with the extension is open.',
  ].join('\n'),
  options: [
    { name: 'cron', value: 'EXPR', description: 'recurring schedule, at most daily' },
    { name: 'tz', value: 'ZONE', description: 'time zone of --cron, e.g. Europe/Paris (default UTC)' },
    { name: 'once', value: 'TIME', description: 'one-time schedule (RFC 3339, e.g. 2026-12-01T03:00:00Z)' },
    { name: 'path', value: 'PATH', repeatable: true, description: 'rotate only this path (repeatable); default: every rotator' },
  ],
  args: { min: 1, max: 1 },
  examples: ['esc-local schedule set prod/app --cron "0 3 * * 1" --tz Europe/Paris', 'esc-local schedule set db --once 2026-12-01T03:00:00Z --path values.dbPassword'],
  async run(ctx, args) {
    const env = ctx.resolveEnvironment(args.positionals[0]).name;
    const paths = optionValues(args, 'path');
    let schedule: Schedule;
    try {
      const timeZone = optionValue(args, 'tz');
      schedule = await store(ctx).set(env, { cron: optionValue(args, 'cron'), once: optionValue(args, 'once'), ...(timeZone !== undefined ? { timeZone } : {}), paths: paths.length > 0 ? paths : undefined });
    } catch (e) {
      // A bad --cron/--tz/--once is a mistake on the command line (exit 2), explained with an example.
      if (e instanceof CoreError && e.code === 'InvalidInput' && e.location.file === undefined) throw new UsageError(e.message);
      throw e;
    }
    const description = describeSchedule(schedule);
    ctx.ui.info(`${ctx.ui.err.green('✓')} ${env}: rotates ${description.charAt(0).toLowerCase()}${description.slice(1)}; next run ${nextText(schedule)}`);
    return EXIT.ok;
  },
};

const list: Command = {
  name: 'list',
  summary: 'List schedules with their next and last runs',
  usage: 'schedule list [--json]',
  description: 'Shows every schedule of the workspace: when it runs next, and how its last run went.',
  options: [{ name: 'json', description: 'print JSON' }],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const schedules = store(ctx).list();
    if (args.flags.has('json')) {
      ctx.ui.print(JSON.stringify(schedules.map((s) => ({ ...s, nextRun: nextRunOf(s)?.toISOString() ?? null })), null, 2));
      return EXIT.ok;
    }
    if (schedules.length === 0) {
      ctx.ui.info('no schedules (add one with `esc-local schedule set ENV --cron "0 3 * * *"`)');
      return EXIT.ok;
    }
    const { bold, red, green, dim } = ctx.ui.out;
    for (const s of schedules) {
      let desc: string;
      try {
        desc = describeSchedule(s);
      } catch (e) {
        desc = red(`invalid: ${(e as Error).message}`);
      }
      ctx.ui.print(`${bold(s.environment)}  ${desc}${s.paths ? dim(`  paths: ${s.paths.join(', ')}`) : ''}`);
      ctx.ui.print(`  next: ${nextText(s)}`);
      if (s.lastRun) {
        const outcome = s.lastRun.outcome === 'succeeded' ? green('succeeded') : red('failed');
        const rev = s.lastRun.revision !== undefined ? ` (revision ${s.lastRun.revision})` : '';
        ctx.ui.print(`  last: ${s.lastRun.at} ${outcome}${rev}${s.lastRun.error ? `: ${s.lastRun.error}` : ''}`);
      }
    }
    return EXIT.ok;
  },
};

const rm: Command = {
  name: 'rm',
  summary: 'Remove an environment\'s schedule',
  usage: 'schedule rm ENV',
  description: 'Removes the schedule. Exit code 3 if the environment had none.',
  options: [],
  args: { min: 1, max: 1 },
  async run(ctx, args) {
    const env = args.positionals[0];
    if (!(await store(ctx).remove(env))) throw new CliError(`${env} has no schedule`, EXIT.notFound, 'see `esc-local schedule list`');
    ctx.ui.info(`${ctx.ui.err.green('✓')} removed the schedule of ${env}`);
    return EXIT.ok;
  },
};

export const scheduleCommand = commandGroup({
  name: 'schedule',
  summary: 'Manage rotation schedules (run by `rotate --due` and by the extension)',
  description: 'Schedules are stored in the workspace\'s .esc/schedules.json, with each one\'s last run; commit it with the environments.',
  subcommands: [set, list, rm],
});
