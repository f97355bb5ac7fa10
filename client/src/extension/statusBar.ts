/**
 * Status bar item for the active environment: when its secrets were last rotated (and what changed:
 * key ids, or the user switched to for database rotators) and when the next scheduled rotation is
 * due (the schedule described in words in the tooltip), with the warning colour once that time
 * has passed.
 */
import * as vscode from 'vscode';
import { HistoryStore } from '../core/history/historyStore';
import { describeSchedule, nextRunOf, ScheduleStore, type Schedule } from '../core/schedules/scheduleStore';
import { environmentOf } from './environments';
import { describeRotatedPath } from './history/historyTree';
import { relativeTime, shortAge } from './history/relativeTime';
import { Log } from './log';
import { coreWorkspace } from './workspaceFolders';

export interface RotationStatus {
  environment: string;
  lastRotation?: Date;
  nextDue?: Date;
  overdue: boolean;
  text: string;
  tooltip: string;
}

/** The status of one environment file (undefined: not an environment with rotators or a schedule). */
export function rotationStatus(uri: vscode.Uri, text: string, now: Date = new Date()): RotationStatus | undefined {
  const ref = environmentOf(uri);
  if (!ref) return undefined;
  const workspace = coreWorkspace(ref.folder);
  const lastRotation = new HistoryStore(workspace.historyDir)
    .list(ref.name)
    .filter(r => r.kind === 'rotation' && r.outcome === 'succeeded')
    .at(-1);
  const schedule = new ScheduleStore(workspace.toolDir).get(ref.name);
  if (!lastRotation && !schedule && !text.includes('fn::rotate::')) return undefined;
  const last = lastRotation ? new Date(lastRotation.time) : undefined;
  const nextDue = schedule ? nextRunOf(schedule) : undefined;
  const overdue = nextDue !== undefined && nextDue.getTime() <= now.getTime();
  const parts = [last ? `rotated ${shortAge(last, now)} ago` : 'never rotated'];
  if (nextDue) parts.push(overdue ? `overdue ${shortAge(nextDue, now)}` : `next ${relativeTime(nextDue, now)}`);
  const tooltip = [
    `ESC environment ${ref.name}`,
    last ? `Last rotation: revision ${lastRotation!.number}, ${relativeTime(last, now)} (${last.toLocaleString()})` : 'Never rotated',
    ...(lastRotation ? lastRotation.paths.map(p => `  ${p.path} (${p.rotator}): ${describeRotatedPath(p)}`) : []),
    schedule ? `Schedule: ${scheduleText(schedule)}; next ${nextDue ? `${nextDue.toLocaleString()} (${relativeTime(nextDue, now)})` : 'none (one-time schedule already ran)'}` : 'No rotation schedule',
    'Click to rotate secrets',
  ].join('\n');
  return {
    environment: ref.name,
    ...(last ? { lastRotation: last } : {}),
    ...(nextDue ? { nextDue } : {}),
    overdue,
    text: `${overdue ? '$(warning)' : '$(key)'} ${parts.join(' · ')}`,
    tooltip,
  };
}

/** The schedule in words; a hand-edited invalid one says so instead of failing the item. */
function scheduleText(schedule: Schedule): string {
  try {
    return describeSchedule(schedule);
  } catch (error) {
    return `invalid (${error instanceof Error ? error.message : String(error)})`;
  }
}

export class RotationStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;
  current: RotationStatus | undefined;

  constructor(private readonly log: Log) {
    this.item = vscode.window.createStatusBarItem('esc.rotationStatus', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'ESC Rotation Status';
    this.item.command = 'esc.rotateSecrets';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidSaveTextDocument(() => this.update()),
    );
    // Ages and due times move with the clock.
    this.timer = setInterval(() => this.update(), 60_000);
    this.update();
  }

  update(): void {
    const editor = vscode.window.activeTextEditor;
    try {
      this.current = editor ? rotationStatus(editor.document.uri, editor.document.getText()) : undefined;
    } catch (error) {
      this.log.error('computing the rotation status failed', error);
      this.current = undefined;
    }
    if (!this.current) {
      this.item.hide();
      return;
    }
    this.item.text = this.current.text;
    this.item.tooltip = this.current.tooltip;
    this.item.backgroundColor = this.current.overdue ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscriptions.forEach(s => s.dispose());
    this.item.dispose();
  }
}
