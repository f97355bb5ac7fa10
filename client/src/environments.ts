/**
 * Which files are ESC environments and what they are called: YAML files under the environments
 * root of a workspace folder (`esc.environmentsRoot`), named by their path under it without the
 * extension, and `*.esc.yaml` / `*.esc.yml` files anywhere, named by their path under the
 * workspace folder without that suffix: the one rule of shared/src/identity, as everywhere.
 *
 * `filenamePatterns` in package.json covers the default root statically; for a configured root
 * the language of matching YAML documents is switched to `esc` when they open. (The extension is
 * active there once the workspace has `*.esc.yaml` files or an `.esc/` folder, or the ESC view or
 * a command is used: it never activates for YAML files in general.)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { candidateRelativePaths, nameFromRelativePath } from '../../shared/src/identity/environmentName';
import { readSettings } from './settings';

export const languageId = 'esc';

export interface EnvironmentRef {
  /** The environment's name, e.g. `app/dev`. */
  name: string;
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
}

export function environmentsRootOf(folder: vscode.WorkspaceFolder): string {
  return path.join(folder.uri.fsPath, readSettings(folder).environmentsRoot);
}

/** The environment a file is, or undefined when it is not one (or not in a workspace folder). Names by the one rule of shared/src/identity. */
export function environmentOf(uri: vscode.Uri): EnvironmentRef | undefined {
  if (uri.scheme !== 'file') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const file = uri.fsPath;
  const underRoot = path.relative(environmentsRootOf(folder), file);
  const inRoot = !underRoot.startsWith('..') && !path.isAbsolute(underRoot) ? nameFromRelativePath(toPosix(underRoot), true) : undefined;
  const name = inRoot ?? nameFromRelativePath(toPosix(path.relative(folder.uri.fsPath, file)), false);
  return name === undefined ? undefined : { name, uri, folder };
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

/** Every environment file of the workspace, sorted by folder then name. */
export async function listEnvironments(): Promise<EnvironmentRef[]> {
  const found: EnvironmentRef[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const root = readSettings(folder).environmentsRoot;
    const patterns = [`${root}/**/*.{yaml,yml}`, '**/*.esc.{yaml,yml}'];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, pattern), '**/node_modules/**')) {
        if (seen.has(uri.fsPath)) continue;
        seen.add(uri.fsPath);
        const ref = environmentOf(uri);
        if (ref) found.push(ref);
      }
    }
  }
  return found.sort((a, b) => a.folder.index - b.folder.index || a.name.localeCompare(b.name));
}

/** Virtual documents that show an environment (preview, revisions) say which one, by scheme. */
const virtualResolvers = new Map<string, (uri: vscode.Uri) => { folderIndex: number; environment: string } | undefined>();

export function registerVirtualEnvironmentScheme(scheme: string, resolve: (uri: vscode.Uri) => { folderIndex: number; environment: string } | undefined): void {
  virtualResolvers.set(scheme, resolve);
}

/** The environment shown by a preview or revision document, when its file still exists. */
function environmentOfVirtual(uri: vscode.Uri): EnvironmentRef | undefined {
  const address = virtualResolvers.get(uri.scheme)?.(uri);
  const folder = address && vscode.workspace.workspaceFolders?.find(f => f.index === address.folderIndex);
  if (!address || !folder) return undefined;
  const root = environmentsRootOf(folder);
  for (const candidate of candidateRelativePaths(address.environment)) {
    const file = path.join(candidate.inRoot ? root : folder.uri.fsPath, ...candidate.relative.split('/'));
    if (fs.existsSync(file)) return { name: address.environment, folder, uri: vscode.Uri.file(file) };
  }
  return undefined;
}

/** The environment of the active editor (or of the preview / revision it shows), or a clear message why there is none. */
export function activeEnvironment(): EnvironmentRef | string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return 'Open an ESC environment file first.';
  const ref = environmentOf(editor.document.uri) ?? environmentOfVirtual(editor.document.uri);
  if (!ref) {
    return `${path.basename(editor.document.uri.fsPath)} is not an ESC environment: environments are YAML files under the environments folder (setting esc.environmentsRoot) or *.esc.yaml files in a workspace folder.`;
  }
  return ref;
}

/**
 * Gives YAML documents under a configured environments root the `esc` language, so the server
 * (and nothing that claims `yaml`) serves them. Files matched by package.json's patterns already
 * open as `esc`.
 */
export function associateLanguage(): vscode.Disposable {
  const adopt = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme !== 'file' || !/\.ya?ml$/.test(doc.uri.fsPath)) return;
    if (doc.languageId === languageId) {
      // package.json's static `**/environments/**` pattern matched, but the configured root differs.
      if (!environmentOf(doc.uri) && vscode.workspace.getWorkspaceFolder(doc.uri)) void vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      return;
    }
    // Only plain YAML (or text) documents are adopted: a user's explicit language choice stays.
    if (doc.languageId !== 'yaml' && doc.languageId !== 'plaintext') return;
    if (environmentOf(doc.uri)) void vscode.languages.setTextDocumentLanguage(doc, languageId);
  };
  vscode.workspace.textDocuments.forEach(adopt);
  return vscode.workspace.onDidOpenTextDocument(adopt);
}

/** Keeps the `esc.hasEnvironments` context key (welcome view) in step with the workspace. */
export async function updateHasEnvironmentsContext(): Promise<boolean> {
  const has = (await listEnvironments()).length > 0;
  await vscode.commands.executeCommand('setContext', 'esc.hasEnvironments', has);
  return has;
}
