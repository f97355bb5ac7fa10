/**
 * Rotation schedules in VS Code: Set / Remove Rotation Schedule (stored in the workspace's
 * `.esc/schedules.json`, shared with `esc-local schedule` and `esc-local rotate --due`), and
 * the due check — at start and periodically — which asks before rotating unless the user
 * opted into automatic rotation (`esc.schedules.autoRotate`). Every scheduled run, failed ones
 * too, is recorded in the history by the core's schedule runner.
 */
import * as vscode from 'vscode';
import { parseCron, validateTimeZone } from '../core/schedules/cronSchedule';
import { describeSchedule, DueRunResult, nextRunOf, runDueSchedules, Schedule, ScheduleSpec, ScheduleStore } from '../core/schedules/scheduleStore';
import { coreScheduledRotation } from '../core/schedules/scheduleRunner';
import { activeEnvironment, environmentOf, EnvironmentRef } from './environments';
import { reportHandEdits } from './history/saveRecorder';
import { describeError, Log } from './log';
import { report } from './rotateSecrets';
import { notifyWebhooks } from './notifyWebhooks';
import { coreWorkspace, escCore } from './workspaceFolders';

export interface SetScheduleArgs extends ScheduleSpec {
  uri?: vscode.Uri;
}

const presets: Array<{ label: string; cron?: string; ask?: 'cron' | 'once' }> = [
  { label: 'Daily at 03:00', cron: '0 3 * * *' },
  { label: 'Weekly, Mondays at 03:00', cron: '0 3 * * 1' },
  { label: 'Monthly, on the 1st at 03:00', cron: '0 3 1 * *' },
  { label: 'Custom cron expression…', ask: 'cron' },
  { label: 'Once, at a given time…', ask: 'once' },
];

function targetOf(uri: vscode.Uri | undefined): EnvironmentRef | string {
  return uri ? environmentOf(uri) ?? 'This file is not an ESC environment.' : activeEnvironment();
}

function store(folder: vscode.WorkspaceFolder): ScheduleStore {
  return new ScheduleStore(coreWorkspace(folder).toolDir);
}

async function askForSpec(env: EnvironmentRef): Promise<ScheduleSpec | undefined> {
  const picked = await vscode.window.showQuickPick(presets, { title: `ESC: Set Rotation Schedule — ${env.name}`, placeHolder: 'When to rotate (at most daily, as in ESC)' });
  if (!picked) return undefined;
  if (picked.cron) return withTimeZone({ cron: picked.cron });
  if (picked.ask === 'cron') {
    const cron = await vscode.window.showInputBox({
      title: 'Cron expression (five fields, at most daily)',
      placeHolder: '0 3 * * 1',
      ignoreFocusOut: true,
      validateInput: value => {
        try {
          parseCron(value);
          return undefined;
        } catch (error) {
          return describeError(error);
        }
      },
    });
    return cron === undefined ? undefined : withTimeZone({ cron });
  }
  const once = await vscode.window.showInputBox({
    title: 'Rotate once at (RFC 3339 time with a zone)',
    value: new Date(Date.now() + 86400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    ignoreFocusOut: true,
  });
  return once === undefined ? undefined : { once };
}

/** Asks for the time zone of a cron schedule: this machine's zone is offered, UTC is the default. */
async function withTimeZone(spec: ScheduleSpec): Promise<ScheduleSpec | undefined> {
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timeZone = await vscode.window.showInputBox({
    title: `Time zone of "${spec.cron}" (IANA name)`,
    value: 'UTC',
    prompt: local && local !== 'UTC' ? `This machine's zone is ${local}` : undefined,
    ignoreFocusOut: true,
    validateInput: value => {
      try {
        validateTimeZone(value.trim());
        return undefined;
      } catch (error) {
        return describeError(error);
      }
    },
  });
  return timeZone === undefined ? undefined : { ...spec, timeZone: timeZone.trim() };
}

export class ScheduleRunner implements vscode.Disposable {
  private readonly timer: NodeJS.Timeout;
  private readonly startup: NodeJS.Timeout;
  /** Due slots the user already answered "Later" to in this window (environment@next run). */
  private readonly postponed = new Set<string>();
  private running = false;

  constructor(private readonly log: Log) {
    const minutes = Math.max(1, vscode.workspace.getConfiguration('esc').get<number>('schedules.checkIntervalMinutes') ?? 15);
    this.timer = setInterval(() => void this.checkDue(), minutes * 60_000);
    // At start, once the window has settled.
    this.startup = setTimeout(() => void this.checkDue(), 5_000);
  }

  /** Finds due schedules in every folder; rotates them (after asking, unless automatic). Returns what ran. */
  async checkDue(options: { ask?: boolean } = {}): Promise<DueRunResult[]> {
    // Due rotations run nothing in Restricted Mode (./trust); they are checked again once trusted.
    if (!vscode.workspace.isTrusted) return [];
    const ran: DueRunResult[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let due: Schedule[];
      try {
        due = store(folder).due().filter(s => !this.postponed.has(slotKey(s)));
      } catch (error) {
        this.log.warn(`schedules of ${folder.name} not checked: ${describeError(error)}`);
        continue;
      }
      if (due.length === 0) continue;
      const automatic = vscode.workspace.getConfiguration('esc', folder).get<boolean>('schedules.autoRotate') === true;
      if (!automatic && options.ask !== false) {
        // Asked without holding anything: an unanswered question never blocks other runs.
        const names = due.map(s => s.environment).join(', ');
        const answer = await vscode.window.showInformationMessage(
          `Scheduled rotation due: ${names}.`,
          { detail: due.map(s => `${s.environment}: ${describeSchedule(s)}`).join('\n') },
          'Rotate Now',
          'Later',
        );
        if (answer !== 'Rotate Now') {
          due.forEach(s => this.postponed.add(slotKey(s)));
          this.log.info(`scheduled rotation of ${names} postponed by the user`);
          continue;
        }
      }
      // One sweep at a time in this window (the core's sweep lock covers other processes).
      if (this.running) continue;
      this.running = true;
      try {
        ran.push(...(await this.run(folder)));
      } finally {
        this.running = false;
      }
    }
    return ran;
  }

  private async run(folder: vscode.WorkspaceFolder): Promise<DueRunResult[]> {
    const core = escCore(folder, this.log);
    const rotation = coreScheduledRotation(core, {
      trigger: 'schedule',
      onResult: async result => {
        await reportHandEdits(folder, this.log, result.environment, result);
        report(this.log, result);
        await notifyWebhooks(folder, this.log, 'schedule', { result });
      },
      onError: async (environment, paths, error) => {
        this.log.error(`scheduled rotation of ${environment} failed`, error);
        void vscode.window.showErrorMessage(`Scheduled rotation of ${environment} failed: ${describeError(error)}`);
        await notifyWebhooks(folder, this.log, 'schedule', { environment, paths, error });
      },
    });
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Running scheduled rotations', cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => abort.abort());
          try {
            return await runDueSchedules(store(folder), rotation, {
              signal: abort.signal,
              onStart: s => progress.report({ message: s.environment }),
              describeError,
            });
          } finally {
            cancel.dispose();
          }
        },
      );
    } catch (error) {
      this.log.error('scheduled rotations failed', error);
      void vscode.window.showErrorMessage(`Scheduled rotations: ${describeError(error)}`);
      return [];
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.startup);
  }
}

function slotKey(schedule: Schedule): string {
  return `${schedule.environment}@${nextRunOf(schedule)?.toISOString() ?? 'never'}`;
}

export function registerScheduleCommands(runner: ScheduleRunner, log: Log): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('esc.schedule.set', async (args?: SetScheduleArgs) => {
      const env = targetOf(args?.uri);
      if (typeof env === 'string') {
        void vscode.window.showWarningMessage(env);
        return undefined;
      }
      const spec = args?.cron || args?.once
        ? { ...(args.cron ? { cron: args.cron } : {}), ...(args.timeZone ? { timeZone: args.timeZone } : {}), ...(args.once ? { once: args.once } : {}), ...(args.paths ? { paths: args.paths } : {}) }
        : await askForSpec(env);
      if (!spec) return undefined;
      try {
        const schedule = await store(env.folder).set(env.name, spec);
        const next = nextRunOf(schedule);
        const message = `Rotation of ${env.name} scheduled ${describeSchedule(schedule)}${next ? `; next run ${next.toISOString()}` : ''}.`;
        log.info(message);
        void vscode.window.showInformationMessage(message);
        return schedule;
      } catch (error) {
        void vscode.window.showErrorMessage(`Set Rotation Schedule: ${describeError(error)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('esc.schedule.remove', async (args?: { uri?: vscode.Uri }) => {
      const env = targetOf(args?.uri);
      if (typeof env === 'string') {
        void vscode.window.showWarningMessage(env);
        return false;
      }
      const removed = await store(env.folder).remove(env.name);
      const message = removed ? `Removed the rotation schedule of ${env.name}.` : `${env.name} has no rotation schedule.`;
      log.info(message);
      void vscode.window.showInformationMessage(message);
      return removed;
    }),
    vscode.commands.registerCommand('esc.schedule.runDue', (args?: { ask?: boolean }) => runner.checkDue(args)),
  ];
}
