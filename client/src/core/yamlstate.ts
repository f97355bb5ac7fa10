/**
 * Reading rotation targets and rotated states straight from an environment's YAML (without
 * evaluating it): which `fn::rotate` calls exist, the key ids in a state (for history records)
 * and a state as a Value with its secrets decrypted (to carry it over in a rollback).
 */
import * as YAML from 'yaml';
import type { Decrypter } from '../../../shared/src/contract/plugins';
import type { Value } from '../../../shared/src/value/value';
import { decryptCiphertext } from '../../../shared/src/crypt/index';
import { formatPath, parsePath, type PathSegment } from '../../../shared/src/syntax/propertyPath';

export interface RotationTarget {
  /** Path under `values` in ESC syntax (`iam`, `aws.creds`, `list[0]`): what `rotate --path` takes. */
  path: string;
  /** ESC document path of the rotate call's state, e.g. `values.iam["fn::rotate::aws-iam"].state`. */
  stateDocPath: string;
  /** Rotator name (`aws-iam`, `password`, …), undefined if the long form has no literal provider. */
  rotator?: string;
}

function parse(text: string): YAML.Document.Parsed | undefined {
  try {
    const doc = YAML.parseDocument(text, { keepSourceTokens: false });
    return doc.errors.length > 0 ? undefined : doc;
  } catch {
    return undefined;
  }
}

/** Every `fn::rotate` call under `values`, in document order. */
export function findRotationTargets(text: string): RotationTarget[] {
  const doc = parse(text);
  if (!doc) return [];
  const values = doc.get('values', true);
  const out: RotationTarget[] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (YAML.isMap(node)) {
      if (node.items.length === 1 && YAML.isScalar(node.items[0]!.key)) {
        const key = String(node.items[0]!.key.value);
        if (key === 'fn::rotate' || key.startsWith('fn::rotate::')) {
          const body = node.items[0]!.value;
          let rotator = key === 'fn::rotate' ? undefined : key.slice('fn::rotate::'.length);
          if (rotator === undefined && YAML.isMap(body)) {
            const provider = body.get('provider');
            if (typeof provider === 'string') rotator = provider;
          }
          out.push({ path: formatPath(path), stateDocPath: formatPath(['values', ...path, key, 'state']), ...(rotator ? { rotator } : {}) });
          return;
        }
      }
      for (const p of node.items) if (YAML.isScalar(p.key)) walk(p.value, [...path, String(p.key.value)]);
    } else if (YAML.isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(values, []);
  return out;
}

/** The plain JS of the node at a document path (secrets as their YAML form), or undefined. */
export function jsAt(text: string, docPath: string): unknown {
  const doc = parse(text);
  if (!doc) return undefined;
  const segs = docPath === '' ? [] : parsePath(docPath);
  const node = doc.getIn(segs, true);
  return node === undefined ? undefined : YAML.isNode(node) ? node.toJS(doc) : node;
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
