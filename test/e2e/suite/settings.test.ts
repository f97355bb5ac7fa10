import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { eventually, workspaceRoot } from './helpers';

async function open(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), relative)));
  await vscode.window.showTextDocument(doc);
  return doc;
}

describe('settings: a custom environments root', () => {
  const config = () => vscode.workspace.getConfiguration('esc');

  after(async () => {
    await config().update('environmentsRoot', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('leaves plain YAML outside the environments root alone', async () => {
    const doc = await open('other/config.yaml');
    assert.strictEqual(doc.languageId, 'yaml');
  });

  it('claims YAML under the configured root as ESC, and the server validates it there', async () => {
    await config().update('environmentsRoot', 'stacks', vscode.ConfigurationTarget.Workspace);
    const doc = await open('stacks/team/api.yaml');
    const esc = await eventually('the esc language on stacks/team/api.yaml', () => {
      const current = vscode.workspace.textDocuments.find(d => d.uri.toString() === doc.uri.toString());
      return current?.languageId === 'esc' ? current : undefined;
    });
    const diagnostics = await eventually('diagnostics for stacks/team/api.yaml', () => {
      const found = vscode.languages.getDiagnostics(esc.uri);
      return found.length > 0 ? found : undefined;
    }, 30000);
    assert.ok(diagnostics.some(d => /unknown builtin function "fn::toJSN"; did you mean "fn::toJSON"\?/.test(d.message)), JSON.stringify(diagnostics.map(d => d.message)));
  });
});
