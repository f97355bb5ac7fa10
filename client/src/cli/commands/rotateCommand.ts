/**
 * `esc-local rotate ENV [PATH…]` and `esc-local rotate --due`: rotations through the core
 * (lock, journal, preflight, write-back with encrypted state, history), then webhooks. A
 * webhook failure is shown but never changes the rotation's outcome or exit code.
 */
import { DEFAULT_ROTATION_TIMEOUT_MS } from '../../core/escCore';
import type { RotationResult } from '../../core/index';
import { describeError } from '../../core/errors';
import { describeCredentialChange } from '../../core/history/historyStore';
import { runDueSchedules, ScheduleStore } from '../../core/schedules/scheduleStore';
import { coreScheduledRotation } from '../../core/schedules/scheduleRunner';
import { rotationEventFromError, rotationEventFromResult } from '../../core/webhooks/webhookEvents';
import { optionValue } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { EXIT, UsageError } from '../exitCodes';
import { notify, reportHandEdits } from './notify';

/**
 * The outcome, each fact once: a success on stdout (stderr when stdout carries JSON); a failure
 * — its summary and each failed path's error — on stderr only. Deleted keys are always
 * printed, `--quiet` or not.
 */
function showResult(ctx: CliContext, result: RotationResult, json: boolean): void {
  const toStderr = json || !result.ok;
  const { green, red, dim, bold } = toStderr ? ctx.ui.err : ctx.ui.out;
  const line = (text: string): void => (toStderr ? ctx.ui.report(text) : ctx.ui.print(text));
  if (result.recovery) line(`${green('✓')} ${result.recovery.message}`);
  const summary = result.ok ? result.message : `rotation of ${result.environment} failed${result.revision ? ` (recorded as revision ${result.revision.number})` : ''}`;
  line(`${result.ok ? green('✓') : red('✗')} ${summary}`);
  for (const p of result.paths) {
    if (p.error !== undefined) {
      line(`  ${red('✗')} ${bold(p.path)} ${dim(`(${p.rotator})`)}: ${p.error}`);
      continue;
    }
    const keys = p.newKeyId ? ` ${describeCredentialChange(p)}` : '';
    line(`  ${green('✓')} ${bold(p.path)} ${dim(`(${p.rotator})`)}${keys}`);
  }
  if (!result.ok && result.paths.length === 0) line(`  ${result.message}`);
  for (const d of result.deletedKeys) {
    line(`  deleted access key ${d.accessKeyId} of ${d.userArn} (${d.reason === 'orphan' ? 'created by an interrupted CreateAccessKey of this tool; its secret was never received' : 'the retired previous key'})`);
  }
  if (result.principalArn) ctx.ui.info(`rotated as ${result.principalArn}`);
}

/** Rotates one environment, prints the outcome, notifies webhooks. Throws core errors; returns failed results. */
async function rotateOne(ctx: CliContext, environment: string, paths: string[], waitMs: number, timeoutMs: number, json: boolean): Promise<RotationResult> {
  ctx.ui.progress(`rotating ${environment}${paths.length > 0 ? ` (${paths.join(', ')})` : ''}`);
  let result: RotationResult;
  try {
    result = await ctx.core.rotate(environment, { ...(paths.length > 0 ? { paths } : {}), waitMs, timeoutMs, trigger: 'cli', ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (e) {
    await notify(ctx, rotationEventFromError(environment, paths, e, 'manual'));
    throw e;
  }
  await reportHandEdits(ctx, environment, result);
  showResult(ctx, result, json);
  await notify(ctx, rotationEventFromResult(result, 'manual'));
  return result;
}

function secondsOption(name: string, text: string | undefined, fallbackMs: number, min: number): number {
  if (text === undefined) return fallbackMs;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < min) throw new UsageError(`--${name} must be a number of seconds (at least ${min}), got "${text}"`);
  return Math.round(seconds * 1000);
}

async function rotateDue(ctx: CliContext, json: boolean, waitMs: number, timeoutMs: number): Promise<number> {
  const store = new ScheduleStore(ctx.escDir);
  const rotation = coreScheduledRotation(ctx.core, {
    waitMs,
    timeoutMs,
    onResult: async (result) => {
      await reportHandEdits(ctx, result.environment, result);
      showResult(ctx, result, json);
      await notify(ctx, rotationEventFromResult(result, 'schedule'));
    },
    onError: async (environment, paths, error) => {
      ctx.ui.error(`${environment}: ${describeError(error)}`);
      await notify(ctx, rotationEventFromError(environment, paths, error, 'schedule'));
    },
  });
  const results = await runDueSchedules(store, rotation, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onStart: (s) => ctx.ui.progress(`${s.environment}: scheduled rotation is due; rotating${s.paths ? ` (${s.paths.join(', ')})` : ''}`),
  });
  if (json) ctx.ui.print(JSON.stringify(results.map((r) => ({ environment: r.environment, ...r.run })), null, 2));
  else if (results.length === 0) ctx.ui.info('no scheduled rotation is due');
  else {
    const failed = results.filter((r) => r.run.outcome === 'failed').length;
    ctx.ui.info(`${results.length} scheduled rotation(s) ran, ${failed} failed`);
  }
  return results.some((r) => r.run.outcome === 'failed') ? EXIT.failed : EXIT.ok;
}

export const rotateCommand: Command = {
  name: 'rotate',
  summary: 'Rotate the secrets of an environment, or every environment whose schedule is due',
  usage: 'rotate ENV [PATH…] [--wait SECONDS] | rotate --due',
  description: [
    'Runs the environment\'s rotators (all fn::rotate calls, or only those at PATH, e.g. aws.iam),',
    'writes the new state back into the file (secrets encrypted with the workspace data key,',
    'comments and formatting kept) and records a revision in the history. An interrupted earlier',
    'rotation is completed first. Webhooks configured for the environment are notified after.',
    '',
    'With --due, every environment whose schedule (see `esc-local schedule`) is due is rotated',
    'once; each run, failures too, is recorded in the history and in .esc/schedules.json. Run it',
    'from cron or CI, e.g. `17 * * * * cd /repo && esc-local rotate --due --quiet`.',
    '',
    'Every AWS call has a deadline (ESC_LOCAL_AWS_TIMEOUT seconds per request, default 15) and the',
    'rotation as a whole one too (--timeout, default 300 s); past it the rotation stops, releases',
    'the lock and exits 1; the next run completes what it started.',
    '',
    'Exit code 0 when every rotation succeeded, 1 when one failed, 5 when the environment is',
    'being rotated by someone else (see --wait).',
  ].join('\n'),
  options: [
    { name: 'due', description: 'rotate every environment whose schedule is due' },
    { name: 'wait', value: 'SECONDS', description: 'wait for another rotation of the environment to finish (default 0)' },
    { name: 'timeout', value: 'SECONDS', description: 'deadline of each rotation, recovery included (default 300)' },
    { name: 'json', description: 'print the outcome as JSON' },
  ],
  args: { min: 0, max: Infinity },
  examples: ['esc-local rotate app/aws-keys', 'esc-local rotate app/aws-keys aws.iam', 'esc-local rotate --due --quiet'],
  async run(ctx, args) {
    const waitMs = secondsOption('wait', optionValue(args, 'wait'), 0, 0);
    const timeoutMs = secondsOption('timeout', optionValue(args, 'timeout'), DEFAULT_ROTATION_TIMEOUT_MS, 1);
    const json = args.flags.has('json');
    if (args.flags.has('due')) {
      if (args.positionals.length > 0) throw new UsageError('--due takes no environment: it rotates every environment whose schedule is due');
      return rotateDue(ctx, json, waitMs, timeoutMs);
    }
    if (args.positionals.length === 0) throw new UsageError('name the environment to rotate (or use --due)');
    const env = ctx.resolveEnvironment(args.positionals[0]);
    const paths = args.positionals.slice(1);
    const result = await rotateOne(ctx, env.name, paths, waitMs, timeoutMs, json);
    if (json) {
      ctx.ui.print(JSON.stringify({ environment: result.environment, ok: result.ok, recovered: result.recovered, recoveryRevision: result.recovery?.revision?.number ?? null, revision: result.revision?.number ?? null, paths: result.paths, deletedKeys: result.deletedKeys, principalArn: result.principalArn ?? null }, null, 2));
    }
    // A failure was printed by showResult (once, on stderr): nothing more to say.
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};
