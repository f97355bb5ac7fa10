/**
 * ESC: Store / Forget / Show Managing Credentials. The secret parts are typed into password input
 * boxes and go straight to the OS keychain (keytar via the core); only names are ever shown or
 * logged. An unavailable keychain gets the core's explanation and fix, never a plaintext fallback.
 *
 * Each command also takes an argument object, for keybindings and other extensions (and the e2e
 * suite): `{ name, accessKeyId, secretAccessKey, sessionToken? }` / `{ name }`.
 */
import * as vscode from 'vscode';
import { Keychain } from '../core/keychain';
import { describeError, Log } from './log';
import { readSettings } from './settings';

export interface StoreCredentialsArgs {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function keychain(): Keychain {
  return new Keychain(readSettings().keychainService);
}

const notEmpty = (label: string) => (value: string) => (value.trim() === '' ? `${label} is required` : undefined);

export function registerCredentialCommands(log: Log): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('esc.credentials.store', (args?: StoreCredentialsArgs) => storeCredentials(log, args)),
    vscode.commands.registerCommand('esc.credentials.forget', (args?: { name: string }) => forgetCredentials(log, args)),
    vscode.commands.registerCommand('esc.credentials.show', () => showCredentials(log)),
  ];
}

async function storeCredentials(log: Log, args?: StoreCredentialsArgs): Promise<boolean> {
  const input = args ?? (await askForCredentials());
  if (!input) return false;
  try {
    await keychain().setAwsCredentials(input.name, input);
  } catch (error) {
    log.error(`storing managing credentials "${input.name}" failed`, error);
    void vscode.window.showErrorMessage(describeError(error));
    return false;
  }
  log.info(`stored managing credentials "${input.name}" in the OS keychain`);
  void vscode.window.showInformationMessage(`Stored managing credentials "${input.name}" in the OS keychain.`);
  return true;
}

async function askForCredentials(): Promise<StoreCredentialsArgs | undefined> {
  const title = 'ESC: Store Managing Credentials';
  const name = await vscode.window.showInputBox({
    title: `${title} (1/4)`,
    prompt: 'A name for these credentials, or the ARN of the role they are for (aws-login oidc looks them up by its roleArn)',
    value: 'default',
    ignoreFocusOut: true,
    validateInput: notEmpty('A name'),
  });
  if (name === undefined) return undefined;
  const accessKeyId = await vscode.window.showInputBox({
    title: `${title} (2/4)`,
    prompt: `Access key id for "${name.trim()}"`,
    placeHolder: 'AKIA…',
    password: true,
    ignoreFocusOut: true,
    validateInput: value => (/^\s*[A-Z0-9]{16,128}\s*$/.test(value) ? undefined : 'An AWS access key id is 16 or more capital letters and digits'),
  });
  if (accessKeyId === undefined) return undefined;
  const secretAccessKey = await vscode.window.showInputBox({
    title: `${title} (3/4)`,
    prompt: 'Secret access key (stored only in the OS keychain)',
    password: true,
    ignoreFocusOut: true,
    validateInput: notEmpty('The secret access key'),
  });
  if (secretAccessKey === undefined) return undefined;
  const sessionToken = await vscode.window.showInputBox({
    title: `${title} (4/4)`,
    prompt: 'Session token, for temporary credentials (leave empty for an IAM user key)',
    password: true,
    ignoreFocusOut: true,
  });
  if (sessionToken === undefined) return undefined;
  return {
    name: name.trim(),
    accessKeyId: accessKeyId.trim(),
    secretAccessKey: secretAccessKey.trim(),
    ...(sessionToken.trim() ? { sessionToken: sessionToken.trim() } : {}),
  };
}

async function forgetCredentials(log: Log, args?: { name: string }): Promise<boolean> {
  let name = args?.name;
  try {
    if (name === undefined) {
      const names = await keychain().listAwsCredentialNames();
      if (names.length === 0) {
        void vscode.window.showInformationMessage('No managing credentials are stored in the OS keychain.');
        return false;
      }
      name = await vscode.window.showQuickPick(names, { title: 'ESC: Forget Managing Credentials', placeHolder: 'Credentials to remove from the OS keychain' });
      if (name === undefined) return false;
    }
    const removed = await keychain().forgetAwsCredentials(name);
    const message = removed ? `Removed managing credentials "${name}" from the OS keychain.` : `No managing credentials named "${name}" were stored.`;
    log.info(message);
    void vscode.window.showInformationMessage(message);
    return removed;
  } catch (error) {
    log.error('forgetting managing credentials failed', error);
    void vscode.window.showErrorMessage(describeError(error));
    return false;
  }
}

/** Shows (and returns) the stored credential names; never their values. */
async function showCredentials(log: Log): Promise<string[] | undefined> {
  try {
    const names = await keychain().listAwsCredentialNames();
    if (names.length === 0) {
      void vscode.window.showInformationMessage('No managing credentials are stored in the OS keychain. Use "ESC: Store Managing Credentials" to add some.');
    } else {
      void vscode.window.showQuickPick(
        names.map(label => ({ label, description: 'stored in the OS keychain' })),
        { title: `ESC: Stored Credentials (service "${readSettings().keychainService}")`, placeHolder: 'Names only: secrets are never displayed' },
      );
    }
    return names;
  } catch (error) {
    log.error('listing managing credentials failed', error);
    void vscode.window.showErrorMessage(describeError(error));
    return undefined;
  }
}
