/**
 * The names that can follow a partial property path inside `${...}`: local and imported
 * values, `context.*`, `environments.<project>.<env>.…` (walking the workspace's real files),
 * `imports.<name>` for non-merged imports, and provider outputs from the catalog.
 */
import { calleeOf, propertiesOf, schemaAt } from './catalogIndex';
import type { Schema } from '../schema/schema';
import { isMap, pairKey, type EscDocument, type PathKey } from './model';
import { environmentReference, layersOf } from './resolve';
import type { EnvironmentWorkspace } from './environmentWorkspace';

export interface PathCandidate {
  name: string;
  kind: 'value' | 'object' | 'environment' | 'project' | 'context' | 'output';
  /** Where it comes from: an environment name, `context`, or a provider. */
  source: string;
  description?: string;
}

const CONTEXT: Record<string, Record<string, unknown>> = {
  '': { pulumi: {}, currentEnvironment: {}, rootEnvironment: {} },
  pulumi: { user: {} },
  'pulumi.user': { id: 'The ID of the user opening the environment.' },
  currentEnvironment: { name: 'The name of the environment being evaluated.' },
  rootEnvironment: { name: 'The name of the environment being opened (the root of the import graph).' },
};

function candidatesInEnvironment(workspace: EnvironmentWorkspace, doc: EscDocument, parent: readonly PathKey[]): PathCandidate[] {
  const out = new Map<string, PathCandidate>();
  const layers = layersOf(workspace, doc);
  for (const layer of layers) {
    for (const property of layer.doc.properties) {
      if (property.path.length !== parent.length + 1) continue;
      if (!parent.every((k, i) => String(k) === String(property.path[i]))) continue;
      const name = String(property.path[parent.length]);
      if (out.has(name)) continue;
      out.set(name, { name, kind: isMap(property.value) ? 'object' : 'value', source: layer.doc.envName });
    }
  }
  if (out.size > 0 || parent.length === 0) return [...out.values()];
  // No keys below: the parent may be a provider call; offer its documented outputs.
  for (let cut = parent.length; cut >= 1; cut--) {
    const prefix = parent.slice(0, cut);
    for (const layer of layers) {
      const property = layer.doc.properties.find((p) => p.path.length === prefix.length && p.path.every((k, i) => String(k) === String(prefix[i])));
      if (!property || !isMap(property.value) || property.value.items.length !== 1) continue;
      const callee = calleeOf(pairKey(property.value.items[0]!) ?? '');
      let outputs: Schema | undefined;
      if (callee?.kind === 'provider' && callee.spec) outputs = callee.spec.outputs;
      if (callee?.kind === 'rotator' && callee.spec) outputs = callee.spec.outputs;
      if (!outputs) return [];
      const schema = schemaAt(outputs, parent.slice(cut));
      return propertiesOf(schema).map(([name, s]) => ({ name, kind: 'output', source: `${callee!.name} output`, ...(typeof s === 'object' && s.description ? { description: s.description } : {}) }));
    }
  }
  return [];
}

export function pathCandidates(workspace: EnvironmentWorkspace, doc: EscDocument, parent: readonly PathKey[]): PathCandidate[] {
  if (parent.length === 0) {
    const local = candidatesInEnvironment(workspace, doc, []);
    const extra: PathCandidate[] = [
      { name: 'context', kind: 'context', source: 'context', description: 'The execution context: `pulumi.user.id`, `currentEnvironment.name`, `rootEnvironment.name`.' },
      { name: 'environments', kind: 'context', source: 'workspace', description: 'Other environments of the workspace: `environments.<project>.<env>.<path>`.' },
    ];
    if (doc.imports.some((i) => !i.merge)) extra.push({ name: 'imports', kind: 'context', source: 'imports', description: 'Imports declared with `merge: false`.' });
    return [...local, ...extra];
  }
  if (parent[0] === 'context') {
    const entries = CONTEXT[parent.slice(1).join('.')];
    return Object.entries(entries ?? {}).map(([name, d]) => ({ name, kind: typeof d === 'string' ? 'value' : 'object', source: 'context', ...(typeof d === 'string' ? { description: d } : {}) }));
  }
  if (parent[0] === 'imports') {
    if (parent.length === 1) return doc.imports.filter((i) => !i.merge).map((i) => ({ name: i.name, kind: 'environment', source: 'imports' }));
    const entry = doc.imports.find((i) => !i.merge && i.name === parent[1]);
    const imported = entry ? workspace.documentByName(entry.name) : undefined;
    return imported ? candidatesInEnvironment(workspace, imported, parent.slice(2)) : [];
  }
  if (parent[0] === 'environments') {
    const names = workspace.environmentNames();
    if (parent.length === 1) {
      const firsts = new Map<string, PathCandidate>();
      for (const name of names) {
        const [first, ...rest] = name.split('/');
        if (!firsts.has(first!)) firsts.set(first!, { name: first!, kind: rest.length > 0 ? 'project' : 'environment', source: 'workspace' });
      }
      return [...firsts.values()];
    }
    if (parent.length === 2) {
      const inProject = names.filter((n) => n.startsWith(`${String(parent[1])}/`) && n.split('/').length === 2).map((n) => ({ name: n.split('/')[1]!, kind: 'environment' as const, source: n }));
      if (inProject.length > 0) return inProject;
    }
    const env = environmentReference(workspace, parent);
    const target = env ? workspace.documentByName(env.envName) : undefined;
    return target && env ? candidatesInEnvironment(workspace, target, parent.slice(env.consumed)) : [];
  }
  return candidatesInEnvironment(workspace, doc, parent);
}
