/** Commands that rewrite an environment file on disk first make sure no unsaved edits would be overtaken. */
import * as vscode from 'vscode';

/** True when the file has no unsaved edits (after saving them if the user agreed). */
export async function ensureSaved(file: vscode.Uri, environment: string, action: string): Promise<boolean> {
  const open = vscode.workspace.textDocuments.find(doc => doc.uri.scheme === 'file' && doc.uri.fsPath === file.fsPath);
  if (!open?.isDirty) return true;
  const choice = await vscode.window.showWarningMessage(
    `${environment} has unsaved changes. ${action} rewrites the file, so save (or revert) them first.`,
    `Save and Continue`,
  );
  return choice === 'Save and Continue' && (await open.save());
}
