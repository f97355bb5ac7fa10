/**
 * Go to definition, find references and rename, for keys referenced by interpolations (across
 * environments) and for import entries (→ the imported file).
 */
import type { Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { definitionOfReference, importsOf, referencesTo, resolvePath, targetAt, type Definition } from './resolve';
import type { EscDocument } from './model';
import type { EnvironmentWorkspace } from './workspace';

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
  const def = definitionUnderCursor(workspace, doc, offset);
  if (!target || !def) return undefined;
  const span = target.kind === 'reference' ? target.accessor.span : target.kind === 'property' ? target.property.keySpan : undefined;
  if (!span) return undefined;
  return { range: doc.lines.range(span), placeholder: def.property.key };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function rename(workspace: EnvironmentWorkspace, doc: EscDocument, position: Position, newName: string): WorkspaceEdit | undefined {
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
