import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { AwsAdminClient } from '../../aws/admin';
import type { RotationResult } from '../../../client/src/core/escCore';
import type { EnvironmentNode, HistoryNode, RevisionNode } from '../../../client/src/extension/history/historyTree';
import { ScheduleStore } from '../../../client/src/core/schedules/scheduleStore';
import { Workspace } from '../../../client/src/core/workspace';
import { AesGcmCipher, decryptCiphertext } from '../../../shared/src/crypt';
import { environmentPath, escApi, eventually, openEnvironment, recordSecret, workspaceRoot } from './helpers';

const account = '123456789012';
const roleArn = `arn:aws:iam::${account}:role/esc-rotator`;

function adminClient(): AwsAdminClient {
  const url = process.env.ESC_E2E_AWS_ADMIN_URL;
  assert.ok(url, 'ESC_E2E_AWS_ADMIN_URL is set by the harness');
  return new AwsAdminClient(url);
}

/** The newest revision row of an environment in the Rotation History view, once it shows `number`. */
async function newestRevision(environment: string, number: number): Promise<RevisionNode> {
  const { historyTree } = await escApi();
  return eventually(`revision ${number} of ${environment} in the history view`, () => {
    const env = historyTree.getChildren().find((n): n is EnvironmentNode => n.kind === 'environment' && n.environment === environment);
    const newest = env && historyTree.getChildren(env)[0];
    return newest?.kind === 'revision' && newest.revision.number === number ? newest : undefined;
  });
}

function pathRows(node: RevisionNode, tree: { getChildren(n: HistoryNode): HistoryNode[]; getTreeItem(n: HistoryNode): vscode.TreeItem }): Array<{ label: string; description: string }> {
  return tree.getChildren(node).map(child => {
    const item = tree.getTreeItem(child);
    return { label: String(item.label), description: String(item.description) };
  });
}

describe('Rotate Secrets', () => {
  it('never rotates over unsaved edits of the environment', async () => {
    const file = environmentPath('rotate/password.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const doc = await openEnvironment('rotate/password.yaml');
    const editor = vscode.window.activeTextEditor!;
    await editor.edit(edit => edit.insert(new vscode.Position(1, 0), '# an unsaved note\n'));
    assert.ok(doc.isDirty);
    const result = await vscode.commands.executeCommand<RotationResult | undefined>('esc.rotateSecrets', { uri: doc.uri, paths: ['db.password'] });
    assert.strictEqual(result, undefined, 'refused');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), before, 'the file is untouched');
    assert.ok(doc.getText().includes('# an unsaved note'), 'the unsaved text is kept');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(!doc.isDirty);
  });

  it('rotates a password environment, keeping comments, and records the revision', async () => {
    const file = environmentPath('rotate/password.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const doc = await openEnvironment('rotate/password.yaml');
    const result = await vscode.commands.executeCommand<RotationResult>('esc.rotateSecrets', { uri: doc.uri, paths: ['db.password'] });
    assert.ok(result, 'the command returned a result');
    assert.strictEqual(result.ok, true, result.message);
    const after = fs.readFileSync(file, 'utf8');
    assert.notStrictEqual(after, before);
    for (const line of before.split('\n').filter(l => l.includes('#'))) assert.ok(after.includes(line), `comment line kept: ${line}`);
    assert.match(after, /state:/);
    assert.match(after, /ciphertext/, 'the new password is written encrypted');
    // The open editor shows the rotated file (it had no unsaved edits).
    await eventually('the editor to reload the rotated file', () => (doc.getText() === after ? true : undefined));

    const { historyTree } = await escApi();
    const revision = await newestRevision('rotate/password', 1);
    assert.strictEqual(historyTree.getTreeItem(revision).label, '#1 rotation');
    assert.deepStrictEqual(pathRows(revision, historyTree).map(r => r.label), ['db.password']);
    assert.match(pathRows(revision, historyTree)[0]!.description, /^password · /);
  });

  it('shows the last rotation in the status bar, in the warning colour once a schedule is overdue', async () => {
    const { statusBar } = await escApi();
    await openEnvironment('rotate/password.yaml');
    const fresh = await eventually('the status bar item', () => {
      statusBar.update();
      return statusBar.current?.environment === 'rotate/password' ? statusBar.current : undefined;
    });
    assert.match(fresh.text, /^\$\(key\) rotated \d+s ago$/);
    assert.strictEqual(fresh.overdue, false);
    assert.strictEqual(statusBar.item.backgroundColor, undefined);

    // A daily schedule created two days ago that never ran is overdue.
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000);
    await new ScheduleStore(path.join(workspaceRoot(), '.esc')).set('rotate/password', { cron: '0 3 * * *' }, twoDaysAgo);
    statusBar.update();
    const overdue = statusBar.current!;
    assert.strictEqual(overdue.overdue, true);
    assert.match(overdue.text, /^\$\(warning\) rotated \d+s ago · overdue \d+[hd]$/);
    assert.deepStrictEqual(statusBar.item.backgroundColor, new vscode.ThemeColor('statusBarItem.warningBackground'));
    await new ScheduleStore(path.join(workspaceRoot(), '.esc')).remove('rotate/password');
  });

  it('previews the rotated password as [secret] and shows it only once revealed', async () => {
    const text = fs.readFileSync(environmentPath('rotate/password.yaml'), 'utf8');
    const ciphertext = /ciphertext: ([A-Za-z0-9+/=]+)/.exec(text)?.[1];
    assert.ok(ciphertext, 'the rotated state holds a ciphertext');
    const key = await new Workspace({ root: workspaceRoot() }).dataKey();
    const password = await decryptCiphertext(new AesGcmCipher(key), ciphertext);
    assert.strictEqual(password.length, 24, 'the inputs asked for 24 characters');

    await openEnvironment('rotate/password.yaml');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('esc.preview', { format: 'json' });
    const doc = editor.document;
    const redacted = await eventually('the redacted preview', () => (doc.getText().includes('[secret]') ? doc.getText() : undefined));
    const json = JSON.parse(redacted) as { db: { password: { current: string } }; url: string };
    assert.strictEqual(json.db.password.current, '[secret]');
    assert.strictEqual(json.url, '[secret]', 'a value interpolating a secret is secret');
    assert.ok(!redacted.includes(password), 'no plaintext before revealing');

    assert.strictEqual(await vscode.commands.executeCommand('esc.preview.revealSecrets', { uri: doc.uri, skipConfirmation: true }), true);
    const revealed = await eventually('the revealed preview', () => (doc.getText().includes(password) ? doc.getText() : undefined));
    assert.strictEqual((JSON.parse(revealed) as { url: string }).url, `postgres://app:${password}@db.internal.example.com/app`);
    assert.strictEqual(await vscode.commands.executeCommand('esc.preview.hideSecrets', { uri: doc.uri }), true);
    await eventually('the preview to be redacted again', () => (doc.getText().includes(password) ? undefined : true));

    // Rotating from the preview acts on the environment it shows, and the preview follows.
    await vscode.window.showTextDocument(doc);
    const result = await vscode.commands.executeCommand<RotationResult>('esc.rotateSecrets', { paths: ['db.password'] });
    assert.strictEqual(result?.environment, 'rotate/password');
    assert.strictEqual(result.ok, true);
    const rotatedText = fs.readFileSync(environmentPath('rotate/password.yaml'), 'utf8');
    const newCiphertext = /current:\s+fn::secret:\s+ciphertext: ([A-Za-z0-9+/=]+)/.exec(rotatedText)?.[1];
    assert.ok(newCiphertext && newCiphertext !== ciphertext, 'a new password was written');
    assert.ok(!doc.getText().includes(password), 'still redacted');
  });

  describe('aws-iam against the local AWS endpoint', () => {
    const admin = adminClient();
    let managingSecret = '';

    before(async () => {
      await admin.createUser('app-user');
      await admin.createUser('rotator');
      const managing = await admin.createAccessKey({ userName: 'rotator' });
      managingSecret = managing.secretAccessKey;
      recordSecret(managingSecret);
      await admin.createRole({ roleName: 'esc-rotator', trustedPrincipals: [`arn:aws:iam::${account}:user/rotator`] });
      const stored = await vscode.commands.executeCommand<boolean>('esc.credentials.store', {
        name: roleArn,
        accessKeyId: managing.accessKeyId,
        secretAccessKey: managing.secretAccessKey,
      });
      assert.strictEqual(stored, true);
    });

    it('creates, then rotates the key (current → previous) and deletes the oldest on the third rotation', async () => {
      const doc = await openEnvironment('rotate/aws-keys.yaml');
      const file = environmentPath('rotate/aws-keys.yaml');
      const rotate = () => vscode.commands.executeCommand<RotationResult>('esc.rotateSecrets', { uri: doc.uri, paths: ['aws.iam'] });
      const keyIds: string[] = [];
      const { historyTree } = await escApi();
      for (let round = 1; round <= 3; round++) {
        const result = await rotate();
        assert.ok(result, `rotation ${round} returned a result`);
        assert.strictEqual(result.ok, true, `rotation ${round}: ${result.message} ${JSON.stringify(result.paths)}`);
        const record = result.paths[0]!;
        assert.ok(record.newKeyId, `rotation ${round} created a key`);
        assert.strictEqual(record.oldKeyId, keyIds.at(-1), `rotation ${round}: old key is the previous current`);
        assert.strictEqual(record.deletedKeyId, round === 3 ? keyIds[0] : undefined, `rotation ${round}: deleted key`);
        keyIds.push(record.newKeyId);
        const revision = await newestRevision('rotate/aws-keys', round);
        const rows = pathRows(revision, historyTree);
        assert.strictEqual(rows.length, 1);
        assert.strictEqual(rows[0]!.label, 'aws.iam');
        const expected = `aws-iam · ${round === 1 ? '∅' : keyIds[round - 2]} → ${keyIds[round - 1]}${round === 3 ? `, deleted ${keyIds[0]}` : ''}`;
        assert.strictEqual(rows[0]!.description, expected);
        assert.strictEqual(revision.revision.principalArn, `arn:aws:sts::${account}:assumed-role/esc-rotator/esc-e2e`);
      }
      const state = await admin.snapshot();
      const appKeys = state.accessKeys.filter(k => k.userName === 'app-user').map(k => k.accessKeyId).sort();
      assert.deepStrictEqual(appKeys, [keyIds[1], keyIds[2]].sort(), 'AWS holds exactly the current and previous keys');
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.includes('# rotate-only login: the managing credentials never appear when opening'));
      assert.ok(text.includes('# resolved only while rotating'));
      assert.ok(text.includes(keyIds[2]!), 'the current key id is in the state');
      assert.ok(!text.includes(managingSecret), 'the managing secret never reaches the file');
    });

    it('calls out to AWS (aws-login) only when the preview is revealed', async () => {
      await admin.clearRequests();
      await openEnvironment('creds/admin.yaml');
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('esc.preview', { format: 'json' });
      const doc = editor.document;
      const redacted = await eventually('the redacted preview', () => (doc.getText().includes('"login"') ? doc.getText() : undefined));
      assert.deepStrictEqual(JSON.parse(redacted), { aws: { login: '[unknown]' } }, 'the provider was not run');
      assert.deepStrictEqual(await admin.requests(), [], 'no AWS call for a redacted preview');

      assert.strictEqual(await vscode.commands.executeCommand('esc.preview.revealSecrets', { uri: doc.uri, skipConfirmation: true }), true);
      const revealed = await eventually('the revealed login', () => (doc.getText().includes('accessKeyId') ? doc.getText() : undefined));
      const login = (JSON.parse(revealed) as { aws: { login: { accessKeyId: string; secretAccessKey: string; sessionToken: string } } }).aws.login;
      assert.match(login.accessKeyId, /^ASIA/, 'temporary credentials from sts:AssumeRole');
      recordSecret(login.secretAccessKey);
      recordSecret(login.sessionToken);
      const calls = await admin.requests();
      assert.ok(calls.length >= 1, 'the revealed preview called AWS');
      for (const call of calls) {
        assert.strictEqual(`${call.service}:${call.action}`, 'sts:AssumeRole');
        assert.strictEqual(call.params.RoleArn, roleArn);
      }
      await vscode.commands.executeCommand('esc.preview.hideSecrets', { uri: doc.uri });
      await eventually('the preview to be redacted again', () => (doc.getText().includes(login.secretAccessKey) ? undefined : true));
    });
  });
});
