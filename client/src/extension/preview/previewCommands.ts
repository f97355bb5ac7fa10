/** Commands of the resolved-environment preview: open, change format, reveal / hide secrets. */
import * as vscode from 'vscode';
import { activeEnvironment } from '../environments';
import { Log } from '../log';
import { PreviewFormat, previewFormats, readSettings } from '../settings';
import { folderByIndex } from '../workspaceFolders';
import { parsePreviewUri, PreviewProvider, previewScheme } from './previewProvider';
import { requireTrust } from '../trust';

/** Arguments for programmatic use (keybindings, other extensions, the e2e suite). */
export interface PreviewArgs {
  format?: PreviewFormat;
}
export interface RevealArgs {
  /** The preview to reveal (default: the active one). */
  uri?: vscode.Uri;
  /** For callers that already asked the user; the command palette always asks. */
  skipConfirmation?: boolean;
}

const formatLabels: Record<PreviewFormat, string> = {
  yaml: 'YAML — the values',
  json: 'JSON — the values',
  dotenv: 'dotenv — environmentVariables as a .env file',
  shell: 'shell — environmentVariables as export lines',
};

function activePreviewUri(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === previewScheme ? uri : undefined;
}

export function registerPreviewCommands(provider: PreviewProvider, log: Log): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('esc.preview', async (args?: PreviewArgs) => {
      if (activePreviewUri() && !args?.format) return vscode.window.activeTextEditor; // already looking at it
      const env = activeEnvironment();
      if (typeof env === 'string') {
        void vscode.window.showWarningMessage(env);
        return undefined;
      }
      return provider.open(env, args?.format ?? readSettings(env.folder).previewFormat);
    }),
    vscode.commands.registerCommand('esc.preview.changeFormat', async (args?: PreviewArgs) => {
      const uri = activePreviewUri();
      const address = uri && parsePreviewUri(uri);
      const folder = address && folderByIndex(address.folderIndex);
      if (!uri || !address || !folder) {
        void vscode.window.showWarningMessage('Open a resolved-environment preview first (ESC: Preview Resolved Environment).');
        return undefined;
      }
      let format = args?.format;
      if (!format) {
        const picked = await vscode.window.showQuickPick(
          previewFormats.map(f => ({ label: f, description: formatLabels[f], picked: f === address.format })),
          { title: 'ESC: Preview Format', placeHolder: `Currently ${address.format}` },
        );
        format = picked?.label;
      }
      if (!format || format === address.format) return vscode.window.activeTextEditor;
      const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.Active;
      // Secrets never carry over to another format: the new preview starts redacted.
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      return provider.open({ name: address.environment, folder }, format, column);
    }),
    vscode.commands.registerCommand('esc.preview.revealSecrets', async (args?: RevealArgs) => {
      if (!requireTrust('Reveal Secrets in Preview')) return false;
      const uri = args?.uri ?? activePreviewUri();
      const address = uri && parsePreviewUri(uri);
      if (!uri || !address) {
        void vscode.window.showWarningMessage('Open a resolved-environment preview first (ESC: Preview Resolved Environment).');
        return false;
      }
      if (!args?.skipConfirmation) {
        const answer = await vscode.window.showWarningMessage(
          `Reveal the secrets of ${address.environment}?`,
          {
            modal: true,
            detail: 'Secrets are decrypted in VS Code and providers such as aws-login are called. The plaintext is shown in this preview only — never saved or logged — and is hidden again when the preview closes.',
          },
          'Reveal',
        );
        if (answer !== 'Reveal') return false;
      }
      log.info(`revealing secrets of ${address.environment} in the preview (user confirmed)`);
      await provider.setRevealed(uri, true);
      return true;
    }),
    vscode.commands.registerCommand('esc.preview.hideSecrets', async (args?: { uri?: vscode.Uri }) => {
      const uri = args?.uri ?? activePreviewUri();
      if (!uri) return false;
      await provider.setRevealed(uri, false);
      return true;
    }),
  ];
}
