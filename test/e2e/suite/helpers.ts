/** Shared helpers of the e2e suite (runs inside the extension host, with the `vscode` API). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EscExtensionApi } from '../../../client/src/extension/main';

export const extensionId = 'esc-local.esc-local';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e workspace is open');
  return folder.uri.fsPath;
}

export function environmentPath(relative: string): string {
  return path.join(workspaceRoot(), 'environments', relative);
}

/**
 * Opens an environment file in an editor and returns its document once it has the `esc`
 * language (the extension gives it when the file opens: package.json claims only *.esc.yaml).
 */
export async function openEnvironment(relative: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.file(environmentPath(relative));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  return eventually(`the esc language on ${relative}`, () => {
    const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
    return doc?.languageId === 'esc' ? doc : undefined;
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what`. */
export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The extension's API (activating it if needed). */
export async function escApi(): Promise<EscExtensionApi> {
  const extension = vscode.extensions.getExtension<EscExtensionApi>(extensionId);
  assert.ok(extension, `${extensionId} is loaded`);
  return extension.activate();
}

/** Adds a secret value the suite handled to the harness's leak scan (run.ts), which fails the run if any file contains it. */
export function recordSecret(value: string): void {
  const file = process.env.ESC_E2E_SECRETS_FILE;
  if (!file) return; // run outside the harness (e.g. test-electron): no scan
  const list = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as string[]) : [];
  list.push(value);
  fs.writeFileSync(file, JSON.stringify(list), { mode: 0o600 });
}
