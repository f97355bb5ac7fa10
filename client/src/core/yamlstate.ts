/**
 * Reading rotation targets and rotated states straight from an environment's document tree — the
 * evaluator's (ast/environment.ts), without evaluating it: which `fn::rotate` calls exist, the
 * key ids in a state (for history records) and a state as a Value with its secrets decrypted (to
 * carry it over in a rollback). A text whose YAML is malformed has no tree, hence no targets.
 */
import type { Decrypter } from '../../../shared/src/contract/plugins';
import type { Value } from '../../../shared/src/value/value';
import { decryptCiphertext } from '../../../shared/src/crypt/index';
import { parseEnvironment } from '../../../shared/src/ast/environment';
import type { SyntaxNode } from '../../../shared/src/syntax/nodes';
import { formatPath, parsePath, type PathSegment } from '../../../shared/src/syntax/propertyPath';

export interface RotationTarget {
  /** Path under `values` in ESC syntax (`iam`, `aws.creds`, `list[0]`): what `rotate --path` takes. */
  path: string;
  /** ESC document path of the rotate call's state, e.g. `values.iam["fn::rotate::aws-iam"].state`. */
  stateDocPath: string;
  /** Rotator name (`aws-iam`, `password`, …), undefined if the long form has no literal provider. */
  rotator?: string;
}

/** The document's root node; undefined when its YAML is malformed. */
function rootOf(text: string): SyntaxNode | undefined {
  return parseEnvironment('', text).decl?.syntax;
}

/** The value of the entry `key` of an object node (the last, as the evaluator reads duplicates). */
function entryOf(node: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
  if (node?.kind !== 'object') return undefined;
  let found: SyntaxNode | undefined;
  for (const e of node.entries) if (e.key.kind === 'string' && e.key.value === key) found = e.value;
  return found;
}

/** Every `fn::rotate` call under `values`, in document order. */
export function findRotationTargets(text: string): RotationTarget[] {
  const out: RotationTarget[] = [];
  const walk = (node: SyntaxNode, path: PathSegment[]): void => {
    if (node.kind === 'object') {
      const call = node.entries.length === 1 ? node.entries[0]! : undefined;
      if (call?.key.kind === 'string' && (call.key.value === 'fn::rotate' || call.key.value.startsWith('fn::rotate::'))) {
        const key = call.key.value;
        let rotator = key === 'fn::rotate' ? undefined : key.slice('fn::rotate::'.length);
        const provider = key === 'fn::rotate' ? entryOf(call.value, 'provider') : undefined;
        if (provider?.kind === 'string') rotator = provider.value;
        out.push({ path: formatPath(path), stateDocPath: formatPath(['values', ...path, key, 'state']), ...(rotator ? { rotator } : {}) });
        return;
      }
      // A repeated key is read as its last entry, as the evaluator does.
      const entries = new Map<string, SyntaxNode>();
      for (const e of node.entries) if (e.key.kind === 'string') entries.set(e.key.value, e.value);
      for (const [key, value] of entries) walk(value, [...path, key]);
    } else if (node.kind === 'array') {
      node.elements.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  const values = entryOf(rootOf(text), 'values');
  if (values) walk(values, []);
  return out;
}

/** The plain JS of the node at a document path (secrets as their YAML form), or undefined. */
export function jsAt(text: string, docPath: string): unknown {
  let node = rootOf(text);
  for (const segment of docPath === '' ? [] : parsePath(docPath)) {
    node = typeof segment === 'number' ? (node?.kind === 'array' ? node.elements[segment] : undefined) : entryOf(node, segment);
  }
  return node === undefined ? undefined : plainOf(node);
}

/** A node as plain JS data (own properties only: a `__proto__` key is data, never a prototype). */
function plainOf(node: SyntaxNode): unknown {
  switch (node.kind) {
    case 'null': return null;
    case 'boolean': case 'number': case 'string': return node.value;
    case 'array': return node.elements.map(plainOf);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        if (e.key.kind === 'string') Object.defineProperty(out, e.key.value, { value: plainOf(e.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/** Key ids of a rotated state (`{current: {accessKeyId}, previous: {accessKeyId}}`), if it has them. */
export function keyIdsOf(state: unknown): { current?: string; previous?: string } {
  const id = (k: unknown): string | undefined => {
    if (k !== null && typeof k === 'object' && !Array.isArray(k)) {
      const o = k as Record<string, unknown>;
      for (const f of ['accessKeyId', 'secretId', 'username']) if (typeof o[f] === 'string') return o[f] as string;
    }
    return undefined;
  };
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return {};
  const s = state as Record<string, unknown>;
  const current = id(s.current);
  const previous = id(s.previous);
  return { ...(current ? { current } : {}), ...(previous ? { previous } : {}) };
}

/** Converts YAML data of a state to a Value, decrypting `fn::secret` ciphertexts (secret-flagged). */
export async function stateValueFromYaml(js: unknown, decrypter: Decrypter): Promise<Value> {
  if (Array.isArray(js)) return { value: await Promise.all(js.map((x) => stateValueFromYaml(x, decrypter))), trace: {} };
  if (js !== null && typeof js === 'object') {
    const o = js as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'fn::secret') {
      const inner = o['fn::secret'];
      if (typeof inner === 'string') return { value: inner, secret: true, trace: {} };
      if (inner !== null && typeof inner === 'object' && typeof (inner as Record<string, unknown>).ciphertext === 'string') {
        return { value: await decryptCiphertext(decrypter, (inner as Record<string, string>).ciphertext!), secret: true, trace: {} };
      }
    }
    const out: { [k: string]: Value } = {};
    for (const k of keys) out[k] = await stateValueFromYaml(o[k], decrypter);
    return { value: out, trace: {} };
  }
  if (js === undefined) return { value: null, trace: {} };
  return { value: js as string | number | boolean | null, trace: {} };
}
