import * as assert from 'assert';
import * as vscode from 'vscode';
import { extensionId, openEnvironment } from './helpers';

// Grows with the features: every command package.json contributes must be registered by activate().
const registeredCommands = ['esc.credentials.store', 'esc.credentials.forget', 'esc.credentials.show', 'esc.showOutput'];

describe('activation', () => {
  it('activates on an ESC environment and registers its commands', async () => {
    const doc = await openEnvironment('app/dev.yaml');
    assert.strictEqual(doc.languageId, 'esc');
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is loaded`);
    await extension.activate();
    assert.ok(extension.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const id of registeredCommands) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
  });
});
