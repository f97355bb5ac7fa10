/**
 * Named step boundaries of a rotation. The crash tests set `ESC_LOCAL_CRASH_AT=<step>` (optionally
 * `<step>#<n>` for the n-th time the step is reached) in a child process, which then kills itself
 * with SIGKILL exactly there, so recovery can be tested at every boundary. Without the variable
 * this does nothing.
 */
export const CRASH_POINTS = [
  'after-lock',
  'after-journal-begin',
  'after-preflight',
  'after-delete-intent',
  'after-delete',
  'after-delete-journaled',
  'after-create-intent',
  'after-create',
  'after-create-journaled',
  'after-password-intent',
  'after-password-set',
  'after-verify',
  'after-evaluate',
  'after-write-intent',
  'after-file-write',
  'after-history',
  /** Inside every atomic write, between the temp file and its rename (use `#n` for the n-th write). */
  'atomic-temp-written',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

const reached = new Map<string, number>();

export function crashPoint(step: CrashPoint): void {
  const spec = process.env.ESC_LOCAL_CRASH_AT;
  if (!spec) return;
  const [name, nth] = spec.split('#');
  if (name !== step) return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (count === Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
}
