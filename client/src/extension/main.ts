/**
 * ESC Local: the VS Code glue over the vscode-free core. Activation stays cheap: commands, views
 * and listeners are registered here; the language server starts only when an ESC environment is
 * open.
 */
import * as vscode from 'vscode';
import { registerCredentialCommands } from './managingCredentials';
import { registerEncryptCommands } from './encryptSecrets';
import { associateLanguage, registerVirtualEnvironmentScheme, updateHasEnvironmentsContext } from './environments';
import { registerHistoryCommands } from './history/historyCommands';
import { registerRollbackCommand } from './history/rollback';
import { HistoryTreeProvider } from './history/historyTree';
import { registerSaveRecorder } from './history/saveRecorder';
import { parseRevisionUri, RevisionDocumentProvider, revisionScheme } from './history/revisionDocuments';
import { EscLanguageClient } from './languageClient';
import { Log } from './log';
import { registerPreviewCommands } from './preview/previewCommands';
import { parsePreviewUri, PreviewProvider, previewScheme } from './preview/previewProvider';
import { registerRotateCommand } from './rotateSecrets';
import { registerRunCommand } from './runInTerminal';
import { registerScheduleCommands, ScheduleRunner } from './rotationSchedules';
import { RotationStatusBar } from './statusBar';
import { registerWhenTrusted, trackTrustContext } from './trust';
import { escCore, optionalCipher } from './workspaceFolders';

export interface EscExtensionApi {
  /** Milliseconds `activate` took (reported by the e2e suite). */
  activationMs: number;
  /** The language client, started on first use. */
  languageClient: EscLanguageClient;
  /** The Rotation History view's data (the e2e suite reads it as a person reads the view). */
  historyTree: HistoryTreeProvider;
  statusBar: RotationStatusBar;
  preview: PreviewProvider;
  schedules: ScheduleRunner;
}

/** Kept for deactivate(): the server process is stopped (awaited) when the extension stops. */
let runningClient: EscLanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<EscExtensionApi> {
  const started = Date.now();
  const log = new Log();
  // First: the menus' `esc.restrictedMode` key (./trust) is set before any palette opens.
  context.subscriptions.push(log, trackTrustContext());

  context.subscriptions.push(associateLanguage(context.workspaceState));
  const languageClient = new EscLanguageClient(context, log);
  runningClient = languageClient;
  languageClient.startWhenNeeded();

  // Commands run from a preview or a revision act on the environment it shows.
  registerVirtualEnvironmentScheme(previewScheme, parsePreviewUri);
  registerVirtualEnvironmentScheme(revisionScheme, parseRevisionUri);
  const revisions = new RevisionDocumentProvider();
  const historyTree = new HistoryTreeProvider(log);
  const historyView = vscode.window.createTreeView('esc.history', { treeDataProvider: historyTree, showCollapseAll: true });
  const statusBar = new RotationStatusBar(log);
  const preview = new PreviewProvider(log, {
    providers: folder => escCore(folder, log).providers(),
    decrypter: folder => optionalCipher(folder),
  });
  historyTree.onDidChangeTreeData(() => {
    statusBar.update();
    revisions.refreshCurrent();
  });
  const schedules = new ScheduleRunner(log);
  context.subscriptions.push(
    schedules,
    ...registerScheduleCommands(schedules, log),
    revisions,
    vscode.workspace.registerTextDocumentContentProvider(revisionScheme, revisions),
    historyTree,
    historyView,
    statusBar,
    vscode.workspace.onDidChangeConfiguration(event => {
      if (event.affectsConfiguration('esc')) {
        historyTree.watch();
        historyTree.refresh();
      }
    }),
    preview,
    vscode.workspace.registerTextDocumentContentProvider(previewScheme, preview),
    ...registerPreviewCommands(preview, log),
    ...registerHistoryCommands(historyTree),
    // Off in Restricted Mode (./trust): rotation, rollback, keychain credentials, encryption, run.
    registerWhenTrusted(
      {
        'esc.rotateSecrets': 'Rotate Secrets',
        'esc.history.rollback': 'Roll Back',
        'esc.credentials.store': 'Store Managing Credentials',
        'esc.credentials.forget': 'Forget Managing Credentials',
        'esc.credentials.show': 'Show Stored Credentials',
        'esc.encryptSecrets': 'Encrypt Secrets in File',
        'esc.encryptSecret': 'Encrypt This Secret',
        'esc.runWithEnvironment': 'Run Command with Environment',
      },
      () => [registerRotateCommand(log), registerSaveRecorder(log), registerRollbackCommand(log), ...registerCredentialCommands(log), ...registerEncryptCommands(log), registerRunCommand(context)],
    ),
    vscode.commands.registerCommand('esc.showOutput', () => log.channel.show(true)),
  );

  // The welcome view's context key: computed in the background, never blocking activation.
  void updateHasEnvironmentsContext();
  const environmentsWatcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}', false, true, false);
  environmentsWatcher.onDidCreate(() => void updateHasEnvironmentsContext());
  environmentsWatcher.onDidDelete(() => void updateHasEnvironmentsContext());
  context.subscriptions.push(environmentsWatcher);

  const activationMs = Date.now() - started;
  log.info(`activated in ${activationMs} ms`);
  return { activationMs, languageClient, historyTree, statusBar, preview, schedules };
}

export async function deactivate(): Promise<void> {
  // Everything else is registered on context.subscriptions, which VS Code disposes.
  await runningClient?.dispose();
  runningClient = undefined;
}
