import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { EscCore } from '../../../client/src/core/escCore';
import type { EnvironmentNode, RevisionNode } from '../../../client/src/extension/history/historyTree';
import { environmentPath, escApi, eventually, workspaceRoot } from './helpers';

const environment = 'history/notes';

async function revisionRows(): Promise<RevisionNode[]> {
  const { historyTree } = await escApi();
  const env = historyTree.getChildren().find((n): n is EnvironmentNode => n.kind === 'environment' && n.environment === environment);
  assert.ok(env, `${environment} is listed`);
  return historyTree.getChildren(env) as RevisionNode[];
}

function activeDiff(): vscode.TabInputTextDiff | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputTextDiff ? input : undefined;
}

describe('revisions: compare and roll back', () => {
  const file = () => environmentPath('history/notes.yaml');

  before(async () => {
    // Two saved revisions, as the CLI (`esc-local` uses the same core) would record them.
    const core = new EscCore({ workspace: { root: workspaceRoot() } });
    await core.recordSave(environment, { message: 'first', trigger: 'cli' });
    fs.writeFileSync(file(), fs.readFileSync(file(), 'utf8').replace('greeting: hello', 'greeting: bonjour'));
    await core.recordSave(environment, { message: 'second', trigger: 'cli' });
    await eventually('both revisions in the view', async () => ((await revisionRows()).length === 2 ? true : undefined));
  });

  it('compares a revision with the previous one in the diff editor', async () => {
    const [newest] = await revisionRows();
    assert.strictEqual(newest!.revision.number, 2);
    assert.strictEqual(newest!.previous, 1);
    await vscode.commands.executeCommand('esc.history.compareWithPrevious', newest);
    const diff = await eventually('the diff editor', activeDiff);
    assert.match(diff.original.path, /history\/notes@1\.esc\.yaml$/);
    assert.match(diff.modified.path, /history\/notes@2\.esc\.yaml$/);
    const before = await vscode.workspace.openTextDocument(diff.original);
    const after = await vscode.workspace.openTextDocument(diff.modified);
    assert.match(before.getText(), /greeting: hello/);
    assert.match(after.getText(), /greeting: bonjour/);
  });

  it('compares a revision with the current file', async () => {
    fs.writeFileSync(file(), fs.readFileSync(file(), 'utf8').replace('greeting: bonjour', 'greeting: hola'));
    const [, oldest] = await revisionRows();
    await vscode.commands.executeCommand('esc.history.compareWithCurrent', oldest);
    const diff = await eventually('the diff editor', () => {
      const d = activeDiff();
      return d && /@current\.esc\.yaml$/.test(d.modified.path) ? d : undefined;
    });
    const current = await vscode.workspace.openTextDocument(diff.modified);
    assert.match(current.getText(), /greeting: hola/);
  });

  it('rolls back to a revision as a new revision, after a save of the edits made on disk since the last revision', async () => {
    const [, oldest] = await revisionRows();
    const result = await vscode.commands.executeCommand<{ revision: { number: number; kind: string; rolledBackTo?: number }; save?: { number: number } }>(
      'esc.history.rollback', oldest, { skipConfirmation: true });
    assert.ok(result, 'the rollback returned its result');
    // The previous test wrote "hola" straight to disk: kept as a save before the rollback overwrote it.
    assert.strictEqual(result.save?.number, 3);
    assert.deepStrictEqual([result.revision.number, result.revision.kind, result.revision.rolledBackTo], [4, 'rollback', 1]);
    assert.match(fs.readFileSync(file(), 'utf8'), /greeting: hello/);
    const rows = await eventually('the rollback revision in the view', async () => {
      const r = await revisionRows();
      return r.length === 4 ? r : undefined;
    });
    const { historyTree } = await escApi();
    assert.strictEqual(historyTree.getTreeItem(rows[0]!).label, '#4 rollback');
    assert.deepStrictEqual(rows.map(r => [r.revision.number, r.revision.kind]), [[4, 'rollback'], [3, 'save'], [2, 'save'], [1, 'save']], 'newest first');
  });
});
