import * as assert from 'assert';
import * as vscode from 'vscode';
import { Keychain } from '../../../client/src/core/keychain';
import { recordSecret } from './helpers';

/** The e2e run's keychain service (the default setting): a fresh gnome-keyring per run. */
const keychain = new Keychain('esc-local');

describe('managing credentials in the OS keychain', () => {
  const name = `e2e-${process.pid}`;
  const secretAccessKey = `e2e-secret-${Date.now()}-${Math.random().toString(36).slice(2)}`;

  it('stores credentials from the Store command in the Secret Service', async () => {
    recordSecret(secretAccessKey);
    const stored = await vscode.commands.executeCommand<boolean>('esc.credentials.store', {
      name,
      accessKeyId: 'AKIAE2EEXAMPLE000001',
      secretAccessKey,
    });
    assert.strictEqual(stored, true);
    const read = await keychain.getAwsCredentials(name);
    assert.deepStrictEqual(read, { accessKeyId: 'AKIAE2EEXAMPLE000001', secretAccessKey });
  });

  it('lists names only in Show Stored Credentials', async () => {
    const names = await vscode.commands.executeCommand<string[]>('esc.credentials.show');
    assert.ok(names?.includes(name), `names ${JSON.stringify(names)} include ${name}`);
    assert.ok(!JSON.stringify(names).includes(secretAccessKey));
  });

  it('forgets them again', async () => {
    const removed = await vscode.commands.executeCommand<boolean>('esc.credentials.forget', { name });
    assert.strictEqual(removed, true);
    assert.strictEqual(await keychain.getAwsCredentials(name), undefined);
    const names = await vscode.commands.executeCommand<string[]>('esc.credentials.show');
    assert.ok(!names?.includes(name));
  });
});
