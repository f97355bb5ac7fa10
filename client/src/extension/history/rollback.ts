/** Roll Back to This Revision (history view): after a confirmation, through the core, as a new revision. */
import * as vscode from 'vscode';
import type { RollbackResult } from '../../core/escCore';
import { ensureSaved } from '../fileGuard';
import { describeError, Log } from '../log';
import { escCore } from '../workspaceFolders';
import type { HistoryNode } from './historyTree';
import { reportHandEdits } from './saveRecorder';

export interface RollbackArgs {
  /** For callers that already asked the user; the view's menu always asks. */
  skipConfirmation?: boolean;
}

export function registerRollbackCommand(log: Log): vscode.Disposable {
  return vscode.commands.registerCommand('esc.history.rollback', (node?: HistoryNode, args?: RollbackArgs) => rollback(log, node, args));
}

async function rollback(log: Log, node: HistoryNode | undefined, args: RollbackArgs | undefined): Promise<RollbackResult | undefined> {
  if (!node || node.kind !== 'revision') return undefined;
  const { environment, folder, revision } = node;
  const core = escCore(folder, log);
  const file = core.workspace.fileFor(environment);
  if (!file) {
    void vscode.window.showErrorMessage(`Roll back: environment ${environment} no longer has a file.`);
    return undefined;
  }
  if (!args?.skipConfirmation) {
    const answer = await vscode.window.showWarningMessage(
      `Roll ${environment} back to revision ${revision.number}?`,
      {
        modal: true,
        detail: 'The file is rewritten with that revision\'s definition and the change is recorded as a new revision. Rotated secrets keep their current state: a rotation cannot be rolled back, since the keys it replaced may no longer exist.',
      },
      'Roll Back',
    );
    if (answer !== 'Roll Back') return undefined;
  }
  if (!(await ensureSaved(vscode.Uri.file(file), environment, 'Rolling back'))) return undefined;
  try {
    const result = await core.rollback(environment, revision.number, { trigger: 'extension' });
    void reportHandEdits(folder, log, environment, result);
    log.info(`${result.message} (revision ${result.revision.number})`);
    void vscode.window.showInformationMessage(`${result.message[0]!.toUpperCase()}${result.message.slice(1)} (revision ${result.revision.number}).`);
    return result;
  } catch (error) {
    log.error(`rolling back ${environment} failed`, error);
    void vscode.window.showErrorMessage(`Roll back ${environment}: ${describeError(error)}`);
    return undefined;
  }
}
