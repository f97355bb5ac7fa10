/**
 * Which files are ESC environments and what they are called: YAML files under the environments
 * root of a workspace folder (`esc.environmentsRoot`), named by their path under it without the
 * extension, and `*.esc.yaml` / `*.esc.yml` files anywhere, named by their path under the
 * workspace folder without that suffix: the one rule of shared/src/identity, as everywhere.
 *
 * package.json claims only `*.esc.yaml` / `*.esc.yml`; YAML documents under the configured root
 * that look like environments (see looksLikeEnvironment) are switched to `esc` when they open,
 * and a command switches any one file either way. (The extension is active once the workspace has
 * YAML under `environments/`, `*.esc.yaml` files or an `.esc/` folder, or the ESC view or a
 * command is used: it never activates for YAML files in general.)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { candidateRelativePaths, LOOSE_SUFFIXES, nameFromRelativePath, ROOT_SUFFIXES } from '../../../shared/src/identity/environmentName';
import { readSettings } from './settings';

export const languageId = 'esc';

// Suffixes as the one identity rule has them (case-sensitive, like the names they give).
const escSuffix = { test: (file: string): boolean => LOOSE_SUFFIXES.some((suffix) => file.endsWith(suffix)) };
const yamlSuffix = { test: (file: string): boolean => ROOT_SUFFIXES.some((suffix) => file.endsWith(suffix)) };

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
 * ESC's top-level keys. A YAML file under the environments root is only claimed when it could be
 * an environment: empty (a new file), or with `imports` or `values` at its top level. Helm or
 * Terraform values that happen to live in an `environments/` folder stay plain YAML.
 */
const escTopLevel = /^(imports|values)[ \t]*:/m;
const anyTopLevelKey = /^[^\s#-][^:\n]*:/m;

export function looksLikeEnvironment(text: string): boolean {
  return escTopLevel.test(text) || !anyTopLevelKey.test(text);
}

/** Per-file choices made with "ESC: Treat This File as ESC Environment / as Plain YAML" (workspace state). */
const overridesKey = 'esc.languageOverrides';
type LanguageOverride = 'esc' | 'yaml';

/** The language a YAML file should have: the user's choice for it, else ESC when it is an environment that looks like one. */
function wantedLanguage(doc: vscode.TextDocument, state: vscode.Memento): LanguageOverride | undefined {
  const chosen = state.get<Record<string, LanguageOverride>>(overridesKey, {})[doc.uri.toString()];
  if (chosen !== undefined) return chosen;
  if (escSuffix.test(doc.uri.fsPath)) return 'esc';
  return environmentOf(doc.uri) && looksLikeEnvironment(doc.getText()) ? 'esc' : undefined;
}

/**
 * Gives YAML documents under the configured environments root that look like environments the
 * `esc` language, so the server (and nothing that claims `yaml`) serves them, and applies the
 * per-file choices. package.json claims only `*.esc.yaml` / `*.esc.yml` statically.
 */
export function associateLanguage(state: vscode.Memento): vscode.Disposable {
  const adopt = (doc: vscode.TextDocument): void => {
    if (doc.uri.scheme !== 'file' || !yamlSuffix.test(doc.uri.fsPath)) return;
    const wanted = wantedLanguage(doc, state);
    if (doc.languageId === languageId) {
      if (wanted === 'yaml') void vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      return;
    }
    // Only plain YAML (or text) documents are adopted: a user's explicit language choice stays.
    if (doc.languageId !== 'yaml' && doc.languageId !== 'plaintext') return;
    if (wanted === 'esc') void vscode.languages.setTextDocumentLanguage(doc, languageId);
  };
  vscode.workspace.textDocuments.forEach(adopt);
  const setLanguage = async (language: LanguageOverride): Promise<void> => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !yamlSuffix.test(doc.uri.path)) {
      void vscode.window.showWarningMessage('Open a YAML file first.');
      return;
    }
    const overrides = { ...state.get<Record<string, LanguageOverride>>(overridesKey, {}), [doc.uri.toString()]: language };
    await state.update(overridesKey, overrides);
    await vscode.languages.setTextDocumentLanguage(doc, language);
  };
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(adopt),
    vscode.commands.registerCommand('esc.treatAsEnvironment', () => setLanguage('esc')),
    vscode.commands.registerCommand('esc.treatAsYaml', () => setLanguage('yaml')),
  );
}

/** Keeps the `esc.hasEnvironments` context key (welcome view) in step with the workspace. */
export async function updateHasEnvironmentsContext(): Promise<boolean> {
  const has = (await listEnvironments()).length > 0;
  await vscode.commands.executeCommand('setContext', 'esc.hasEnvironments', has);
  return has;
}
