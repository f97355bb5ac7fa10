/**
 * The ESC language server: LSP handlers, each a thin call into the language service. Owns the
 * protocol concerns only — document sync, settings, watched files, debounced publishing and
 * making sure no request ever goes unanswered (a failing feature answers empty, logged).
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Range,
  type TextEdit,
  type WorkspaceFolder as LspWorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EscLanguageService, CancelledError, type EnvironmentChecker } from '../../shared/src/language/service';
import { semanticTokensLegend } from '../../shared/src/language/semanticTokens';
import { ENCRYPT_SECRET_COMMAND } from '../../shared/src/language/codeActions';
import { EnvironmentWorkspace, type WorkspaceFolder } from '../../shared/src/language/environmentWorkspace';
import { createDiskReader, findEnvironmentFiles, pathToUri, uriToPath } from './diskWorkspace';
import { formatEsc } from './formatting';
import { ValidationScheduler } from './scheduler';

/** `initializationOptions` (all optional). */
export interface EscInitializationOptions {
  /** Environments root relative to each workspace folder (default `environments`). Same as setting `esc.environmentsRoot`. */
  environmentsRoot?: string;
  /** Debounce before validating after a change, in ms (default 15). */
  diagnosticsDelayMs?: number;
  /** The client command the "Encrypt secret" code action runs (default `esc.encryptSecret`). */
  encryptSecretCommand?: string;
}

/** Settings read from the `esc` section (workspace/configuration or didChangeConfiguration). */
interface EscSettings {
  environmentsRoot?: string;
}

const DEFAULT_ROOT = 'environments';
const DEFAULT_DELAY_MS = 15;

function trimSlash(uri: string): string {
  return uri.endsWith('/') ? uri.slice(0, -1) : uri;
}

function rootUriOf(folderUri: string, root: string): string {
  const folderPath = uriToPath(folderUri);
  if (root.startsWith('/')) return trimSlash(pathToUri(root));
  if (folderPath === undefined) return `${trimSlash(folderUri)}/${root}`;
  return trimSlash(pathToUri(`${folderPath}/${root}`.replace(/\/+$/, '')));
}

export function startServer(connection: Connection, checker?: EnvironmentChecker & { dispose?(): void }): void {
  const documents = new TextDocuments(TextDocument);
  const workspace: EnvironmentWorkspace = new EnvironmentWorkspace(createDiskReader(() => workspace.getFolders().flatMap((f) => [uriToPath(f.uri), uriToPath(f.rootUri)].filter((p): p is string => p !== undefined))));
  const service = new EscLanguageService(workspace, checker);
  let folders: LspWorkspaceFolder[] = [];
  let environmentsRoot = DEFAULT_ROOT;
  let canPullConfiguration = false;
  let canRegisterWatchers = false;
  let hasWorkspaceFolderEvents = false;
  let encryptCommand = ENCRYPT_SECRET_COMMAND;

  const log = (message: string): void => connection.console.log(message);

  /** Runs a handler; a failure is logged and answered with `fallback` so no request hangs. */
  function guard<T>(name: string, fallback: T, handler: () => T): T {
    try {
      return handler();
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fallback;
    }
  }

  /** Documents whose text changed since they were last validated (their dependents follow). */
  const changedSinceValidation = new Set<string>();

  const scheduler = new ValidationScheduler(async (uri, signal) => {
    const document = documents.get(uri);
    if (!document) return;
    const version = document.version;
    try {
      // An incremental check gives exactly a full check's result (the differential test
      // test/unit/language-incremental-differential.test.ts): no confirming full check follows.
      const { diagnostics } = await service.validate(uri, signal);
      if (signal.aborted || documents.get(uri)?.version !== version) return;
      await connection.sendDiagnostics({ uri, version, diagnostics });
      // Importers are re-validated after this document's own diagnostics are out, so a change
      // is reported where it was made first.
      if (changedSinceValidation.delete(uri)) guard('dependents', undefined, () => revalidateDependents(uri));
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) return;
      log(`validation of ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await connection.sendDiagnostics({ uri, version, diagnostics: [] });
    }
  }, DEFAULT_DELAY_MS);

  function rescan(): void {
    const model: WorkspaceFolder[] = folders.map((f) => ({ uri: trimSlash(f.uri), rootUri: rootUriOf(f.uri, environmentsRoot) }));
    workspace.setFolders(model);
    for (const folder of model) {
      for (const uri of findEnvironmentFiles(folder.rootUri, false)) workspace.addFile(uri);
      for (const uri of findEnvironmentFiles(folder.uri, true)) workspace.addFile(uri);
    }
  }

  /** Re-validates open documents that depend on `uri`'s environment (after it changed). */
  function revalidateDependents(uri: string): void {
    const name = workspace.nameOf(uri);
    if (name === undefined) return;
    for (const document of documents.all()) {
      if (document.uri === uri) continue;
      const other = workspace.nameOf(document.uri);
      if (other !== undefined && workspace.dependsOn(other, name)) scheduler.schedule(document.uri);
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as EscInitializationOptions;
    if (typeof options.environmentsRoot === 'string' && options.environmentsRoot.trim() !== '') environmentsRoot = options.environmentsRoot.trim();
    if (typeof options.diagnosticsDelayMs === 'number') scheduler.setDelay(options.diagnosticsDelayMs);
    if (typeof options.encryptSecretCommand === 'string' && options.encryptSecretCommand !== '') encryptCommand = options.encryptSecretCommand;
    folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRegisterWatchers = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    hasWorkspaceFolderEvents = params.capabilities.workspace?.workspaceFolders === true;
    guard('scan', undefined, rescan);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [':', '.', '{', '/', ' ', '-'], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        semanticTokensProvider: { legend: semanticTokensLegend, full: true, range: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'esc-language-server', version: '0.1.0' },
    };
  });

  async function pullSettings(): Promise<void> {
    if (!canPullConfiguration || folders.length === 0) return;
    const settings = (await connection.workspace.getConfiguration({ scopeUri: folders[0]!.uri, section: 'esc' })) as EscSettings | null;
    applySettings(settings ?? {});
  }

  function applySettings(settings: EscSettings): void {
    const root = typeof settings.environmentsRoot === 'string' && settings.environmentsRoot.trim() !== '' ? settings.environmentsRoot.trim() : undefined;
    if (root !== undefined && root !== environmentsRoot) {
      environmentsRoot = root;
      guard('scan', undefined, rescan);
      for (const document of documents.all()) scheduler.schedule(document.uri);
    }
  }

  connection.onInitialized(() => {
    if (canPullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'esc' }).catch(() => undefined);
      void pullSettings().catch((e: unknown) => log(`settings: ${String(e)}`));
    }
    if (canRegisterWatchers) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] })
        .catch(() => undefined);
    }
    if (hasWorkspaceFolderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        folders = folders.filter((f) => !event.removed.some((r) => r.uri === f.uri)).concat(event.added);
        guard('scan', undefined, rescan);
        for (const document of documents.all()) scheduler.schedule(document.uri);
      });
    }
  });

  connection.onDidChangeConfiguration((change) => {
    const settings = (change.settings as { esc?: EscSettings } | undefined)?.esc;
    if (settings) applySettings(settings);
    else void pullSettings().catch((e: unknown) => log(`settings: ${String(e)}`));
  });

  connection.onDidChangeWatchedFiles((params) => {
    guard('watched files', undefined, () => {
      for (const change of params.changes) {
        if (!/\.ya?ml$/.test(change.uri)) continue;
        if (change.type === FileChangeType.Deleted) workspace.removeFile(change.uri);
        else workspace.fileChanged(change.uri);
        if (!documents.get(change.uri)) revalidateDependents(change.uri);
      }
    });
  });

  documents.onDidOpen((event) => {
    guard('open', undefined, () => {
      workspace.openDocument(event.document.uri, event.document.getText(), event.document.version);
      scheduler.schedule(event.document.uri, 0);
    });
  });
  documents.onDidChangeContent((event) => {
    guard('change', undefined, () => {
      workspace.changeDocument(event.document.uri, event.document.getText(), event.document.version);
      changedSinceValidation.add(event.document.uri);
      scheduler.schedule(event.document.uri);
    });
  });
  documents.onDidClose((event) => {
    guard('close', undefined, () => {
      scheduler.cancel(event.document.uri);
      changedSinceValidation.delete(event.document.uri);
      workspace.closeDocument(event.document.uri);
      service.forget(event.document.uri);
      // Closed documents show no diagnostics; dependents now see the disk version.
      void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
      revalidateDependents(event.document.uri);
    });
  });

  connection.onCompletion((params) => guard('completion', null, () => service.completion(params.textDocument.uri, params.position)));
  connection.onHover((params) => guard('hover', null, () => service.hover(params.textDocument.uri, params.position)));
  connection.onDefinition((params) => guard('definition', [], () => service.definition(params.textDocument.uri, params.position)));
  connection.onReferences((params) => guard('references', [], () => service.references(params.textDocument.uri, params.position, params.context.includeDeclaration)));
  connection.onPrepareRename((params) => guard('prepareRename', null, () => service.prepareRename(params.textDocument.uri, params.position)));
  connection.onRenameRequest((params) => guard('rename', null, () => service.rename(params.textDocument.uri, params.position, params.newName)));
  connection.onCodeAction((params) =>
    guard('codeAction', [], () =>
      service.codeActions(params.textDocument.uri, params.range, params.context.diagnostics).map((action) =>
        action.command?.command === ENCRYPT_SECRET_COMMAND ? { ...action, command: { ...action.command, command: encryptCommand } } : action,
      ),
    ),
  );
  connection.onDocumentSymbol((params) => guard('documentSymbol', [], () => service.documentSymbols(params.textDocument.uri)));
  connection.onFoldingRanges((params) => guard('foldingRange', [], () => service.foldingRanges(params.textDocument.uri)));
  connection.onDocumentFormatting((params) => guard('formatting', [], () => formatOpenDocument(params.textDocument.uri)));
  connection.onDocumentRangeFormatting((params) => guard('rangeFormatting', [], () => formatOpenDocument(params.textDocument.uri, params.range)));
  connection.languages.semanticTokens.on((params) => guard('semanticTokens', { data: [] }, () => ({ data: service.semanticTokens(params.textDocument.uri) })));

  /** Formatting edits for an open document (the editor's text, not the disk's); none when it is not open. */
  function formatOpenDocument(uri: string, range?: Range): TextEdit[] {
    const document = documents.get(uri);
    return document === undefined ? [] : formatEsc(document.getText(), range);
  }

  connection.onShutdown(() => {
    scheduler.dispose();
    checker?.dispose?.();
  });
  documents.listen(connection);
  connection.listen();
}
