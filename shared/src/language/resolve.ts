/**
 * Resolves property paths to where they are defined, following ESC's layering: an environment's
 * own `values` override its imports, later imports override earlier ones, and imports are
 * themselves layered recursively. `${environments.<project>.<env>.x}` reads another
 * environment directly. Works on the YAML documents alone, so it answers even while the
 * document does not evaluate.
 */
import type { Accessor } from './scalarInterpolations';
import type { EscDocument, ImportEntry, LocatedInterpolation, PathKey, PropertyNode } from './model';
import type { Span } from './text';
import type { EnvironmentWorkspace } from './environmentWorkspace';

export interface Definition {
  doc: EscDocument;
  property: PropertyNode;
  /** Set when the layer came from an import of the environment the path was resolved in. */
  via?: ImportEntry;
}

export interface Resolution {
  /** Layers defining the whole path, highest priority first: [0] wins, [1] is what it overrides. */
  exact: Definition[];
  /** When nothing defines the whole path: the definition of its longest defined prefix. */
  prefix?: Definition;
  /** The path inside the environment that was resolved (after `environments.p.e`). */
  path: PathKey[];
  /** The environment the path was resolved in. */
  envName: string;
}

function samePath(a: readonly PathKey[], b: readonly PathKey[]): boolean {
  return a.length === b.length && a.every((k, i) => String(k) === String(b[i]));
}

function isPrefix(prefix: readonly PathKey[], path: readonly PathKey[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));
}

/** The environment documents making up `doc`'s values, highest priority first. */
export function layersOf(workspace: EnvironmentWorkspace, doc: EscDocument, seen: Set<string> = new Set()): { doc: EscDocument; via?: ImportEntry }[] {
  if (seen.has(doc.envName)) return [];
  seen.add(doc.envName);
  const layers: { doc: EscDocument; via?: ImportEntry }[] = [{ doc }];
  for (let i = doc.imports.length - 1; i >= 0; i--) {
    const entry = doc.imports[i]!;
    if (!entry.merge) continue;
    const imported = workspace.documentByName(entry.name);
    if (!imported) continue;
    for (const layer of layersOf(workspace, imported, seen)) layers.push({ doc: layer.doc, via: layer.via ?? entry });
  }
  seen.delete(doc.envName);
  return layers;
}

/** Splits `environments.<project>.<env>.rest` into the environment and the rest. */
export function environmentReference(workspace: EnvironmentWorkspace, keys: readonly PathKey[]): { envName: string; consumed: number } | undefined {
  if (keys[0] !== 'environments' || typeof keys[1] !== 'string') return undefined;
  if (typeof keys[2] === 'string' && workspace.uriOf(`${keys[1]}/${keys[2]}`) !== undefined) return { envName: `${keys[1]}/${keys[2]}`, consumed: 3 };
  if (workspace.uriOf(keys[1]) !== undefined) return { envName: keys[1], consumed: 2 };
  return undefined;
}

export function resolvePath(workspace: EnvironmentWorkspace, doc: EscDocument, keys: readonly PathKey[]): Resolution | undefined {
  if (keys.length === 0 || keys[0] === 'context') return undefined;
  let target = doc;
  let path = [...keys];
  const env = environmentReference(workspace, keys);
  if (env) {
    const other = workspace.documentByName(env.envName);
    if (!other) return undefined;
    target = other;
    path = path.slice(env.consumed);
  } else if (keys[0] === 'environments') {
    return undefined;
  } else if (keys[0] === 'imports' && typeof keys[1] === 'string' && doc.imports.some((i) => !i.merge && i.name === keys[1])) {
    // `${imports.<name>.x}` reads an import declared with `merge: false`.
    const other = workspace.documentByName(keys[1]);
    if (!other) return undefined;
    target = other;
    path = path.slice(2);
  }
  const result: Resolution = { exact: [], path, envName: target.envName };
  if (path.length === 0) return result;
  let bestLength = 0;
  for (const layer of layersOf(workspace, target)) {
    for (const property of layer.doc.properties) {
      if (samePath(property.path, path)) result.exact.push({ doc: layer.doc, property, ...(layer.via ? { via: layer.via } : {}) });
      else if (isPrefix(property.path, path) && property.path.length > bestLength) {
        bestLength = property.path.length;
        result.prefix = { doc: layer.doc, property, ...(layer.via ? { via: layer.via } : {}) };
      }
    }
  }
  if (result.exact.length > 0) delete result.prefix;
  return result;
}

/** What the cursor is on, for definition/references/rename/hover. */
export type Target =
  | { kind: 'reference'; interpolation: LocatedInterpolation; accessorIndex: number; accessor: Accessor }
  | { kind: 'property'; property: PropertyNode }
  | { kind: 'import'; entry: ImportEntry };

export function targetAt(doc: EscDocument, offset: number): Target | undefined {
  for (const interpolation of doc.interpolations) {
    if (offset < interpolation.inner.start || offset > interpolation.inner.end) continue;
    const index = interpolation.accessors.findIndex((a) => offset >= a.span.start && offset <= a.span.end);
    if (index >= 0) return { kind: 'reference', interpolation, accessorIndex: index, accessor: interpolation.accessors[index]! };
  }
  for (const entry of doc.imports) if (offset >= entry.span.start && offset <= entry.span.end) return { kind: 'import', entry };
  for (const property of doc.properties) if (offset >= property.keySpan.start && offset <= property.keySpan.end) return { kind: 'property', property };
  return undefined;
}

/** The definition a reference's accessors up to `index` land on exactly, if any. */
export function definitionOfReference(workspace: EnvironmentWorkspace, doc: EscDocument, interpolation: LocatedInterpolation, index: number): Definition | undefined {
  const keys = interpolation.accessors.slice(0, index + 1).map((a) => a.key);
  const resolution = resolvePath(workspace, doc, keys);
  return resolution?.exact[0];
}

export interface Reference {
  doc: EscDocument;
  span: Span;
}

/** Every accessor across the workspace that resolves exactly to `target`. */
export function referencesTo(workspace: EnvironmentWorkspace, target: Definition): Reference[] {
  const out: Reference[] = [];
  for (const name of workspace.environmentNames()) {
    const doc = workspace.peekDocumentByName(name);
    if (!doc) continue;
    for (const interpolation of doc.interpolations) {
      const keys = interpolation.accessors.map((a) => a.key);
      // Only accessors whose last key has the target's key can land on it.
      for (let i = 0; i < keys.length; i++) {
        if (String(keys[i]) !== target.property.key) continue;
        const resolution = resolvePath(workspace, doc, keys.slice(0, i + 1));
        const found = resolution?.exact.find((d) => d.doc.uri === target.doc.uri && d.property.keySpan.start === target.property.keySpan.start);
        if (found && resolution!.exact[0] === found) out.push({ doc, span: interpolation.accessors[i]!.span });
      }
    }
  }
  return out;
}

/** Import entries across the workspace naming `envName`. */
export function importsOf(workspace: EnvironmentWorkspace, envName: string): Reference[] {
  const out: Reference[] = [];
  for (const name of workspace.environmentNames()) {
    const doc = workspace.peekDocumentByName(name);
    for (const entry of doc?.imports ?? []) if (entry.name === envName) out.push({ doc: doc!, span: entry.span });
  }
  return out;
}
