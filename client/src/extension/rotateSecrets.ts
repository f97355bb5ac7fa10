/**
 * ESC: Rotate Secrets — on the active environment (or the one picked in the history view):
 * pick the `fn::rotate::*` paths (all preselected), rotate them through the core with a
 * cancellable progress notification, and report per path what happened. The core holds the
 * lock, journal, AWS calls, file write-back (comments kept) and the history record.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RotationResult } from '../core/escCore';
import { describeRotatedPath } from './history/historyTree';
import { activeEnvironment, environmentOf, EnvironmentRef } from './environments';
import { ensureSaved } from './fileGuard';
import { reportHandEdits } from './history/saveRecorder';
import { describeError, Log } from './log';
import { notifyWebhooks } from './notifyWebhooks';
import { escCore, folderByIndex } from './workspaceFolders';

/** Programmatic arguments (keybindings, other extensions, the e2e suite). */
export interface RotateArgs {
  /** The environment file (default: the active editor's). */
  uri?: vscode.Uri;
  /** Paths under `values` to rotate, skipping the picker (default: ask, all preselected). */
  paths?: string[];
}

/** What the history tree passes from an environment row's menu. */
interface EnvironmentNodeLike {
  kind: 'environment';
  environment: string;
  folder: vscode.WorkspaceFolder;
  file?: string;
}

function resolveTarget(arg: unknown): EnvironmentRef | string {
  if (arg instanceof vscode.Uri) return environmentOf(arg) ?? `${path.basename(arg.fsPath)} is not an ESC environment.`;
  if (arg && typeof arg === 'object') {
    const node = arg as Partial<EnvironmentNodeLike> & Partial<RotateArgs>;
    if (node.kind === 'environment' && node.file && node.folder && folderByIndex(node.folder.index)) {
      return { name: node.environment!, folder: node.folder, uri: vscode.Uri.file(node.file) };
    }
    if (node.uri instanceof vscode.Uri) return environmentOf(node.uri) ?? `${path.basename(node.uri.fsPath)} is not an ESC environment.`;
  }
  return activeEnvironment();
}

export function registerRotateCommand(log: Log): vscode.Disposable {
  return vscode.commands.registerCommand('esc.rotateSecrets', (arg?: unknown) => rotateSecrets(log, arg));
}

async function rotateSecrets(log: Log, arg: unknown): Promise<RotationResult | undefined> {
  const env = resolveTarget(arg);
  if (typeof env === 'string') {
    void vscode.window.showWarningMessage(env);
    return undefined;
  }
  const requestedPaths = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as RotateArgs).paths : undefined;

  // The rotation rewrites the file: never over unsaved edits.
  const interactive = requestedPaths === undefined;
  if (!(await ensureSaved(env.uri, env.name, 'The rotation', interactive))) return undefined;

  const core = escCore(env.folder, log);
  let paths = requestedPaths;
  try {
    const targets = core.rotationTargets(env.name);
    if (targets.length === 0) {
      void vscode.window.showInformationMessage(`${env.name} has no fn::rotate values to rotate.`);
      return undefined;
    }
    if (core.pendingRecovery(env.name)) {
      void vscode.window.showInformationMessage(`An interrupted rotation of ${env.name} is completed first; run Rotate Secrets again afterwards to rotate once more.`);
      paths = undefined;
    } else if (!paths) {
      const picked = await vscode.window.showQuickPick(
        targets.map(t => ({ label: t.path, description: t.rotator ? `fn::rotate::${t.rotator}` : 'fn::rotate', picked: true })),
        { title: `ESC: Rotate Secrets — ${env.name}`, placeHolder: 'Paths to rotate', canPickMany: true },
      );
      if (!picked || picked.length === 0) return undefined;
      paths = picked.length === targets.length ? undefined : picked.map(p => p.label);
    }
  } catch (error) {
    log.error(`rotate ${env.name}`, error);
    void vscode.window.showErrorMessage(`Rotate Secrets: ${describeError(error)}`);
    return undefined;
  }

  log.info(`rotating ${env.name}${paths ? ` (${paths.join(', ')})` : ''}`);
  let result: RotationResult;
  let cancelledBeforeCommit = false;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Rotating secrets of ${env.name}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        // Cancelling stops the rotation before its point of no return (the first change in AWS or a database);
        // after it, the core finishes safely and the request is only logged.
        let committed = false;
        const cancel = token.onCancellationRequested(() => {
          if (committed) log.warn(`cancel requested for ${env.name} after AWS or the database was changed: the rotation completes so that no credential is lost`);
          else log.info(`rotation of ${env.name} cancelled by the user`);
          cancelledBeforeCommit = !committed;
          abort.abort();
        });
        try {
          progress.report({ message: paths ? paths.join(', ') : 'all rotated values' });
          return await core.rotate(env.name, {
            ...(paths ? { paths } : {}),
            signal: abort.signal,
            trigger: 'extension',
            waitMs: 0,
            onProgress: line => progress.report({ message: line }),
            onPointOfNoReturn: () => {
              committed = true;
              progress.report({ message: 'changing AWS or the database — no longer cancellable' });
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (error) {
    log.error(`rotation of ${env.name} failed`, error);
    void vscode.window.showErrorMessage(`Rotate Secrets (${env.name}): ${describeError(error)}`);
    void notifyWebhooks(env.folder, log, 'extension', { environment: env.name, paths, error });
    return undefined;
  }
  if (cancelledBeforeCommit && result.paths.every(p => p.error !== undefined)) {
    // Stopped before the first change in AWS and nothing rotated: say so plainly (the core's record has the details).
    report(log, result, { quiet: true });
    void vscode.window.showInformationMessage(`Rotation of ${env.name} cancelled before anything changed in AWS or the database; the file is unchanged.`);
  } else {
    report(log, result);
  }
  // The save of the edits made since the last revision (recorded first by the core), then the rotation.
  void reportHandEdits(env.folder, log, env.name, result).then(() => notifyWebhooks(env.folder, log, 'extension', { result }));
  return result;
}

/** Logs a rotation's outcome per path and, unless `quiet`, tells the user. */
export function report(log: Log, result: RotationResult, options: { quiet?: boolean } = {}): void {
  const lines = result.paths.map(p => `${p.path} (${p.rotator}): ${describeRotatedPath(p)}`);
  log.info(`${result.message}${result.revision ? ` [revision ${result.revision.number}]` : ''}`);
  lines.forEach(line => log.info(`  ${line}`));
  for (const d of result.diagnostics) log.warn(`  ${d.summary}${d.detail ? `: ${d.detail}` : ''} (${d.range.environment}:${d.range.begin.line}:${d.range.begin.column})`);
  if (options.quiet) return;
  const summary = `${result.environment}: ${lines.join('; ') || result.message}`;
  if (result.ok) {
    void vscode.window.showInformationMessage(`Rotated ${summary}${result.revision ? ` (revision ${result.revision.number})` : ''}`);
  } else {
    void vscode.window.showErrorMessage(`Rotation of ${summary}`, 'Show Log').then(choice => {
      if (choice) log.channel.show(true);
    });
  }
}
