/**
 * Restricted Mode (run.ts runs this file alone, in a VS Code with workspace trust on, so the
 * workspace is untrusted): editing features work — the language server's diagnostics and
 * formatting, the redacted preview — while rotation, revealing secrets, credentials, encryption
 * and due schedules do nothing but say why, and the restricted settings of the workspace (here
 * `esc.aws.endpoint`) are not applied.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { environmentPath, escApi, eventually, openEnvironment, workspaceRoot } from './helpers';

describe('Restricted Mode', () => {
  it('runs in an untrusted workspace, ignoring its restricted settings', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const settings = JSON.parse(fs.readFileSync(path.join(workspaceRoot(), '.vscode/settings.json'), 'utf8')) as Record<string, unknown>;
    assert.ok(settings['esc.aws.endpoint'], 'the workspace sets esc.aws.endpoint');
    assert.strictEqual(vscode.workspace.getConfiguration('esc').get('aws.endpoint'), '', 'but it is not applied while untrusted');
  });

  it('keeps editing features: diagnostics and formatting through the language server', async () => {
    const doc = await openEnvironment('lang/broken.yaml');
    await eventually('diagnostics', () => (vscode.languages.getDiagnostics(doc.uri).length > 0 ? true : undefined), 30000);
    const edits = await eventually('formatting edits', async () => vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true }), 30000);
    assert.ok(Array.isArray(edits));
  });

  it('rotates, reveals, encrypts, manages credentials and runs due schedules not at all', async () => {
    const file = environmentPath('rotate/password.yaml');
    const before = fs.readFileSync(file, 'utf8');
    await openEnvironment('rotate/password.yaml');
    assert.strictEqual(await vscode.commands.executeCommand('esc.rotateSecrets', { paths: ['db.password'] }), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('esc.encryptSecrets'), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('esc.credentials.show'), undefined);
    assert.strictEqual(await vscode.commands.executeCommand('esc.preview.revealSecrets', { skipConfirmation: true }), false);
    assert.deepStrictEqual(await (await escApi()).schedules.checkDue({ ask: false }), []);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), before, 'the file is unchanged');
  });
});
