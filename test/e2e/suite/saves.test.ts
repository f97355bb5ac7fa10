/**
 * A revision per save (esc.history.recordSaves) and tags, as a person sees them in the Rotation
 * History view: saves appear beside rotations, an unchanged save adds nothing, the setting turns
 * it off, a tag shows on its revision, and edits made on disk outside VS Code become a save
 * before a rotation from the extension writes the file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { RotationResult } from '../../../client/src/core/escCore';
import type { HistoryNode, RevisionNode } from '../../../client/src/extension/history/historyTree';
import { environmentPath, escApi, eventually, openEnvironment, workspaceRoot } from './helpers';

const environment = 'saves/demo';

async function revisions(of = environment): Promise<RevisionNode[]> {
  const tree = (await escApi()).historyTree;
  const env = tree.getChildren().find((n: HistoryNode) => n.kind === 'environment' && n.environment === of);
  return env ? (tree.getChildren(env) as RevisionNode[]) : [];
}

/** Waits for the newest revision to be `number`, and returns it. */
async function newest(number: number): Promise<RevisionNode> {
  return eventually(`revision ${number} of ${environment}`, async () => {
    const [top] = await revisions();
    return top && top.revision.number === number ? top : undefined;
  });
}

async function edit(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  const change = new vscode.WorkspaceEdit();
  const start = doc.getText().indexOf(from);
  assert.ok(start >= 0, `"${from}" in ${doc.getText()}`);
  change.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(start + from.length)), to);
  assert.ok(await vscode.workspace.applyEdit(change));
}

/** Saves through VS Code (a save can be refused while the workbench is busy: retried until the buffer is clean). */
async function save(doc: vscode.TextDocument): Promise<void> {
  await eventually(`${doc.uri.fsPath} to be saved`, async () => ((await doc.save()) || !doc.isDirty ? true : undefined));
}

async function editAndSave(doc: vscode.TextDocument, from: string, to: string): Promise<void> {
  await edit(doc, from, to);
  await save(doc);
}

describe('History: a revision per save, and tags', () => {
  const config = () => vscode.workspace.getConfiguration('esc');
  after(async () => {
    await config().update('history.recordSaves', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('records a save that changed the definition as a revision shown in the tree, and none for an unchanged save', async () => {
    // Created through VS Code's file service, so the editor and the disk agree on the file from the start.
    await vscode.workspace.fs.writeFile(vscode.Uri.file(environmentPath(`${environment}.yaml`)), Buffer.from('values:\n  greeting: hello\n  region: us-east-1\n'));
    const doc = await openEnvironment(`${environment}.yaml`);
    await editAndSave(doc, 'hello', 'bonjour');
    const first = await newest(1);
    const item = (await escApi()).historyTree.getTreeItem(first);
    assert.strictEqual(item.label, '#1 save');
    assert.match(String(item.description), / · extension$/);
    assert.strictEqual(first.revision.definition, undefined, 'the tree lists revisions without definitions');

    // An edit undone before saving leaves the definition as recorded: no revision. The next real
    // change then becomes revision 3 (it would be 4 had the unchanged save been recorded).
    await editAndSave(doc, 'bonjour', 'hallo');
    await newest(2);
    await edit(doc, 'hallo', 'hallo!');
    await edit(doc, 'hallo!', 'hallo');
    await save(doc);
    await editAndSave(doc, 'us-east-1', 'eu-west-1');
    await newest(3);
    assert.deepStrictEqual((await revisions()).map(r => [r.revision.number, r.revision.kind]), [[3, 'save'], [2, 'save'], [1, 'save']]);
  });

  it('records nothing while esc.history.recordSaves is off', async () => {
    await config().update('history.recordSaves', false, vscode.ConfigurationTarget.Workspace);
    const doc = await openEnvironment(`${environment}.yaml`);
    await editAndSave(doc, 'eu-west-1', 'eu-central-1');
    await config().update('history.recordSaves', true, vscode.ConfigurationTarget.Workspace);
    await editAndSave(doc, 'greeting', 'salutation');
    await newest(4);
    assert.strictEqual((await revisions()).length, 4, 'the save made while the setting was off has no revision');
    assert.ok(fs.readFileSync(environmentPath(`${environment}.yaml`), 'utf8').includes('eu-central-1'));
  });

  it('records edits made on disk outside VS Code as a save before a rotation from the extension writes the file', async () => {
    const rotated = 'saves/rotated';
    const file = environmentPath(`${rotated}.yaml`);
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from('values:\n  note: first\n  password:\n    fn::rotate::password:\n      inputs:\n        length: 24\n'));
    const doc = await openEnvironment(`${rotated}.yaml`);
    const rotate = () => vscode.commands.executeCommand<RotationResult | undefined>('esc.rotateSecrets', { uri: doc.uri, paths: ['password'] });
    assert.strictEqual((await rotate())?.ok, true, 'the first rotation starts the history');
    // As `git pull` or another editor would: straight to disk, never through this editor.
    const edited = fs.readFileSync(file, 'utf8').replace('note: first', 'note: edited by git pull');
    fs.writeFileSync(file, edited);
    const second = await rotate();
    assert.strictEqual(second?.ok, true, second?.message);
    assert.strictEqual(second.save?.number, 2, 'the save is handed back to the extension (webhooks, log)');
    const rows = await eventually('the save and the rotation in the tree', async () => {
      const all = await revisions(rotated);
      return all.length === 3 ? all : undefined;
    });
    assert.deepStrictEqual(rows.map(r => [r.revision.number, r.revision.kind, r.revision.trigger]), [[3, 'rotation', 'extension'], [2, 'save', 'extension'], [1, 'rotation', 'extension']]);
    assert.strictEqual((await escApi()).historyTree.getTreeItem(rows[1]!).label, '#2 save');
    const saved = JSON.parse(fs.readFileSync(path.join(workspaceRoot(), '.esc', 'history', 'saves', 'rotated', '000002.json'), 'utf8')) as { definition?: string };
    assert.strictEqual(saved.definition, edited, 'the save holds the file as edited on disk, before the rotation wrote it');
  });

  it('tags a revision from the view; the tag shows beside it', async () => {
    const [top] = await revisions();
    await vscode.commands.executeCommand('esc.history.tagRevision', top, 'reviewed');
    const tagged = await eventually('the tag in the tree', async () => {
      const [again] = await revisions();
      return again && again.tags.includes('reviewed') ? again : undefined;
    });
    assert.match(String((await escApi()).historyTree.getTreeItem(tagged).description), /^🏷 reviewed · /);
  });
});
