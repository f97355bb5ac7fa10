/**
 * Rotation schedules, one per environment as in ESC: a cron expression (at most daily, in an
 * IANA time zone, UTC by default) or a one-time instant. Stored in `<workspace>/.esc/schedules.json` (meant to be committed with
 * the environments) together with each schedule's last run, so every machine that runs
 * `esc-local rotate --due` or has the extension open agrees on what is due.
 *
 * A run consumes its slot whatever its outcome: a failing rotation is recorded (here and in the
 * history) and retried at the next slot, never in a tight loop. A one-time schedule that ran is
 * kept, marked with its run, until the user removes or replaces it.
 */
import * as path from 'node:path';
import { CoreError } from '../errors';
import { requireEnvironmentName } from '../requireEnvironmentName';
import { JsonConfigFile } from '../fs/jsonConfig';
import { array, checkJsonShape, environmentNameKey, integer, literal, object, optional, record, string } from '../fs/jsonShape';
import { acquireEnvironmentLock } from '../fs/lock';
import { DEFAULT_TIME_ZONE, describeCron, nextFire, parseCron } from './cronSchedule';

export type ScheduleOutcome = 'succeeded' | 'failed';

export interface ScheduleRun {
  /** When the run started (ISO 8601). */
  at: string;
  outcome: ScheduleOutcome;
  /** The revision the rotation recorded, when it got that far. */
  revision?: number;
  /** Why it failed (core error messages never contain secrets). */
  error?: string;
}

export interface Schedule {
  environment: string;
  /** Recurring: five-field cron expression or macro. Exactly one of `cron` / `once`. */
  cron?: string;
  /** The IANA time zone `cron` is read in; absent = UTC. */
  timeZone?: string;
  /** One-time: an ISO 8601 instant. */
  once?: string;
  /** Rotate only these document paths (ESC property paths); absent = every rotator. */
  paths?: string[];
  createdAt: string;
  lastRun?: ScheduleRun;
}

interface ScheduleFile {
  version: 1;
  schedules: { [environment: string]: Omit<Schedule, 'environment'> };
}

export const SCHEDULES_FILE = 'schedules.json';

/** Entries are keyed by environment name, checked by the one rule before any rotation or path uses it. */
const SCHEDULE_FILE_SHAPE = object<ScheduleFile>({
  version: literal(1),
  schedules: record(
    object<Omit<Schedule, 'environment'>>({
      cron: optional(string),
      once: optional(string),
      timeZone: optional(string),
      paths: optional(array(string)),
      createdAt: string,
      lastRun: optional(object<ScheduleRun>({ at: string, outcome: literal('succeeded', 'failed'), revision: optional(integer), error: optional(string) })),
    }),
    environmentNameKey,
  ),
});

export interface ScheduleSpec {
  cron?: string;
  /** Only with `cron`: its IANA time zone (default UTC). */
  timeZone?: string;
  once?: string;
  paths?: string[];
}

/** When the schedule should next run (undefined: never again, e.g. a one-time schedule that ran). */
export function nextRunOf(schedule: Schedule): Date | undefined {
  if (schedule.once !== undefined) return schedule.lastRun === undefined ? new Date(schedule.once) : undefined;
  if (schedule.cron === undefined) return undefined;
  // Slots count from the last run (or from creation): a slot missed while nobody was running
  // the tool is run once when it next looks, not once per missed slot.
  const anchor = new Date(schedule.lastRun?.at ?? schedule.createdAt);
  return nextFire(parseCron(schedule.cron, schedule.timeZone ?? DEFAULT_TIME_ZONE), anchor);
}

export function isDue(schedule: Schedule, now: Date): boolean {
  const next = nextRunOf(schedule);
  return next !== undefined && next.getTime() <= now.getTime();
}

/** A short description: "At 03:00, only on Monday (Europe/Paris) [0 3 * * 1]", "once at 2026-12-01T00:00:00.000Z". */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.once !== undefined) return `once at ${new Date(schedule.once).toISOString()}`;
  if (schedule.cron !== undefined) return `${describeCron(parseCron(schedule.cron, schedule.timeZone ?? DEFAULT_TIME_ZONE))} [${schedule.cron}]`;
  return 'invalid schedule';
}

function parseInstant(text: string): Date {
  // RFC 3339 / ISO 8601 with an explicit zone (Z or ±hh:mm): local-time strings are ambiguous.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    throw new CoreError('InvalidInput', `"${text}" is not an RFC 3339 time with a zone`, {}, 'write it like 2026-12-01T03:00:00Z or 2026-12-01T04:00:00+01:00');
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new CoreError('InvalidInput', `"${text}" is not a valid date`);
  return date;
}

/** Validates a spec and builds the schedule (throws located CoreErrors). */
export function makeSchedule(environment: string, spec: ScheduleSpec, now: Date): Schedule {
  if ((spec.cron === undefined) === (spec.once === undefined)) {
    throw new CoreError('InvalidInput', 'give exactly one of a cron expression (recurring) or a one-time instant', { environment });
  }
  const schedule: Schedule = { environment, createdAt: now.toISOString() };
  if (spec.timeZone !== undefined && spec.cron === undefined) {
    throw new CoreError('InvalidInput', 'a time zone applies to a cron schedule only (a one-time instant carries its own offset)', { environment });
  }
  if (spec.cron !== undefined) {
    parseCron(spec.cron, spec.timeZone ?? DEFAULT_TIME_ZONE);
    schedule.cron = spec.cron.trim();
    if (spec.timeZone !== undefined && spec.timeZone !== DEFAULT_TIME_ZONE) schedule.timeZone = spec.timeZone;
  } else if (spec.once !== undefined) {
    const at = parseInstant(spec.once);
    if (at.getTime() <= now.getTime()) {
      throw new CoreError('InvalidInput', `the one-time schedule ${at.toISOString()} is not in the future`, { environment }, 'give a future time, or run `esc-local rotate` now');
    }
    schedule.once = at.toISOString();
  }
  if (spec.paths !== undefined && spec.paths.length > 0) schedule.paths = [...spec.paths];
  return schedule;
}

/** The schedules of one workspace, read and written under a short lock so concurrent edits never lose one another. */
export class ScheduleStore {
  readonly file: string;
  private readonly config: JsonConfigFile<ScheduleFile>;

  /** `escDir` is the workspace's `.esc` folder. */
  constructor(escDir: string) {
    this.file = path.join(escDir, SCHEDULES_FILE);
    this.config = new JsonConfigFile(this.file, path.join(escDir, 'run'), {
      lockName: '@schedules',
      purpose: 'schedule update',
      empty: () => ({ version: 1, schedules: {} }),
      validate: (parsed, file) => checkJsonShape(parsed, file, SCHEDULE_FILE_SHAPE, 'an esc-local schedules file (version 1)'),
    });
  }

  list(): Schedule[] {
    const data = this.config.read();
    return Object.entries(data.schedules)
      .map(([environment, s]) => ({ environment, ...s }))
      .sort((a, b) => a.environment.localeCompare(b.environment));
  }

  get(environment: string): Schedule | undefined {
    return this.list().find((s) => s.environment === environment);
  }

  /** Creates or replaces the environment's schedule (one per environment). */
  async set(environment: string, spec: ScheduleSpec, now: Date = new Date()): Promise<Schedule> {
    requireEnvironmentName(environment);
    const schedule = makeSchedule(environment, spec, now);
    await this.config.update((data) => {
      const { environment: _name, ...rest } = schedule;
      data.schedules[environment] = rest;
    });
    return schedule;
  }

  /** Returns false when there was no schedule. */
  async remove(environment: string): Promise<boolean> {
    let removed = false;
    await this.config.update((data) => {
      removed = environment in data.schedules;
      delete data.schedules[environment];
    });
    return removed;
  }

  /** Records a run; a schedule removed or replaced meanwhile (different createdAt) is left alone. */
  async recordRun(schedule: Schedule, run: ScheduleRun): Promise<void> {
    await this.config.update((data) => {
      const current = data.schedules[schedule.environment];
      if (current === undefined || current.createdAt !== schedule.createdAt) return;
      current.lastRun = run;
    });
  }

  due(now: Date = new Date()): Schedule[] {
    return this.list().filter((s) => {
      try {
        return isDue(s, now);
      } catch {
        return false; // an invalid entry (hand-edited) is reported by `schedule list`, not run
      }
    });
  }
}

/** What `runDueSchedules` needs from the rotation machinery (the CLI and the extension wire the core in). */
export interface ScheduledRotation {
  /** Rotates the environment (only `paths` when given); resolves with the recorded revision. */
  rotate(environment: string, paths: string[] | undefined, signal?: AbortSignal): Promise<{ revision?: number }>;
  /** Records a failed scheduled run in the environment's history. Must not throw for history problems it can report otherwise. */
  recordFailure(environment: string, paths: string[] | undefined, error: unknown): Promise<void>;
}

export interface DueRunResult {
  environment: string;
  schedule: Schedule;
  run: ScheduleRun;
}

export interface DueRunOptions {
  now?: Date;
  signal?: AbortSignal;
  /** Only these due schedules (e.g. those the user agreed to run now); default all. */
  filter?: (schedule: Schedule) => boolean;
  /** Called before each rotation starts (progress). */
  onStart?: (schedule: Schedule) => void;
  describeError?: (e: unknown) => string;
}

/**
 * Runs every due schedule once, one environment at a time, under a sweep lock so that two
 * overlapping `rotate --due` invocations never rotate the same slot twice. Each run is recorded
 * (schedule file and, for failures, history) whatever happens.
 */
export async function runDueSchedules(store: ScheduleStore, rotation: ScheduledRotation, options: DueRunOptions = {}): Promise<DueRunResult[]> {
  const escDir = path.dirname(store.file);
  const sweep = await acquireEnvironmentLock(path.join(escDir, 'run'), '@schedule-sweep', { waitMs: 0, purpose: 'scheduled rotation sweep' });
  const results: DueRunResult[] = [];
  try {
    const now = options.now ?? new Date();
    for (const schedule of store.due(now).filter(options.filter ?? (() => true))) {
      options.signal?.throwIfAborted();
      options.onStart?.(schedule);
      const at = new Date().toISOString();
      let run: ScheduleRun;
      try {
        const { revision } = await rotation.rotate(schedule.environment, schedule.paths, options.signal);
        run = revision === undefined ? { at, outcome: 'succeeded' } : { at, outcome: 'succeeded', revision };
      } catch (e) {
        const message = (options.describeError ?? ((x: unknown) => (x instanceof Error ? x.message : String(x))))(e);
        run = { at, outcome: 'failed', error: message };
        // A rotation that failed after recording a (failed) revision says which one.
        const recorded = (e as { revision?: unknown }).revision;
        if (typeof recorded === 'number') run.revision = recorded;
        try {
          await rotation.recordFailure(schedule.environment, schedule.paths, e);
        } catch (historyError) {
          run.error = `${message}; also, recording the failure in the history failed: ${historyError instanceof Error ? historyError.message : String(historyError)}`;
        }
      }
      await store.recordRun(schedule, run);
      results.push({ environment: schedule.environment, schedule, run });
    }
  } finally {
    sweep.release();
  }
  return results;
}
