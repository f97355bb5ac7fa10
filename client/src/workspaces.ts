/** The core's view of each workspace folder, built from the current settings. */
import * as vscode from 'vscode';
import { Keychain } from './core/keychain';
import { Workspace } from './core/workspace';
import { readSettings } from './settings';

export function coreWorkspace(folder: vscode.WorkspaceFolder): Workspace {
  const settings = readSettings(folder);
  return new Workspace({
    root: folder.uri.fsPath,
    environmentsRoot: settings.environmentsRoot,
    toolDir: settings.historyFolder,
    keychain: new Keychain(settings.keychainService),
  });
}

export function folderByIndex(index: number): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find(folder => folder.index === index);
}
