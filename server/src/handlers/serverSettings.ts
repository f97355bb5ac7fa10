/**
 * Settings: `initializationOptions` at start, then the `esc` configuration section, pulled with
 * `workspace/configuration` when the client supports it or pushed with
 * `workspace/didChangeConfiguration` (`{ settings: { esc: { environmentsRoot } } }`).
 */
import { DidChangeConfigurationNotification } from 'vscode-languageserver';
import type { WorkspaceFiles } from './workspaceFiles';
import type { ServerContext } from './serverContext';

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

/** A non-blank string, trimmed; undefined otherwise. */
export function nonBlank(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export class Settings {
  private canPullConfiguration = false;

  constructor(
    private readonly context: ServerContext,
    private readonly workspaceFiles: WorkspaceFiles,
  ) {
    context.connection.onDidChangeConfiguration((change) => {
      const settings = (change.settings as { esc?: EscSettings } | undefined)?.esc;
      if (settings) this.apply(settings);
      else this.pullInBackground();
    });
  }

  /** At initialize: whether the client answers `workspace/configuration`. */
  initialize(canPullConfiguration: boolean): void {
    this.canPullConfiguration = canPullConfiguration;
  }

  /** After initialized: registers for configuration changes and pulls the current settings. */
  listen(): void {
    if (!this.canPullConfiguration) return;
    void this.context.connection.client.register(DidChangeConfigurationNotification.type, { section: 'esc' }).catch(() => undefined);
    this.pullInBackground();
  }

  private pullInBackground(): void {
    void this.pull().catch((e: unknown) => this.context.log(`settings: ${String(e)}`));
  }

  private async pull(): Promise<void> {
    const scopeUri = this.workspaceFiles.firstFolderUri;
    if (!this.canPullConfiguration || scopeUri === undefined) return;
    const settings = (await this.context.connection.workspace.getConfiguration({ scopeUri, section: 'esc' })) as EscSettings | null;
    this.apply(settings ?? {});
  }

  private apply(settings: EscSettings): void {
    const root = nonBlank(settings.environmentsRoot);
    if (root !== undefined) this.workspaceFiles.setEnvironmentsRoot(root);
  }
}
