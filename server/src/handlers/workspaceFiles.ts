/**
 * The workspace's environment files: the workspace folders and the environments root decide
 * which files on disk are environments (rescanned when either changes), and watched-file events
 * keep the model of the files on disk current. What each change means for diagnostics is the
 * validation policy's call.
 */
import { DidChangeWatchedFilesNotification, FileChangeType, type Connection, type WorkspaceFolder as LspWorkspaceFolder } from 'vscode-languageserver';
import type { WorkspaceFolder } from '../../../shared/src/language/environmentWorkspace';
import { findEnvironmentFiles, pathToUri, uriToPath } from '../diskWorkspace';
import type { ValidationPolicy } from '../validationPolicy';
import type { ServerContext } from './serverContext';

export const DEFAULT_ENVIRONMENTS_ROOT = 'environments';

function trimSlash(uri: string): string {
  return uri.endsWith('/') ? uri.slice(0, -1) : uri;
}

function rootUriOf(folderUri: string, root: string): string {
  const folderPath = uriToPath(folderUri);
  if (root.startsWith('/')) return trimSlash(pathToUri(root));
  if (folderPath === undefined) return `${trimSlash(folderUri)}/${root}`;
  return trimSlash(pathToUri(`${folderPath}/${root}`.replace(/\/+$/, '')));
}

export class WorkspaceFiles {
  private folders: LspWorkspaceFolder[] = [];
  private environmentsRoot = DEFAULT_ENVIRONMENTS_ROOT;

  constructor(
    private readonly context: ServerContext,
    private readonly validation: ValidationPolicy,
  ) {
    context.connection.onDidChangeWatchedFiles((params) => {
      context.guard('watched files', undefined, () => {
        for (const change of params.changes) {
          if (!/\.ya?ml$/.test(change.uri)) continue;
          if (change.type === FileChangeType.Deleted) context.workspace.removeFile(change.uri);
          else context.workspace.fileChanged(change.uri);
          validation.changedOnDisk(change.uri);
        }
      });
    });
  }

  /** The folder settings come from first (the first workspace folder), if any. */
  get firstFolderUri(): string | undefined {
    return this.folders[0]?.uri;
  }

  /** At initialize: the client's folders and the root from `initializationOptions`; scans once. */
  initialize(folders: LspWorkspaceFolder[], environmentsRoot: string | undefined): void {
    this.folders = folders;
    if (environmentsRoot !== undefined) this.environmentsRoot = environmentsRoot;
    this.context.guard('scan', undefined, () => this.rescan());
  }

  /** A new environments root (from settings): rescans and re-validates when it differs. */
  setEnvironmentsRoot(root: string): void {
    if (root === this.environmentsRoot) return;
    this.environmentsRoot = root;
    this.changed();
  }

  /** After initialized: file watching and folder events, as far as the client supports them. */
  listen(connection: Connection, canRegisterWatchers: boolean, hasWorkspaceFolderEvents: boolean): void {
    if (canRegisterWatchers) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] }).catch(() => undefined);
    }
    if (hasWorkspaceFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        this.folders = this.folders.filter((f) => !event.removed.some((r) => r.uri === f.uri)).concat(event.added);
        this.changed();
      });
    }
  }

  private changed(): void {
    this.context.guard('scan', undefined, () => this.rescan());
    this.validation.everything();
  }

  private rescan(): void {
    const { workspace } = this.context;
    const model: WorkspaceFolder[] = this.folders.map((f) => ({ uri: trimSlash(f.uri), rootUri: rootUriOf(f.uri, this.environmentsRoot) }));
    workspace.setFolders(model);
    for (const folder of model) {
      for (const uri of findEnvironmentFiles(folder.rootUri, false)) workspace.addFile(uri);
      for (const uri of findEnvironmentFiles(folder.uri, true)) workspace.addFile(uri);
    }
  }
}
