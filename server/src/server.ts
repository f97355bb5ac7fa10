/**
 * The ESC language server: builds the one language service over the workspace model and wires
 * the LSP handlers (handlers/, one file per concern, each a thin layer over the service) and the
 * validation policy (validationPolicy.ts). Answers `initialize` with the capabilities and hands
 * each handler the part of the client's parameters it needs.
 */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EscLanguageService, type EnvironmentChecker } from '../../shared/src/language/service';
import { semanticTokensLegend } from '../../shared/src/language/semanticTokens';
import { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';
import { createDiskReader, uriToPath } from './diskWorkspace';
import { ValidationPolicy } from './validationPolicy';
import { createServerContext, describeError } from './handlers/serverContext';
import { publishWithoutEvaluation, validateAndPublish } from './handlers/diagnosticsPublishing';
import { registerDocumentSync } from './handlers/documentSync';
import { registerDocumentFormatting } from './handlers/documentFormatting';
import { LanguageFeatures } from './handlers/languageFeatures';
import { Settings, nonBlank, type EscInitializationOptions } from './handlers/serverSettings';
import { WorkspaceFiles } from './handlers/workspaceFiles';

export type { EscInitializationOptions } from './handlers/serverSettings';

const CAPABILITIES: ServerCapabilities = {
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
};

/**
 * After the last document closed, full garbage collections a second later (once the closing
 * burst and the cancelled checks have settled) give the closed documents' memory back to the
 * system now instead of at V8's next collection, which an idle server may not reach for minutes.
 * Skipped when a document opened meanwhile. The collector is exposed for this (no flag on the
 * command line the editor launches); if that fails, V8 collects when it sees fit.
 */
const GARBAGE_COLLECTION_DELAY_MS = 1000;

function collectGarbageSoon(stillIdle: () => boolean): void {
  const collect = (): void => {
    if (!stillIdle()) return;
    try {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as (options?: object) => void;
      // A plain major collection frees the garbage; 'last-resort' then also returns freed pages
      // to the system (alone, it was seen to leave most garbage in place).
      gc();
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    } catch {
      // left to V8
    }
  };
  // Twice: the first pass frees the closed documents but chose the pages to compact while they
  // were still full, so they stay mapped (seen: 49 MB of old space holding 7 MB); once its
  // sweeping is done (the next turn), the second pass compacts those sparse pages and unmaps them.
  setTimeout(() => {
    collect();
    setImmediate(collect);
  }, GARBAGE_COLLECTION_DELAY_MS).unref();
}

export function startServer(connection: Connection, checker?: EnvironmentChecker & { dispose?(): void; endIfIdle?(): void }): void {
  const documents = new TextDocuments(TextDocument);
  // Files are read only inside a workspace folder or an environments root (after symbolic links).
  const readableRoots = (): string[] => workspace.getFolders().flatMap((f) => [uriToPath(f.uri), uriToPath(f.rootUri)].filter((p): p is string => p !== undefined));
  const disk = createDiskReader(readableRoots);
  const workspace: EnvironmentWorkspace = new EnvironmentWorkspace(disk);
  const context = createServerContext(connection, documents, workspace, new EscLanguageService(workspace, checker), disk);
  const validation = new ValidationPolicy(documents, workspace, {
    validateAndPublish: validateAndPublish(context),
    publishWithoutEvaluation: (uri) => context.guard('diagnostics', undefined, () => publishWithoutEvaluation(context, uri)),
    // Nothing open, nothing to check: the evaluator's thread and its heap go back to the system.
    nothingOpen: () => {
      checker?.endIfIdle?.();
      collectGarbageSoon(() => documents.all().length === 0);
    },
    error: (what, error) => context.log(`${what} failed: ${describeError(error)}`),
  });
  const workspaceFiles = new WorkspaceFiles(context, validation);
  const settings = new Settings(context, workspaceFiles);
  const features = new LanguageFeatures(context, validation);
  registerDocumentSync(context, validation);
  registerDocumentFormatting(context);

  let canRegisterWatchers = false;
  let hasWorkspaceFolderEvents = false;
  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as EscInitializationOptions;
    if (typeof options.diagnosticsDelayMs === 'number') validation.setDelay(options.diagnosticsDelayMs);
    // A client asking for diagnostics at once (delay 0) gets full checks at once too.
    if (typeof options.diagnosticsDelayMs === 'number') context.service.fullCheckPauseMs = Math.min(context.service.fullCheckPauseMs, Math.max(0, options.diagnosticsDelayMs));
    if (typeof options.encryptSecretCommand === 'string' && options.encryptSecretCommand !== '') features.encryptCommand = options.encryptSecretCommand;
    const workspaceCapabilities = params.capabilities.workspace;
    settings.initialize(workspaceCapabilities?.configuration === true);
    canRegisterWatchers = workspaceCapabilities?.didChangeWatchedFiles?.dynamicRegistration === true;
    hasWorkspaceFolderEvents = workspaceCapabilities?.workspaceFolders === true;
    workspaceFiles.initialize(params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []), nonBlank(options.environmentsRoot));
    return { capabilities: CAPABILITIES, serverInfo: { name: 'esc-language-server', version: '0.1.0' } };
  });
  connection.onInitialized(() => {
    settings.listen();
    workspaceFiles.listen(connection, canRegisterWatchers, hasWorkspaceFolderEvents);
  });
  connection.onShutdown(() => {
    validation.dispose();
    checker?.dispose?.();
  });
  documents.listen(connection);
  connection.listen();
}
