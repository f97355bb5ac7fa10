/**
 * Go to definition, find references and rename, for keys referenced by interpolations (across
 * environments) and for import entries (→ the imported file).
 */
import type { Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { definitionOfReference, importsOf, referencesTo, resolvePath, targetAt, type Definition } from './resolve';
import type { EscDocument } from './model';
import type { EnvironmentWorkspace } from './environmentWorkspace';

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function location(def: Definition): Location {
  return { uri: def.doc.uri, range: def.doc.lines.range(def.property.keySpan) };
}

/** The definition the cursor's symbol stands for (a key in some environment), if any. */
function definitionUnderCursor(workspace: EnvironmentWorkspace, doc: EscDocument, offset: number): Definition | undefined {
  const target = targetAt(doc, offset);
  if (!target) return undefined;
  if (target.kind === 'reference') return definitionOfReference(workspace, doc, target.interpolation, target.accessorIndex);
  if (target.kind === 'property') return { doc, property: target.property };
  return undefined;
}

export function definition(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position): Location[] {
  const offset = doc.lines.offsetAt(position);
  const target = targetAt(doc, offset);
  if (!target) return [];
  if (target.kind === 'import') {
    const uri = workspace.uriOf(target.entry.name);
    return uri === undefined ? [] : [{ uri, range: START }];
  }
  if (target.kind === 'property') return [];
  const keys = target.interpolation.accessors.slice(0, target.accessorIndex + 1).map((a) => a.key);
  if (keys[0] === 'environments' && target.accessorIndex <= 2) {
    // On the `<project>.<env>` part: the environment's file.
    const name = keys.length === 3 ? `${keys[1]}/${keys[2]}` : String(keys[1]);
    const uri = workspace.uriOf(name);
    if (uri !== undefined) return [{ uri, range: START }];
  }
  const resolution = resolvePath(workspace, doc, keys);
  if (!resolution) return [];
  const def = resolution.exact[0] ?? resolution.prefix;
  return def ? [location(def)] : [];
}

export function references(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position, includeDeclaration: boolean): Location[] {
  const offset = doc.lines.offsetAt(position);
  const target = targetAt(doc, offset);
  if (target?.kind === 'import') {
    return importsOf(workspace, target.entry.name).map((r) => ({ uri: r.doc.uri, range: r.doc.lines.range(r.span) }));
  }
  const def = definitionUnderCursor(workspace, doc, offset);
  if (!def) return [];
  const refs = referencesTo(workspace, def).map((r) => ({ uri: r.doc.uri, range: r.doc.lines.range(r.span) }));
  return includeDeclaration ? [location(def), ...refs] : refs;
}

export function prepareRename(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position): { range: Range; placeholder: string } | undefined {
  const offset = doc.lines.offsetAt(position);
  const target = targetAt(doc, offset);
  if (target?.kind === 'import') {
    // Renaming an environment: its file and every import entry / `environments.*` path naming it.
    if (workspace.uriOf(target.entry.name) === undefined) return undefined;
    return { range: doc.lines.range(target.entry.span), placeholder: target.entry.name };
  }
  const def = definitionUnderCursor(workspace, doc, offset);
  if (!target || !def) return undefined;
  const span = target.kind === 'reference' ? target.accessor.span : target.kind === 'property' ? target.property.keySpan : undefined;
  if (!span) return undefined;
  return { range: doc.lines.range(span), placeholder: def.property.key };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const ENVIRONMENT_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * Renames an environment: the file (a `RenameFile` operation) and, in every environment of the
 * workspace, the import entries and `${environments.<project>.<env>...}` paths naming it.
 */
export function renameEnvironment(workspace: EnvironmentWorkspace, oldName: string, newName: string): WorkspaceEdit | undefined {
  const oldUri = workspace.uriOf(oldName);
  if (oldUri === undefined || !ENVIRONMENT_NAME.test(newName) || newName === oldName || workspace.uriOf(newName) !== undefined) return undefined;
  const newUri = workspace.uriForName(oldUri, newName);
  if (newUri === undefined) return undefined;
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [];
  const newParts = newName.split('/');
  for (const name of workspace.environmentNames()) {
    const other = workspace.peekDocumentByName(name);
    if (!other) continue;
    const edits: TextEdit[] = [];
    for (const entry of other.imports) if (entry.name === oldName) edits.push({ range: other.lines.range(entry.span), newText: newName });
    for (const interp of other.interpolations) {
      const a = interp.accessors;
      if (a[0]?.key !== 'environments' || a.length < 2) continue;
      const two = a.length >= 3 && `${String(a[1]!.key)}/${String(a[2]!.key)}` === oldName;
      const one = !two && String(a[1]!.key) === oldName;
      if (!two && !one) continue;
      if (newParts.length > 2) continue; // not expressible as `environments.<project>.<env>`
      const span = { start: a[1]!.span.start, end: (two ? a[2]! : a[1]!).span.end };
      edits.push({ range: other.lines.range(span), newText: newParts.join('.') });
    }
    if (edits.length > 0) documentChanges.push({ textDocument: { uri: other.uri, version: workspace.isOpen(other.uri) ? other.version : null }, edits });
  }
  documentChanges.push({ kind: 'rename', oldUri, newUri });
  return { documentChanges };
}

export function rename(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position, newName: string): WorkspaceEdit | undefined {
  const target = targetAt(doc, doc.lines.offsetAt(position));
  if (target?.kind === 'import') return renameEnvironment(workspace, target.entry.name, newName);
  const def = definitionUnderCursor(workspace, doc, doc.lines.offsetAt(position));
  if (!def || !PLAIN_KEY.test(newName)) return undefined;
  const changes: { [uri: string]: TextEdit[] } = {};
  const add = (uri: string, range: Range): void => {
    (changes[uri] ??= []).push({ range, newText: newName });
  };
  // The key itself: replace its text but keep any quotes around it.
  const keyText = def.doc.text.slice(def.property.keySpan.start, def.property.keySpan.end);
  const quoted = keyText.length >= 2 && (keyText[0] === '"' || keyText[0] === "'") ? 1 : 0;
  add(def.doc.uri, def.doc.lines.range({ start: def.property.keySpan.start + quoted, end: def.property.keySpan.end - quoted }));
  for (const ref of referencesTo(workspace, def)) add(ref.doc.uri, ref.doc.lines.range(ref.span));
  return { changes };
}
