/** Commands of the Rotation History view: open, compare, tag, refresh (roll back lives in rollback.ts). */
import * as vscode from 'vscode';
import { HistoryStore, validateTagName } from '../../core/history/historyStore';
import { describeError } from '../log';
import { coreWorkspace } from '../workspaceFolders';
import { HistoryNode, HistoryTreeProvider, RevisionNode, revisionUriOf } from './historyTree';
import { revisionUri } from './revisionDocuments';

function asRevision(node: HistoryNode | undefined): RevisionNode | undefined {
  if (!node) return undefined;
  if (node.kind === 'revision') return node;
  if (node.kind === 'path') return node.parent;
  return undefined;
}

export function registerHistoryCommands(tree: HistoryTreeProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('esc.history.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('esc.history.openRevision', async (node?: HistoryNode) => {
      const revision = asRevision(node);
      if (!revision) return undefined;
      const doc = await vscode.workspace.openTextDocument(revisionUriOf(revision));
      return vscode.window.showTextDocument(doc, { preview: true });
    }),
    vscode.commands.registerCommand('esc.history.compareWithPrevious', async (node?: HistoryNode) => {
      const revision = asRevision(node);
      if (!revision) return;
      if (revision.previous === undefined) {
        void vscode.window.showInformationMessage(`Revision ${revision.revision.number} of ${revision.environment} is its first revision.`);
        return;
      }
      const before = revisionUri({ folderIndex: revision.folder.index, environment: revision.environment, revision: revision.previous });
      await vscode.commands.executeCommand(
        'vscode.diff',
        before,
        revisionUriOf(revision),
        `${revision.environment}: revision ${revision.previous} ↔ ${revision.revision.number} (redacted)`,
      );
    }),
    vscode.commands.registerCommand('esc.history.tagRevision', async (node?: HistoryNode, name?: string) => {
      const revision = asRevision(node);
      if (!revision) return;
      const tag = name ?? (await vscode.window.showInputBox({
        title: `Tag revision ${revision.revision.number} of ${revision.environment}`,
        prompt: 'Letters, digits, ".", "-", "_"; an existing tag of that name moves here',
        validateInput: value => validateTagName(value.trim()),
      }));
      if (tag === undefined) return;
      try {
        await new HistoryStore(coreWorkspace(revision.folder).historyDir).tag(revision.environment, tag.trim(), revision.revision.number);
        tree.refresh();
      } catch (error) {
        void vscode.window.showErrorMessage(`Tagging failed: ${describeError(error)}`);
      }
    }),
    vscode.commands.registerCommand('esc.history.compareWithCurrent', async (node?: HistoryNode) => {
      const revision = asRevision(node);
      if (!revision) return;
      const current = revisionUri({ folderIndex: revision.folder.index, environment: revision.environment, revision: 'current' });
      await vscode.commands.executeCommand(
        'vscode.diff',
        revisionUriOf(revision),
        current,
        `${revision.environment}: revision ${revision.revision.number} ↔ current (redacted)`,
      );
    }),
  ];
}
