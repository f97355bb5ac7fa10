/**
 * Encrypting plaintext secrets with the workspace data key (AES-256-GCM in ESC's `escx`
 * envelope, key in the OS keychain): the language server's code action (`esc.encryptSecret`,
 * one value, applied to the editor buffer as a workspace edit so unsaved text is kept) and
 * ESC: Encrypt Secrets in File (every plaintext `fn::secret`, through the core).
 */
import * as vscode from 'vscode';
import { AesGcmCipher, encryptToCiphertext } from '../../../shared/src/crypt';
import { parseEscDocument } from '../../../shared/src/language/model';
import { activeEnvironment, environmentOf } from './environments';
import { ensureSaved } from './fileGuard';
import { reportHandEdits } from './history/saveRecorder';
import { describeError, Log } from './log';
import { coreWorkspace, escCore } from './workspaceFolders';

/** The language server's arguments (shared/src/language/codeActions.ts `EncryptSecretArgs`). */
export interface EncryptSecretArgs {
  uri: string;
  version: number;
  valueRange: { start: { line: number; character: number }; end: { line: number; character: number } };
  path: string;
}

export function registerEncryptCommands(log: Log): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('esc.encryptSecret', (args: EncryptSecretArgs) => encryptSecret(log, args)),
    vscode.commands.registerCommand('esc.encryptSecrets', (uri?: vscode.Uri) => encryptSecretsInFile(log, uri)),
  ];
}

/** ESC: Encrypt Secrets in File — every plaintext `fn::secret` of the environment, recorded as an `encrypt` revision. */
async function encryptSecretsInFile(log: Log, uri?: vscode.Uri): Promise<number | undefined> {
  const env = uri instanceof vscode.Uri ? environmentOf(uri) ?? 'This file is not an ESC environment.' : activeEnvironment();
  if (typeof env === 'string') {
    void vscode.window.showWarningMessage(env);
    return undefined;
  }
  if (!(await ensureSaved(env.uri, env.name, 'Encrypting'))) return undefined;
  try {
    const result = await escCore(env.folder, log).encryptFile(env.name, { trigger: 'extension' });
    void reportHandEdits(env.folder, log, env.name, result);
    const message = result.encrypted === 0
      ? `${env.name} has no plaintext secrets.`
      : `Encrypted ${result.encrypted} secret${result.encrypted === 1 ? '' : 's'} in ${env.name}${result.revision ? ` (revision ${result.revision.number})` : ''}.`;
    log.info(message);
    void vscode.window.showInformationMessage(message);
    return result.encrypted;
  } catch (error) {
    log.error(`encrypting secrets of ${env.name} failed`, error);
    void vscode.window.showErrorMessage(`Encrypt Secrets: ${describeError(error)}`);
    return undefined;
  }
}

/** The string scalar's value at `range`, from the document model every feature reads (no parse of its own). */
function plaintextAt(doc: vscode.TextDocument, environment: string, range: vscode.Range): string | undefined {
  const model = parseEscDocument(doc.uri.toString(), environment, doc.getText(), doc.version);
  const start = doc.offsetAt(range.start);
  const end = doc.offsetAt(range.end);
  return model.strings.find((s) => s.span.start === start && s.span.end === end)?.value;
}

async function encryptSecret(log: Log, args: EncryptSecretArgs): Promise<boolean> {
  const uri = vscode.Uri.parse(args.uri);
  const env = environmentOf(uri);
  if (!env) {
    void vscode.window.showErrorMessage('Encrypt secret: this file is not an ESC environment in a workspace folder, so it has no workspace data key.');
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.version !== args.version) {
    void vscode.window.showWarningMessage('Encrypt secret: the document changed since the action was offered; try again.');
    return false;
  }
  const range = new vscode.Range(args.valueRange.start.line, args.valueRange.start.character, args.valueRange.end.line, args.valueRange.end.character);
  const plaintext = plaintextAt(doc, env.name, range);
  if (plaintext === undefined) {
    void vscode.window.showErrorMessage(`Encrypt secret: ${args.path} is not a plain value.`);
    return false;
  }
  try {
    const key = await coreWorkspace(env.folder).dataKey({ create: true });
    const ciphertext = await encryptToCiphertext(new AesGcmCipher(key), plaintext);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, range, `{ciphertext: ${ciphertext}}`);
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) log.info(`encrypted ${args.path} in ${env.name}`);
    return applied;
  } catch (error) {
    log.error(`encrypting ${args.path} in ${env.name} failed`, error);
    void vscode.window.showErrorMessage(`Encrypt secret: ${describeError(error)}`);
    return false;
  }
}
