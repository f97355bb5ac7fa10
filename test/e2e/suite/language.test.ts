import * as assert from 'assert';
import * as vscode from 'vscode';
import { Workspace } from '../../../client/src/core/workspace';
import { AesGcmCipher, decryptCiphertext } from '../../../shared/src/crypt';
import { eventually, openEnvironment, recordSecret, workspaceRoot } from './helpers';

function summary(d: vscode.Diagnostic) {
  return {
    message: d.message,
    severity: d.severity,
    range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
    code: d.code,
  };
}

describe('language features through the real language client', () => {
  it('publishes the expected diagnostics for a fixture environment', async () => {
    const doc = await openEnvironment('lang/broken.yaml');
    assert.strictEqual(doc.languageId, 'esc');
    const diagnostics = await eventually('diagnostics for lang/broken.yaml', () => {
      const found = vscode.languages.getDiagnostics(doc.uri);
      return found.length >= 2 ? found : undefined;
    }, 30000);
    assert.deepStrictEqual(diagnostics.map(summary), [
      { message: 'unknown builtin function "fn::jion"; did you mean "fn::join"?', severity: vscode.DiagnosticSeverity.Error, range: [4, 4, 4, 12], code: 'unknown-builtin' },
      { message: 'plaintext secret: this value is stored unencrypted in the file; encrypt it', severity: vscode.DiagnosticSeverity.Warning, range: [6, 16, 6, 31], code: 'plaintext-secret' },
    ]);
  });

  it('re-validates as the user types', async () => {
    const doc = await openEnvironment('lang/broken.yaml');
    const editor = vscode.window.activeTextEditor!;
    await editor.edit(edit => edit.replace(new vscode.Range(4, 4, 4, 12), 'fn::join'));
    await eventually('the unknown-builtin error to go away', () => {
      const found = vscode.languages.getDiagnostics(doc.uri);
      return found.length === 1 && found[0]!.code === 'plaintext-secret' ? found : undefined;
    });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('completes provider names after fn::open::', async () => {
    const doc = await openEnvironment('lang/complete.yaml');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, doc.lineAt(6).range.end);
    const labels = list.items.map(i => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const provider of ['fn::open::aws-login', 'fn::open::aws-secrets', 'fn::open::vault-secrets']) {
      assert.ok(labels.includes(provider), `${provider} in ${JSON.stringify(labels)}`);
    }
    assert.ok(!labels.some(l => l.startsWith('fn::rotate::')), 'no rotators offered after fn::open::');
  });

  it('completes property paths inside ${...}', async () => {
    const doc = await openEnvironment('lang/complete.yaml');
    const line = doc.lineAt(7);
    const position = new vscode.Position(7, line.text.indexOf('${') + 2);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position);
    const labels = list.items.map(i => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const expected of ['region', 'joined', 'context']) assert.ok(labels.includes(expected), `${expected} in ${JSON.stringify(labels)}`);
  });

  it('hovers a builtin with its documentation', async () => {
    const doc = await openEnvironment('lang/complete.yaml');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(4, 8));
    const text = hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /\*\*fn::join\*\* — Join a list of strings with a delimiter\./);
  });

  it('encrypts a plaintext secret with the code action the server offers', async () => {
    recordSecret('correct horse battery staple');
    const doc = await openEnvironment('lang/plaintext.yaml');
    const warning = await eventually('the plaintext-secret warning', () =>
      vscode.languages.getDiagnostics(doc.uri).find(d => d.code === 'plaintext-secret'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, warning.range);
    const encrypt = actions.find(a => a.title === 'Encrypt secret' && a.command);
    assert.ok(encrypt?.command, `an "Encrypt secret" action in ${JSON.stringify(actions.map(a => a.title))}`);
    assert.strictEqual(encrypt.command.command, 'esc.encryptSecret');
    const applied = await vscode.commands.executeCommand<boolean>(encrypt.command.command, ...(encrypt.command.arguments ?? []));
    assert.strictEqual(applied, true);
    const text = doc.getText();
    assert.ok(!text.includes('correct horse battery staple'), 'the plaintext is gone from the buffer');
    const match = /fn::secret: \{ciphertext: ([A-Za-z0-9+/=]+)\}  # will be encrypted/.exec(text);
    assert.ok(match, `encrypted in place with the comment kept:\n${text}`);
    const key = await new Workspace({ root: workspaceRoot() }).dataKey();
    assert.strictEqual(await decryptCiphertext(new AesGcmCipher(key), match[1]!), 'correct horse battery staple');
    await eventually('the warning to clear', () => (vscode.languages.getDiagnostics(doc.uri).length === 0 ? true : undefined));
    await doc.save();
  });
});
