/**
 * ESC: Preview Resolved Environment — a read-only virtual document
 * (`esc-preview:/<folder>/<environment> (resolved).<ext>`) beside the editor, re-rendered when
 * the environment or anything it imports changes (open buffers win over disk). Redacted by
 * default: nothing is decrypted and no provider that calls out runs (rotators only read their
 * state locally). ESC: Reveal
 * Secrets in Preview (after a confirmation) evaluates in open mode — decrypting in this process
 * only, running providers — for that preview until its tab closes.
 */
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { checkModeLoader } from '../../../../shared/src/catalog/loader';
import type { Decrypter, EnvironmentLoader, Provider, ProviderLoader } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import { openEnvironment } from '../../../../shared/src/eval/index';
import { isEnvironmentName } from '../../../../shared/src/identity/environmentName';
import { environmentOf, EnvironmentRef } from '../environments';
import { Log } from '../log';
import { PreviewFormat } from '../settings';
import { coreWorkspace, folderByIndex } from '../workspaceFolders';
import { PreviewModel, renderPreview } from './previewText';

export const previewScheme = 'esc-preview';

const extensions: Record<PreviewFormat, string> = { yaml: 'yaml', json: 'json', dotenv: 'env', shell: 'sh' };

export interface PreviewAddress {
  folderIndex: number;
  environment: string;
  format: PreviewFormat;
}

export function previewUri(address: PreviewAddress): vscode.Uri {
  const segments = address.environment.split('/').map(encodeURIComponent).join('/');
  return vscode.Uri.from({ scheme: previewScheme, path: `/${address.folderIndex}/${segments} (resolved).${extensions[address.format]}` });
}

export function parsePreviewUri(uri: vscode.Uri): PreviewAddress | undefined {
  const match = /^\/(\d+)\/(.+) \(resolved\)\.(yaml|json|env|sh)$/.exec(uri.path);
  if (!match) return undefined;
  const format = (Object.keys(extensions) as PreviewFormat[]).find(f => extensions[f] === match[3])!;
  return { folderIndex: Number(match[1]), environment: match[2]!.split('/').map(decodeURIComponent).join('/'), format };
}

/** What the preview needs from the rotation core: the providers that really run, and the workspace's decrypter. */
export interface RevealSources {
  providers(folder: vscode.WorkspaceFolder): ProviderLoader;
  decrypter(folder: vscode.WorkspaceFolder): Promise<Decrypter | undefined>;
}

/**
 * The redacted preview's providers: rotators open locally (they only read their state, so the
 * preview shows its shape and key ids), while providers that would call out (aws-login…) are
 * not run — their outputs stay `[unknown]` until the user reveals.
 */
function redactedProviders(real: ProviderLoader): ProviderLoader {
  return {
    loadProvider(name: string): Provider | undefined {
      const known = checkModeLoader.loadProvider(name);
      if (!known) return undefined;
      return { schema: () => known.schema(), open: async () => ({ value: null, unknown: true, trace: {} }) };
    },
    loadRotator: (name: string) => real.loadRotator(name) ?? checkModeLoader.loadRotator(name),
  };
}

/**
 * Stands in for the data key in the redacted preview: nothing is decrypted (no key is read from
 * the keychain); every `fn::secret` ciphertext opens to this placeholder. ESC marks all of them
 * secret, so the renderer shows `[secret]` wherever they flow (interpolations included).
 */
const redactingDecrypter: Decrypter = {
  decrypt: async () => new TextEncoder().encode('[secret]'),
};

export class PreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Previews (URI strings) currently revealed. */
  private readonly revealed = new Set<string>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Per preview (URI string): the environments its last rendering loaded (itself and its imports). */
  private readonly dependencies = new Map<string, { folderIndex: number; environments: Set<string> }>();
  /** Environments changed since the last refresh (`folderIndex:name`). */
  private readonly changedEnvironments = new Set<string>();

  constructor(private readonly log: Log, private readonly reveal: RevealSources) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument(event => {
        if (event.contentChanges.length > 0) this.environmentChanged(event.document.uri);
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => this.hideClosedReveals()),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (doc.uri.scheme !== previewScheme) return;
        this.hide(doc.uri);
        this.dependencies.delete(doc.uri.toString());
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    watcher.onDidChange(uri => this.environmentChanged(uri));
    watcher.onDidCreate(uri => this.environmentChanged(uri));
    watcher.onDidDelete(uri => this.environmentChanged(uri));
    this.subscriptions.push(watcher);
  }

  isRevealed(uri: vscode.Uri): boolean {
    return this.revealed.has(uri.toString());
  }

  /** Opens (or shows) the preview of an environment beside the active editor. */
  async open(env: Pick<EnvironmentRef, 'name' | 'folder'>, format: PreviewFormat, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Beside): Promise<vscode.TextEditor> {
    const uri = previewUri({ folderIndex: env.folder.index, environment: env.name, format });
    const doc = await vscode.workspace.openTextDocument(uri);
    this.log.info(`preview of ${env.name} opened (${format})`);
    return vscode.window.showTextDocument(doc, { viewColumn, preview: false, preserveFocus: viewColumn === vscode.ViewColumn.Beside });
  }

  async setRevealed(uri: vscode.Uri, revealed: boolean): Promise<void> {
    if (revealed) this.revealed.add(uri.toString());
    else this.revealed.delete(uri.toString());
    this.log.info(`preview ${parsePreviewUri(uri)?.environment ?? uri.path}: secrets ${revealed ? 'revealed' : 'hidden'}`);
    this.changed.fire(uri);
    this.updateContext();
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const address = parsePreviewUri(uri);
    const folder = address && folderByIndex(address.folderIndex);
    if (!address || !folder) return `# ${uri.toString()} is not an ESC preview address\n`;
    const revealed = this.isRevealed(uri);
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    try {
      const loaded = new Set<string>([address.environment]);
      const model = await this.evaluate(folder, address.environment, revealed, abort.signal, loaded);
      this.dependencies.set(uri.toString(), { folderIndex: folder.index, environments: loaded });
      return renderPreview(model, address.format);
    } catch (error) {
      this.log.error(`preview of ${address.environment} failed`, error);
      const message = error instanceof Error ? error.message : String(error);
      return renderPreview({ environment: address.environment, diagnostics: [], revealed }, address.format).replace(/\n?$/, `\n# ${message.replace(/\n/g, ' ')}\n`);
    } finally {
      cancel.dispose();
    }
  }

  private async evaluate(folder: vscode.WorkspaceFolder, environment: string, revealed: boolean, signal: AbortSignal, loaded: Set<string>): Promise<PreviewModel> {
    const workspace = coreWorkspace(folder);
    const file = workspace.fileFor(environment);
    if (!file) throw new Error(`environment ${environment} no longer exists`);
    const decrypter = revealed ? await this.reveal.decrypter(folder) : redactingDecrypter;
    const loader = bufferFirstLoader((name) => (isEnvironmentName(name) ? workspace.fileFor(name) : undefined), (file, name) => workspace.readFile(file, name), decrypter, loaded);
    const source = await loader.load(environment);
    const text = source?.text ?? '';
    const options = {
      loader,
      providers: revealed ? this.reveal.providers(folder) : redactedProviders(this.reveal.providers(folder)),
      context: { pulumi: { user: { id: osUser() } } },
      ...(decrypter ? { decrypter } : {}),
      signal,
    };
    const result = await openEnvironment(environment, text, options);
    const diagnostics = [...result.loadDiagnostics, ...result.diagnostics];
    const root: Value | undefined = result.environment ? { value: result.environment.properties, trace: {} } : undefined;
    return { environment, revealed, diagnostics, ...(root ? { root } : {}) };
  }

  /** Reveals last only while their preview is visible in a tab: closing it hides the secrets again. */
  private hideClosedReveals(): void {
    const open = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText) open.add(tab.input.uri.toString());
      }
    }
    for (const uri of [...this.revealed]) {
      if (!open.has(uri)) void this.setRevealed(vscode.Uri.parse(uri), false);
    }
  }

  private hide(uri: vscode.Uri): void {
    if (this.isRevealed(uri)) void this.setRevealed(uri, false);
  }

  private updateContext(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    void vscode.commands.executeCommand('setContext', 'esc.preview.revealed', !!uri && uri.scheme === previewScheme && this.isRevealed(uri));
  }

  private environmentChanged(uri: vscode.Uri): void {
    const env = environmentOf(uri);
    if (!env) return;
    this.changedEnvironments.add(`${env.folder.index}:${env.name}`);
    this.refreshSoon();
  }

  /**
   * Re-renders the open previews that loaded a changed environment (themselves or an import),
   * once per burst of changes: a revealed preview calls providers again on each rendering.
   */
  private refreshSoon(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      const changed = new Set(this.changedEnvironments);
      this.changedEnvironments.clear();
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme !== previewScheme) continue;
        const deps = this.dependencies.get(doc.uri.toString());
        if (!deps || [...deps.environments].some(name => changed.has(`${deps.folderIndex}:${name}`))) this.changed.fire(doc.uri);
      }
    }, 250);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.subscriptions.forEach(s => s.dispose());
    this.changed.dispose();
    this.revealed.clear();
  }
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'local';
  }
}

/** Loads environments from open editor buffers first (unsaved edits show at once), else from disk. */
function bufferFirstLoader(fileFor: (name: string) => string | undefined, readFile: (file: string, name: string) => string, decrypter: Decrypter | undefined, loaded: Set<string>): EnvironmentLoader {
  return {
    async load(name: string) {
      loaded.add(name);
      const file = fileFor(name);
      if (!file) return undefined;
      const open = vscode.workspace.textDocuments.find(doc => doc.uri.scheme === 'file' && path.resolve(doc.uri.fsPath) === path.resolve(file));
      // Disk reads follow the one rule (no link out of the workspace, no FIFO): the core workspace's reader.
      const text = open ? open.getText() : readFile(file, name);
      return decrypter ? { text, decrypter } : { text };
    },
  };
}
