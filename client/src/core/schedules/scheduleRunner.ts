/**
 * Scheduled rotations through the core: the `ScheduledRotation` that `runDueSchedules` drives,
 * for the CLI (`rotate --due`) and the extension (due schedules at start and periodically).
 *
 *   const results = await runDueSchedules(new ScheduleStore(core.workspace.toolDir),
 *     coreScheduledRotation(core, { onResult, onError }), { signal });
 *
 * A rotation that runs and fails is recorded by the core itself (a failed revision); one that
 * cannot even start (lock held, keychain locked, drift, …) is recorded here, so every run of a
 * schedule appears in the history with its outcome.
 */
import type { EscCore, RotationResult } from '../escCore';
import { describeError } from '../errors';
import type { ScheduledRotation } from './scheduleStore';

/** A scheduled rotation that ran and failed; the core already recorded its failed revision. */
export class RecordedRotationFailure extends Error {
  readonly revision?: number;
  constructor(readonly result: RotationResult) {
    super(result.message);
    this.name = 'RecordedRotationFailure';
    if (result.revision) this.revision = result.revision.number;
  }
}

export interface ScheduledRotationHooks {
  /** Who runs it, recorded in the history (`schedule` by default). */
  trigger?: string;
  /** Wait for a busy environment's lock (ms). Default 0. */
  waitMs?: number;
  /** Deadline of each rotation (ms); the core's default when omitted. */
  timeoutMs?: number;
  /** After every rotation that produced a result (success or failure): show it (and its `save`, see core `HandEdits`), send webhooks. */
  onResult?(result: RotationResult): Promise<void> | void;
  /** After a rotation that threw (before recording): show it, send webhooks. */
  onError?(environment: string, paths: string[] | undefined, error: unknown): Promise<void> | void;
}

export function coreScheduledRotation(core: EscCore, hooks: ScheduledRotationHooks = {}): ScheduledRotation {
  const trigger = hooks.trigger ?? 'schedule';
  return {
    async rotate(environment, paths, signal) {
      let result: RotationResult;
      try {
        result = await core.rotate(environment, { ...(paths && paths.length > 0 ? { paths } : {}), trigger, waitMs: hooks.waitMs ?? 0, ...(hooks.timeoutMs !== undefined ? { timeoutMs: hooks.timeoutMs } : {}), ...(signal ? { signal } : {}) });
      } catch (e) {
        await hooks.onError?.(environment, paths, e);
        throw e;
      }
      await hooks.onResult?.(result);
      if (!result.ok) throw new RecordedRotationFailure(result);
      return result.revision ? { revision: result.revision.number } : {};
    },
    async recordFailure(environment, paths, error) {
      if (error instanceof RecordedRotationFailure) return;
      let targets: Array<{ path: string; rotator?: string }>;
      try {
        targets = core.rotationTargets(environment);
      } catch {
        targets = [];
      }
      const wanted = paths && paths.length > 0 ? paths : targets.map((t) => t.path);
      const message = describeError(error);
      core.history.append(environment, {
        kind: 'rotation',
        outcome: 'failed',
        trigger,
        message,
        paths: wanted.map((p) => ({ path: p, rotator: targets.find((t) => t.path === p)?.rotator ?? 'unknown', error: message })),
      });
    },
  };
}
