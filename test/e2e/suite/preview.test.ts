import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { environmentPath, escApi, eventually, openEnvironment, recordSecret } from './helpers';

const plaintext = 'tok-PLAINTEXT-1234';
recordSecret(plaintext);

/** Runs a preview command; the preview opens beside the source (keeping the focus there) and is returned. */
async function preview(command: string, args: object): Promise<vscode.TextDocument> {
  const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(command, args);
  assert.ok(editor, `${command} returned the preview editor`);
  assert.strictEqual(editor.document.uri.scheme, 'esc-preview');
  assert.ok(vscode.window.visibleTextEditors.some(e => e.document === editor.document), 'the preview is visible');
  return editor.document;
}

/** Waits until the preview's text satisfies `test` (it re-renders asynchronously). */
async function previewText(doc: vscode.TextDocument, what: string, test: (text: string) => boolean): Promise<string> {
  return eventually(what, () => (test(doc.getText()) ? doc.getText() : undefined), 15000);
}

describe('Preview Resolved Environment', () => {
  let source: vscode.TextDocument;

  before(async () => {
    source = await openEnvironment('preview/app.yaml');
    const encrypted = await vscode.commands.executeCommand<number>('esc.encryptSecrets', source.uri);
    assert.strictEqual(encrypted, 1);
    const onDisk = fs.readFileSync(environmentPath('preview/app.yaml'), 'utf8');
    assert.ok(!onDisk.includes(plaintext), 'the plaintext secret is gone from the file');
    assert.match(onDisk, /ciphertext/);
    await eventually('the editor to reload the encrypted file', () => (source.getText() === onDisk ? true : undefined));
  });

  it('shows the resolved values with secrets as [secret], and follows the file and its imports', async () => {
    await vscode.window.showTextDocument(source);
    const doc = await preview('esc.preview', { format: 'yaml' });
    assert.strictEqual(vscode.window.activeTextEditor?.document, source, 'the focus stays in the environment');
    const first = await previewText(doc, 'the rendered preview', t => t.includes('region: eu-west-1'));
    assert.match(first, /apiToken: "?\[secret\]"?/);
    assert.match(first, /API_TOKEN: "?\[secret\]"?/);
    assert.ok(!first.includes(plaintext));
    assert.ok(!first.includes('ciphertext'));

    // An imported file changes on disk.
    fs.writeFileSync(environmentPath('preview/base.yaml'), '# changed by the suite\nvalues:\n  region: eu-central-1\n');
    await previewText(doc, 'the preview to follow the import', t => t.includes('region: eu-central-1'));

    // Unsaved edits of the environment itself show at once.
    const editor = await vscode.window.showTextDocument(source, { viewColumn: vscode.ViewColumn.One });
    const line = source.getText().split('\n').findIndex(l => l.includes('service: api'));
    await editor.edit(edit => edit.replace(new vscode.Range(line, 0, line, source.lineAt(line).text.length), '  service: api-edited'));
    const edited = await previewText(doc, 'the preview to follow the buffer', t => t.includes('service: api-edited'));
    assert.ok(!edited.includes(plaintext));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('reveals secrets only on request, and hides them again when the preview closes', async () => {
    const api = await escApi();
    await vscode.window.showTextDocument(source, { viewColumn: vscode.ViewColumn.One });
    const doc = await preview('esc.preview', { format: 'yaml' });
    await previewText(doc, 'a redacted preview', t => t.includes('[secret]'));
    const revealed = await vscode.commands.executeCommand<boolean>('esc.preview.revealSecrets', { uri: doc.uri, skipConfirmation: true });
    assert.strictEqual(revealed, true);
    const shown = await previewText(doc, 'the revealed secret', t => t.includes(plaintext));
    assert.match(shown, /SECRETS REVEALED/);
    assert.ok(api.preview.isRevealed(doc.uri));

    // Close every tab showing this preview.
    const tabs = vscode.window.tabGroups.all.flatMap(g => g.tabs).filter(t => t.input instanceof vscode.TabInputText && t.input.uri.toString() === doc.uri.toString());
    assert.ok(tabs.length > 0);
    await vscode.window.tabGroups.close(tabs);
    await eventually('the reveal to end with the preview', () => (api.preview.isRevealed(doc.uri) ? undefined : true));
    await vscode.window.showTextDocument(source, { viewColumn: vscode.ViewColumn.One });
    const reopened = await preview('esc.preview', { format: 'yaml' });
    const text = await previewText(reopened, 'a redacted preview again', t => t.includes('[secret]'));
    assert.ok(!text.includes(plaintext), 'redacted again after closing');
  });

  it('renders environmentVariables as dotenv and shell', async () => {
    await vscode.window.showTextDocument(source, { viewColumn: vscode.ViewColumn.One });
    const dotenv = await preview('esc.preview', { format: 'dotenv' });
    const text = await previewText(dotenv, 'the dotenv preview', t => t.includes('SERVICE='));
    assert.ok(text.includes('API_TOKEN="[secret]"'), text);
    assert.ok(text.includes('REGION="eu-central-1"'), text);
    assert.ok(text.includes('SERVICE="api"'), text);
    await vscode.window.showTextDocument(dotenv);
    const shell = await preview('esc.preview.changeFormat', { format: 'shell' });
    const shellText = await previewText(shell, 'the shell preview', t => t.includes('export '));
    assert.ok(shellText.includes("export API_TOKEN='[secret]'"), shellText);
    assert.ok(!shellText.includes(plaintext));
  });
});
