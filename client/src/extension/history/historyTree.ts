/**
 * The Rotation History view: environments → revisions (number, kind — rotations, saves,
 * rollbacks, encryptions —, tags, age, author) → rotated paths (old key id → new key id,
 * deleted key id, or the error). Built on the core's history
 * store, it refreshes itself when revisions appear on disk, whoever wrote them (this window,
 * another window, the command-line tool).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { describeCredentialChange, HistoryStore, Revision, RotatedPathRecord } from '../../core/history/historyStore';
import { describeSchedule, ScheduleStore, type Schedule } from '../../core/schedules/scheduleStore';
import { describeError, Log } from '../log';
import { readSettings } from '../settings';
import { coreWorkspace } from '../workspaceFolders';
import { relativeTime } from './relativeTime';
import { revisionUri } from './revisionDocuments';

export interface EnvironmentNode {
  kind: 'environment';
  folder: vscode.WorkspaceFolder;
  environment: string;
  /** The environment's file, when it still exists. */
  file?: string;
  /** Its rotation schedule in words ("At 03:00, only on Monday (Europe/Paris) [0 3 * * 1]"), if it has one. */
  schedule?: string;
}

export interface RevisionNode {
  kind: 'revision';
  folder: vscode.WorkspaceFolder;
  environment: string;
  revision: Revision;
  /** The number of the revision before this one, if any (for "compare with previous"). */
  previous?: number;
  /** Names of the tags on this revision. */
  tags: string[];
}

export interface PathNode {
  kind: 'path';
  parent: RevisionNode;
  record: RotatedPathRecord;
}

export type HistoryNode = EnvironmentNode | RevisionNode | PathNode;

const kindIcons: Record<Revision['kind'], string> = {
  rotation: 'sync',
  save: 'save',
  rollback: 'discard',
  encrypt: 'lock',
  recovery: 'debug-restart',
};

export class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watchers: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly pollTimer: NodeJS.Timeout;
  private lastSignature = '';

  constructor(private readonly log: Log) {
    this.watch();
    // File watchers can miss events in folders created after they started (the first rotation
    // creates .esc/history/…), so a cheap poll of the revision numbers backs them up.
    this.lastSignature = this.signature();
    this.pollTimer = setInterval(() => {
      const signature = this.signature();
      if (signature !== this.lastSignature) this.refresh();
    }, 2000);
  }

  /** The newest revision number of every environment with history: changes whenever a revision is added. */
  private signature(): string {
    try {
      return (vscode.workspace.workspaceFolders ?? []).map(folder => `${folder.index}:${listing(coreWorkspace(folder).historyDir)}`).join(';');
    } catch {
      return this.lastSignature;
    }
  }

  /** Re-watches the history folders (settings or workspace folders changed). */
  watch(): void {
    this.watchers.splice(0).forEach(w => w.dispose());
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const settings = readSettings(folder);
      const patterns = [`${settings.historyFolder}/history/**`, `${settings.environmentsRoot}/**/*.{yaml,yml}`, '**/*.esc.{yaml,yml}'];
      for (const pattern of patterns) {
        // VS Code's watcher sees files written by any process, and creates nothing in the workspace.
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, pattern));
        watcher.onDidCreate(() => this.refreshSoon());
        watcher.onDidDelete(() => this.refreshSoon());
        watcher.onDidChange(() => this.refreshSoon());
        this.watchers.push(watcher);
      }
    }
  }

  refresh(): void {
    this.lastSignature = this.signature();
    this.changed.fire(undefined);
  }

  /** Coalesces bursts of file events (a rotation writes several files) into one refresh. */
  private refreshSoon(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 150);
  }

  getChildren(node?: HistoryNode): HistoryNode[] {
    try {
      if (!node) return this.environments();
      if (node.kind === 'environment') return this.revisions(node);
      if (node.kind === 'revision') return node.revision.paths.map(record => ({ kind: 'path', parent: node, record }));
      return [];
    } catch (error) {
      this.log.error('reading the rotation history failed', error);
      void vscode.window.showErrorMessage(`Rotation History: ${describeError(error)}`);
      return [];
    }
  }

  getParent(node: HistoryNode): HistoryNode | undefined {
    if (node.kind === 'path') return node.parent;
    if (node.kind === 'revision') return { kind: 'environment', folder: node.folder, environment: node.environment };
    return undefined;
  }

  private environments(): EnvironmentNode[] {
    const nodes: EnvironmentNode[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const workspace = coreWorkspace(folder);
      const files = new Map(workspace.listEnvironments().map(e => [e.name, e.file]));
      const names = new Set([...files.keys(), ...new HistoryStore(workspace.historyDir).environments()]);
      const schedules = readSchedules(workspace.toolDir);
      for (const environment of [...names].sort()) {
        const file = files.get(environment);
        const schedule = schedules.get(environment);
        nodes.push({ kind: 'environment', folder, environment, ...(file ? { file } : {}), ...(schedule ? { schedule } : {}) });
      }
    }
    return nodes;
  }

  private revisions(node: EnvironmentNode): RevisionNode[] {
    const workspace = coreWorkspace(node.folder);
    const store = new HistoryStore(workspace.historyDir);
    const revisions = store.list(node.environment);
    const tags = store.tags(node.environment);
    // Newest first, as a person reads history.
    return revisions
      .map((revision, index) => ({
        kind: 'revision' as const,
        folder: node.folder,
        environment: node.environment,
        revision,
        tags: tags.filter(t => t.revision === revision.number).map(t => t.name),
        ...(index > 0 ? { previous: revisions[index - 1]!.number } : {}),
      }))
      .reverse();
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    if (node.kind === 'environment') return environmentItem(node);
    if (node.kind === 'revision') return revisionItem(node);
    return pathItem(node);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    clearInterval(this.pollTimer);
    this.watchers.forEach(w => w.dispose());
    this.changed.dispose();
  }
}

/** File names under a folder (recursively), as one string; '' when it does not exist. Names only: no file is read. */
function listing(dir: string): string {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return '';
  }
  return entries
    .map(e => (e.isDirectory() ? `${e.name}/[${listing(path.join(dir, e.name))}]` : e.name))
    .sort()
    .join(',');
}

/** Each scheduled environment's schedule in words; an unreadable schedules file shows none (the schedule commands report it). */
function readSchedules(toolDir: string): Map<string, string> {
  let schedules: Schedule[];
  try {
    schedules = new ScheduleStore(toolDir).list();
  } catch {
    return new Map();
  }
  return new Map(schedules.map(s => [s.environment, scheduleText(s)]));
}

function scheduleText(schedule: Schedule): string {
  try {
    return describeSchedule(schedule);
  } catch (error) {
    return `invalid schedule: ${describeError(error)}`;
  }
}

function environmentItem(node: EnvironmentNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.environment, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `env:${node.folder.index}:${node.environment}`;
  item.contextValue = node.file ? 'esc.environment' : 'esc.environment.deleted';
  item.iconPath = new vscode.ThemeIcon(node.file ? 'symbol-namespace' : 'trash');
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  item.description = [multiRoot ? node.folder.name : undefined, node.file ? undefined : 'file deleted', node.schedule ? `⏱ ${node.schedule}` : undefined].filter(Boolean).join(' · ') || undefined;
  if (node.file) {
    item.resourceUri = vscode.Uri.file(node.file);
    item.tooltip = `${node.environment}\n${path.relative(node.folder.uri.fsPath, node.file)}${node.schedule ? `\nRotation schedule: ${node.schedule}` : ''}`;
  }
  return item;
}

function revisionItem(node: RevisionNode): vscode.TreeItem {
  const { revision } = node;
  const item = new vscode.TreeItem(
    `#${revision.number} ${revision.kind}`,
    revision.paths.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `rev:${node.folder.index}:${node.environment}:${revision.number}`;
  const time = new Date(revision.time);
  const tagText = node.tags.length > 0 ? `${node.tags.map(t => `🏷 ${t}`).join(' ')} · ` : '';
  item.description = `${tagText}${relativeTime(time)} · ${revision.user}${revision.trigger ? ` · ${revision.trigger}` : ''}${revision.outcome === 'failed' ? ' · failed' : ''}`;
  item.iconPath = revision.outcome === 'failed'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon(kindIcons[revision.kind] ?? 'history');
  item.contextValue = node.previous !== undefined ? 'esc.revision.withPrevious' : 'esc.revision';
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${node.environment}** revision ${revision.number} — ${revision.kind}, ${revision.outcome}\n\n`);
  tooltip.appendMarkdown(`${time.toLocaleString()} by \`${revision.user}\``);
  if (revision.principalArn) tooltip.appendMarkdown(` as \`${revision.principalArn}\``);
  if (revision.trigger) tooltip.appendMarkdown(` (${revision.trigger})`);
  if (revision.rolledBackTo !== undefined) tooltip.appendMarkdown(`\n\nRolled back to revision ${revision.rolledBackTo}`);
  if (revision.message) tooltip.appendMarkdown(`\n\n${revision.message}`);
  if (node.tags.length > 0) tooltip.appendMarkdown(`\n\nTags: ${node.tags.map(t => `\`${t}\``).join(', ')}`);
  item.tooltip = tooltip;
  item.command = {
    command: 'esc.history.openRevision',
    title: 'Open Revision',
    arguments: [node],
  };
  return item;
}

/** `old → new, deleted X` or `user switched a → b` for a rotated path (ids only; secrets never reach the history). */
export function describeRotatedPath(record: RotatedPathRecord): string {
  if (record.error) return `failed: ${record.error}`;
  const parts: string[] = [];
  const change = describeCredentialChange(record, '∅');
  if (change) parts.push(change);
  if (record.deletedKeyId) parts.push(`deleted ${record.deletedKeyId}`);
  return parts.length > 0 ? parts.join(', ') : 'rotated';
}

function pathItem(node: PathNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.record.path, vscode.TreeItemCollapsibleState.None);
  item.id = `path:${node.parent.folder.index}:${node.parent.environment}:${node.parent.revision.number}:${node.record.path}`;
  item.description = `${node.record.rotator} · ${describeRotatedPath(node.record)}`;
  item.iconPath = node.record.error
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : new vscode.ThemeIcon('key');
  item.tooltip = `${node.record.path} (${node.record.rotator})\n${describeRotatedPath(node.record)}`;
  item.contextValue = 'esc.rotatedPath';
  return item;
}

export function revisionUriOf(node: RevisionNode): vscode.Uri {
  return revisionUri({ folderIndex: node.folder.index, environment: node.environment, revision: node.revision.number });
}
