/**
 * Formatting and language association in a real VS Code: Format Document and format-on-save go
 * through the language client to the server's formatter; YAML under the environments root that
 * is not an environment (Helm-style values) stays plain YAML; the two "Treat This File as …"
 * commands switch a file either way and the choice sticks when it is opened again.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { environmentPath, eventually, openEnvironment } from './helpers';

const MESSY = 'imports:\n    -   preview/base   # shared\nvalues:\n      app:   # the app\n          name:    demo\n';
const FORMATTED = 'imports:\n  - preview/base # shared\nvalues:\n  app: # the app\n    name: demo\n';

function languageOf(uri: vscode.Uri): string | undefined {
  return vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString())?.languageId;
}

describe('formatting and language association', () => {
  const created: string[] = [];
  function write(relative: string, text: string): string {
    const file = environmentPath(relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    created.push(file);
    return file;
  }
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const file of created.splice(0)) fs.rmSync(file, { force: true });
    await vscode.workspace.getConfiguration('editor', { languageId: 'esc' }).update('formatOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
  });

  it('Format Document formats an environment in ESC style, keeping its comments', async () => {
    write('fmt/messy.yaml', MESSY);
    const doc = await openEnvironment('fmt/messy.yaml');
    await eventually('the formatter to answer', async () => {
      await vscode.commands.executeCommand('editor.action.formatDocument');
      return doc.getText() === FORMATTED ? true : undefined;
    }, 30000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('formats on save when editor.formatOnSave is on for esc', async () => {
    const file = write('fmt/save.yaml', 'values:\n    a: 1\n');
    await vscode.workspace.getConfiguration('editor', { languageId: 'esc' }).update('formatOnSave', true, vscode.ConfigurationTarget.Workspace, true);
    const doc = await openEnvironment('fmt/save.yaml');
    // The server is up once it answers a formatting request with edits (the file is not formatted yet).
    await eventually('the formatter', async () => ((await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true }))?.length ? true : undefined), 30000);
    const editor = vscode.window.activeTextEditor!;
    await editor.edit(edit => edit.replace(new vscode.Range(0, 0, doc.lineCount, 0), MESSY));
    assert.ok(await doc.save(), 'saved');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), FORMATTED);
  });

  it('leaves Helm-style values under environments/ as YAML; the commands switch a file either way', async () => {
    write('deploy/values.yaml', 'replicaCount: 2\nimage:\n  repository: nginx\n');
    const uri = vscode.Uri.file(environmentPath('deploy/values.yaml'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await new Promise(r => setTimeout(r, 1000)); // time for the extension to adopt it, were it to
    assert.strictEqual(languageOf(uri), 'yaml');
    await vscode.commands.executeCommand('esc.treatAsEnvironment');
    await eventually('esc after Treat This File as ESC Environment', () => (languageOf(uri) === 'esc' ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The choice is remembered for the file.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await eventually('esc again on reopening', () => (languageOf(uri) === 'esc' ? true : undefined));
    await vscode.commands.executeCommand('esc.treatAsYaml');
    await eventually('yaml after Treat This File as Plain YAML', () => (languageOf(uri) === 'yaml' ? true : undefined));
  });
});
