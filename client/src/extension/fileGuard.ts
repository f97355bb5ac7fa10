/** Commands that rewrite an environment file on disk first make sure no unsaved edits would be overtaken. */
import * as vscode from 'vscode';

/**
 * True when the file has no unsaved edits. Interactive callers are offered to save them first;
 * programmatic ones (command arguments) are refused with the same explanation, never saved for.
 */
export async function ensureSaved(file: vscode.Uri, environment: string, action: string, interactive = true): Promise<boolean> {
  const open = vscode.workspace.textDocuments.find(doc => doc.uri.scheme === 'file' && doc.uri.fsPath === file.fsPath);
  if (!open?.isDirty) return true;
  const message = `${environment} has unsaved changes. ${action} rewrites the file, so save (or revert) them first.`;
  if (!interactive) {
    void vscode.window.showWarningMessage(message);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(message, 'Save and Continue');
  return choice === 'Save and Continue' && (await open.save());
}
