/**
 * Cron expressions for rotation schedules: the classic five fields (minute hour day-of-month
 * month day-of-week, UTC) plus the `@daily`-style macros. Like ESC, a schedule may fire at most
 * once a day, which holds exactly when the minute and the hour fields are single values.
 */
import { CoreError } from './errors';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is Sunday too, as in most crons; names map SUN=0.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
};

export interface CronSchedule {
  /** The expression as written. */
  source: string;
  /** The five fields (macros expanded). */
  fields: readonly string[];
  minute: number;
  hour: number;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: ReadonlySet<number>;
  /** Whether the field was `*` (cron ORs day-of-month and day-of-week when both are restricted). */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
}

function invalid(expr: string, why: string): CoreError {
  return new CoreError(
    'InvalidInput',
    `invalid cron expression "${expr}": ${why}`,
    {},
    'use five fields "minute hour day-of-month month day-of-week" in UTC, e.g. "0 3 * * *" (daily at 03:00) or "30 2 * * 1" (Mondays at 02:30), or @daily/@weekly/@monthly/@yearly',
  );
}

function parseNumber(expr: string, field: FieldSpec, text: string): number {
  const upper = text.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) throw invalid(expr, `"${text}" is not a number in the ${field.name} field`);
  const n = Number(text);
  if (n < field.min || n > field.max) throw invalid(expr, `${n} is out of range for the ${field.name} field (${field.min}-${field.max})`);
  return n;
}

function parseField(expr: string, field: FieldSpec, text: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') throw invalid(expr, `empty list item in the ${field.name} field`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) throw invalid(expr, `"${part}" has more than one step in the ${field.name} field`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw invalid(expr, `step "${stepText}" in the ${field.name} field must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = field.min;
      hi = field.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = parseNumber(expr, field, a);
      hi = parseNumber(expr, field, b);
      if (lo > hi) throw invalid(expr, `range "${range}" in the ${field.name} field runs backwards`);
    } else {
      lo = parseNumber(expr, field, range);
      hi = stepText === undefined ? lo : field.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

/** Parses and validates an expression; throws a CoreError explaining what is wrong. */
export function parseCron(expression: string): CronSchedule {
  const source = expression.trim();
  const expanded = MACROS[source.toLowerCase()] ?? source;
  if (source.startsWith('@') && MACROS[source.toLowerCase()] === undefined) {
    throw invalid(source, source.toLowerCase() === '@hourly' ? 'it fires every hour; schedules may fire at most once a day' : `unknown macro ${source}`);
  }
  const parts = expanded.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) throw invalid(source, `expected 5 fields, found ${parts.length}`);
  const sets = parts.map((p, i) => parseField(source, FIELDS[i], p));
  const [minutes, hours, dom, months, dowRaw] = sets;
  if (minutes.size !== 1 || hours.size !== 1) {
    throw invalid(source, 'it fires more than once a day; like ESC, a rotation schedule may fire at most once a day (give one minute and one hour)');
  }
  const dow = new Set([...dowRaw].map((d) => d % 7));
  const cron: CronSchedule = {
    source,
    fields: parts,
    minute: [...minutes][0],
    hour: [...hours][0],
    daysOfMonth: dom,
    months,
    daysOfWeek: dow,
    anyDayOfMonth: parts[2] === '*',
    anyDayOfWeek: parts[4] === '*',
  };
  if (nextFire(cron, new Date(Date.UTC(2000, 0, 1))) === undefined) throw invalid(source, 'it never fires (no such date)');
  return cron;
}

function dayMatches(cron: CronSchedule, day: Date): boolean {
  if (!cron.months.has(day.getUTCMonth() + 1)) return false;
  const domOk = cron.daysOfMonth.has(day.getUTCDate());
  const dowOk = cron.daysOfWeek.has(day.getUTCDay());
  if (cron.anyDayOfMonth && cron.anyDayOfWeek) return true;
  if (cron.anyDayOfMonth) return dowOk;
  if (cron.anyDayOfWeek) return domOk;
  return domOk || dowOk; // both restricted: cron fires when either matches
}

const DAY_MS = 86_400_000;
/** Eight years covers every leap-day schedule (Feb 29 that must also be, say, a Monday: 28 years; we accept missing those). */
const SEARCH_DAYS = 366 * 8;

/** The first firing time strictly after `after`, or undefined if none within eight years. */
export function nextFire(cron: CronSchedule, after: Date): Date | undefined {
  const start = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate());
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const day = new Date(start + i * DAY_MS);
    if (!dayMatches(cron, day)) continue;
    const fire = new Date(day.getTime() + cron.hour * 3_600_000 + cron.minute * 60_000);
    if (fire.getTime() > after.getTime()) return fire;
  }
  return undefined;
}

/** A one-line English description, e.g. "daily at 03:00 UTC". */
export function describeCron(cron: CronSchedule): string {
  const time = `${String(cron.hour).padStart(2, '0')}:${String(cron.minute).padStart(2, '0')} UTC`;
  const allMonths = cron.months.size === 12;
  if (cron.anyDayOfMonth && cron.anyDayOfWeek && allMonths) return `daily at ${time}`;
  return `at ${time} on days matching "${cron.fields.slice(2).join(' ')}"`;
}
