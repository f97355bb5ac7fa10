/**
 * Workspace trust (package.json `capabilities.untrustedWorkspaces: limited`). In Restricted Mode
 * the extension edits only: the language server, formatting, the history view and the redacted
 * preview work, while everything that decrypts, rotates, reveals, runs due schedules, manages
 * keychain credentials or calls a provider out (aws-login) stays off until the user trusts the
 * workspace — a cloned repository must not be able to make VS Code act on its behalf.
 */
import * as vscode from 'vscode';

/** The message a command that is off in Restricted Mode shows. */
export function restrictedMessage(action: string): string {
  return `${action} is off in Restricted Mode: trust this workspace (Workspaces: Manage Workspace Trust) to rotate, decrypt, reveal or run providers.`;
}

/** True when the workspace is trusted; otherwise shows why `action` is off and returns false. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(restrictedMessage(action));
  return false;
}

/**
 * Registers commands that must not run in Restricted Mode. Trusted: `register()` as is.
 * Restricted: each of `commandIds` answers with the Restricted Mode message (and undefined) until
 * trust is granted, when the real commands replace them (VS Code never takes trust back without a
 * window reload).
 */
export function registerWhenTrusted(commandIds: Record<string, string>, register: () => vscode.Disposable[]): vscode.Disposable {
  if (vscode.workspace.isTrusted) return vscode.Disposable.from(...register());
  let active = Object.entries(commandIds).map(([id, action]) =>
    vscode.commands.registerCommand(id, () => {
      void vscode.window.showWarningMessage(restrictedMessage(action));
      return undefined;
    }),
  );
  const granted = vscode.workspace.onDidGrantWorkspaceTrust(() => {
    active.forEach(d => d.dispose());
    active = register();
  });
  return new vscode.Disposable(() => {
    granted.dispose();
    active.forEach(d => d.dispose());
  });
}

/**
 * The `esc.restrictedMode` context key, which package.json's menus use (`!esc.restrictedMode`) to
 * hide what Restricted Mode turns off. VS Code's own `isWorkspaceTrusted` key is not set when
 * workspace trust is disabled (code-server --disable-workspace-trust hid Rotate Secrets from a
 * trusted window's palette), and a positive key of ours would hide the commands until the
 * extension activates; this one is set only where the API says the workspace is untrusted.
 */
export function trackTrustContext(): vscode.Disposable {
  const set = (restricted: boolean): void => void vscode.commands.executeCommand('setContext', 'esc.restrictedMode', restricted);
  set(!vscode.workspace.isTrusted);
  return vscode.workspace.onDidGrantWorkspaceTrust(() => set(false));
}
