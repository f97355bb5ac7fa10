/**
 * Cron expressions for rotation schedules: the classic five fields (minute hour day-of-month
 * month day-of-week) and the `@daily`-style macros, in an IANA time zone (UTC by default).
 * Parsing, next runs (daylight-saving changes included) and the English description come from
 * well-kept libraries: `croner` and `cronstrue`. What is ours is ESC's rule that a schedule may
 * fire at most once a day, which holds exactly when the minute and hour fields are one value each.
 */
import type * as Croner from 'croner';
import type * as Cronstrue from 'cronstrue';
import { CoreError } from '../errors';

// Loaded on first use, not at start-up: most commands never look at a schedule.
/* eslint-disable @typescript-eslint/no-require-imports */
const croner = (): typeof Croner => require('croner') as typeof Croner;
const cronstrue = (): typeof Cronstrue => require('cronstrue') as typeof Cronstrue;
/* eslint-enable @typescript-eslint/no-require-imports */

export const DEFAULT_TIME_ZONE = 'UTC';

export interface CronSchedule {
  /** The expression as written (trimmed). */
  source: string;
  /** The IANA time zone its fields are read in. */
  timeZone: string;
  /** The five fields, macros expanded. */
  fields: readonly string[];
  readonly cron: Croner.Cron;
}

function invalid(expr: string, why: string): CoreError {
  return new CoreError(
    'InvalidInput',
    `invalid cron expression "${expr}": ${why}`,
    {},
    'use five fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *" (daily at 03:00) or "30 2 * * 1" (Mondays at 02:30), or @daily/@weekly/@monthly/@yearly; --tz picks the time zone (default UTC)',
  );
}

/** Throws unless `timeZone` is an IANA zone name this runtime knows (e.g. `Europe/Paris`, `UTC`). */
export function validateTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
  } catch {
    throw new CoreError('InvalidInput', `unknown time zone "${timeZone}"`, {}, 'give an IANA time zone name such as UTC, Europe/Paris or America/New_York');
  }
  return timeZone;
}

/** Parses and validates an expression in a time zone; throws a CoreError explaining what is wrong. */
export function parseCron(expression: string, timeZone: string = DEFAULT_TIME_ZONE): CronSchedule {
  const source = expression.trim();
  validateTimeZone(timeZone);
  let cron: Croner.Cron;
  try {
    cron = new (croner().Cron)(source, { timezone: timeZone, paused: true, mode: '5-part' });
  } catch (e) {
    throw invalid(source, (e as Error).message.replace(/^CronPattern: /, ''));
  }
  const fields = (cron.getPattern() ?? source).split(/\s+/);
  if (!/^\d+$/.test(fields[0] ?? '') || !/^\d+$/.test(fields[1] ?? '')) {
    throw invalid(source, 'it fires more than once a day; like ESC, a rotation schedule may fire at most once a day (give one minute and one hour)');
  }
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) throw invalid(source, 'it never fires (no such date)');
  return { source, timeZone, fields, cron };
}

/** The first firing time strictly after `after`, or undefined if it never fires again. */
export function nextFire(schedule: CronSchedule, after: Date): Date | undefined {
  return schedule.cron.nextRun(after) ?? undefined;
}

/** A one-line English description with the zone, e.g. "At 03:00, only on Monday (Europe/Paris)". */
export function describeCron(schedule: CronSchedule): string {
  return `${cronstrue().toString(schedule.fields.join(' '), { use24HourTimeFormat: true, verbose: false })} (${schedule.timeZone})`;
}
