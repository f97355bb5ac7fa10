import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { HistoryStore } from '../../../client/src/core/history/historyStore';
import type { HistoryNode } from '../../../client/src/extension/history/historyTree';
import { eventually, escApi, workspaceRoot } from './helpers';

describe('Rotation History view', () => {
  it('shows a revision written by another process (as the CLI would) without a manual refresh', async () => {
    const api = await escApi();
    const tree = api.historyTree;
    const roots = tree.getChildren();
    assert.ok(roots.some(n => n.kind === 'environment' && n.environment === 'app/dev'), 'environments are listed');
    const store = new HistoryStore(path.join(workspaceRoot(), '.esc/history'));
    let refreshed = false;
    const listener = tree.onDidChangeTreeData(() => (refreshed = true));
    try {
      store.append('app/dev', {
        kind: 'save',
        outcome: 'succeeded',
        trigger: 'cli',
        paths: [],
        definition: 'values:\n  greeting: hello\n',
      });
      await eventually('the tree to refresh itself', () => (refreshed ? true : undefined), 10000);
    } finally {
      listener.dispose();
    }
    const env = tree.getChildren().find((n): n is Extract<HistoryNode, { kind: 'environment' }> => n.kind === 'environment' && n.environment === 'app/dev');
    assert.ok(env);
    const revisions = tree.getChildren(env);
    assert.strictEqual(revisions.length, 1);
    const item = tree.getTreeItem(revisions[0]!);
    assert.strictEqual(item.label, '#1 save');
    assert.match(String(item.description), /just now · /);
  });

  it('opens a revision as a read-only document', async () => {
    const api = await escApi();
    const env = api.historyTree.getChildren().find(n => n.kind === 'environment' && n.environment === 'app/dev')!;
    const revision = api.historyTree.getChildren(env)[0]!;
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('esc.history.openRevision', revision);
    assert.strictEqual(editor.document.uri.scheme, 'esc-revision');
    assert.strictEqual(editor.document.getText(), 'values:\n  greeting: hello\n');
  });
});
