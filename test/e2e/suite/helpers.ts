/** Shared helpers of the e2e suite (runs inside the extension host, with the `vscode` API). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EscExtensionApi } from '../../../client/src/extension';

export const extensionId = 'esc-local.esc-local';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e workspace is open');
  return folder.uri.fsPath;
}

export function environmentPath(relative: string): string {
  return path.join(workspaceRoot(), 'environments', relative);
}

export async function openEnvironment(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(environmentPath(relative)));
  await vscode.window.showTextDocument(doc);
  return doc;
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
