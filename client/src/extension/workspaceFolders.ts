/** The core's view of each workspace folder, built from the current settings. */
import * as vscode from 'vscode';
import { EscCore } from '../core/escCore';
import { CoreError } from '../core/errors';
import { Keychain } from '../core/keychain';
import { Workspace } from '../core/workspace';
import { AesGcmCipher } from '../../../shared/src/crypt';
import type { Log } from './log';
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

/** The rotation core for a folder, configured from the settings (AWS endpoint override, keychain service, recording of saves). */
export function escCore(folder: vscode.WorkspaceFolder, log: Log): EscCore {
  const settings = readSettings(folder);
  return new EscCore({
    workspace: { root: folder.uri.fsPath, environmentsRoot: settings.environmentsRoot, toolDir: settings.historyFolder },
    keychainService: settings.keychainService,
    aws: {
      ...(settings.awsEndpoint ? { iamEndpoint: settings.awsEndpoint, stsEndpoint: settings.awsEndpoint } : {}),
      defaultRegion: settings.awsRegion,
    },
    tool: 'VS Code',
    log: line => log.info(line),
    recordSaves: settings.recordSaves,
    saveTrigger: 'extension',
  });
}

/** The workspace's data-key cipher, or undefined for a workspace that never had a key (nothing to decrypt). */
export async function optionalCipher(folder: vscode.WorkspaceFolder): Promise<AesGcmCipher | undefined> {
  try {
    return new AesGcmCipher(await coreWorkspace(folder).dataKey({ create: false }));
  } catch (error) {
    if (error instanceof CoreError && error.code === 'DataKeyMissing' && /none yet/.test(error.message)) return undefined;
    throw error;
  }
}

export function folderByIndex(index: number): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.find(folder => folder.index === index);
}
