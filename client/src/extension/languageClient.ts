/**
 * The language client: starts the ESC language server (dist/server.js, over Node IPC) for `esc`
 * documents only, the first time one is open, and restarts nothing on its own.
 */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { languageId } from './environments';
import { Log } from './log';
import { readSettings } from './settings';

export class EscLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {}

  /** Starts the server as soon as an `esc` document is (or becomes) open. */
  startWhenNeeded(): void {
    if (vscode.workspace.textDocuments.some(doc => doc.languageId === languageId)) {
      void this.start();
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument(doc => {
      if (doc.languageId !== languageId) return;
      listener.dispose();
      void this.start();
    });
    this.subscriptions.push(listener);
  }

  /** The running client (starting it if needed). */
  start(): Promise<LanguageClient> {
    this.starting ??= this.create();
    return this.starting;
  }

  get running(): LanguageClient | undefined {
    return this.client;
  }

  private async create(): Promise<LanguageClient> {
    const started = Date.now();
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6029'] } },
    };
    const settings = readSettings();
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { language: languageId, scheme: 'file' },
        { language: languageId, scheme: 'untitled' },
      ],
      synchronize: {
        // Imported environments change on disk (other editors, the CLI, rotations): re-validate importers.
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}'),
        configurationSection: 'esc',
      },
      initializationOptions: { environmentsRoot: settings.environmentsRoot },
      outputChannel: this.log.channel,
      traceOutputChannel: this.log.channel,
    };
    const client = new LanguageClient('esc', 'ESC Language Server', serverOptions, clientOptions);
    await client.start();
    this.client = client;
    this.log.info(`language server started in ${Date.now() - started} ms`);
    return client;
  }

  async dispose(): Promise<void> {
    this.subscriptions.forEach(s => s.dispose());
    // A server still starting is stopped once it is up, never left running.
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    if (client?.isRunning()) await client.stop().catch(error => this.log.warn(`stopping the language server: ${String(error)}`));
  }
}
