/**
 * Read-only, redacted documents for revisions: `esc-revision:/<folder index>/<environment>@<n>.esc.yaml`
 * (or `@current` for the file as it stands now, redacted the same way so that comparisons show
 * real changes, not ciphertext churn). Content comes from the history, with ciphertexts and
 * plaintext secrets replaced by placeholders: a revision view never shows a secret.
 */
import * as vscode from 'vscode';
import { isEnvironmentName } from '../../../../shared/src/identity/environmentName';
import { readEnvironmentFile } from '../../../../shared/src/identity/environmentFile';
import { HistoryStore, redactDefinition } from '../../core/history/historyStore';
import { coreWorkspace, folderByIndex } from '../workspaceFolders';

export const revisionScheme = 'esc-revision';

export type RevisionSelector = number | 'current';

export interface RevisionAddress {
  folderIndex: number;
  environment: string;
  revision: RevisionSelector;
}

export function revisionUri(address: RevisionAddress): vscode.Uri {
  const segments = address.environment.split('/').map(encodeURIComponent).join('/');
  return vscode.Uri.from({ scheme: revisionScheme, path: `/${address.folderIndex}/${segments}@${address.revision}.esc.yaml` });
}

export function parseRevisionUri(uri: vscode.Uri): RevisionAddress | undefined {
  const match = /^\/(\d+)\/(.+)@(\d+|current)\.esc\.yaml$/.exec(uri.path);
  if (!match) return undefined;
  const environment = match[2]!.split('/').map(decodeURIComponent).join('/');
  return { folderIndex: Number(match[1]), environment, revision: match[3] === 'current' ? 'current' : Number(match[3]) };
}

export class RevisionDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    const address = parseRevisionUri(uri);
    const folder = address && folderByIndex(address.folderIndex);
    if (!address || !folder) return `# ${uri.toString()} is not an ESC revision address\n`;
    const workspace = coreWorkspace(folder);
    if (address.revision === 'current') {
      const file = isEnvironmentName(address.environment) ? workspace.fileFor(address.environment) : undefined;
      if (!file) return `# environment ${address.environment} no longer exists\n`;
      // Read by the one rule: a link leaving the workspace or a FIFO is refused, with its reason.
      const read = readEnvironmentFile(file, workspace.confinement());
      return read.ok ? redactDefinition(read.text) : `# ${file} ${read.problem}\n`;
    }
    const revision = new HistoryStore(workspace.historyDir).show(address.environment, address.revision);
    return revision.definition ?? `# revision ${revision.number} of ${address.environment} recorded no definition\n`;
  }

  /** Re-reads open `@current` views (the file changed). */
  refreshCurrent(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === revisionScheme && parseRevisionUri(doc.uri)?.revision === 'current') this.changed.fire(doc.uri);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
