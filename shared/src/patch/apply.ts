/**
 * Writing rotation results back: {@link applyPatches} puts each new state at its `docPath`,
 * {@link encryptPlaintextSecrets} turns every `fn::secret: <plaintext>` into ciphertext. Both
 * change only the bytes of the nodes they replace and check the result before returning it.
 */
import * as YAML from 'yaml';
import type { Encrypter, RotationPatch } from '../contract/plugins';
import { encodeCiphertext } from '../syntax/envelope';
import { applyEdits, locate, parseDocument, replacementEdit, YamlText, type Edit } from './edit';
import { formatPath, parsePath, PropertyPathError, type PathSegment } from '../syntax/propertyPath';
import { PatchError, secretCall, valueToYamlData, type YamlData } from './valueToYaml';

function parseDocPath(docPath: string): PathSegment[] {
  try {
    const path = parsePath(docPath);
    if (path.length === 0) throw new PatchError(`invalid document path "${docPath}": it is empty`);
    return path;
  } catch (e) {
    if (e instanceof PropertyPathError) throw new PatchError(`invalid document path "${docPath}": ${e.message}`);
    throw e;
  }
}

/** Structural equality between the data we meant to write and what the patched text now holds. */
function sameData(expected: YamlData, actual: unknown): boolean {
  if (expected instanceof Map) {
    if (!(actual instanceof Map) || actual.size !== expected.size) return false;
    for (const [k, v] of expected) if (!actual.has(k) || !sameData(v, actual.get(k))) return false;
    return true;
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((v, i) => sameData(v, actual[i]));
  }
  return Object.is(expected, actual) || (expected === 0 && actual === 0);
}

/** Parses text we produced; a failure is our bug, reported as such (nothing is written). */
function reparse(text: string, what: string): YAML.Document.Parsed {
  try {
    return parseDocument(text);
  } catch (e) {
    throw new PatchError(`internal error: ${what} would produce invalid YAML (${(e as Error).message})`);
  }
}

function nodeData(node: unknown): unknown {
  return YAML.isNode(node) ? node.toJS(new YAML.Document(), { mapAsMap: true }) : node;
}

/**
 * Applies rotation patches to an environment's YAML text and returns the new text. Each
 * `docPath` (e.g. `values.a["fn::rotate::swap"].state`) must lead to an existing mapping except
 * for its last key, which is created when missing. Secret parts of a replacement are written
 * as `fn::secret: {ciphertext: …}` with `encrypter` (required when there are any). Throws
 * {@link PatchError} — and changes nothing — for an invalid document, a path that does not
 * exist, an unknown value in a replacement, or a secret without an encrypter.
 */
export async function applyPatches(text: string, patches: readonly RotationPatch[], encrypter?: Encrypter): Promise<string> {
  // Render (and encrypt) everything first, so a failure leaves nothing half-done.
  const rendered: { path: PathSegment[]; data: YamlData }[] = [];
  for (const patch of patches) {
    rendered.push({ path: parseDocPath(patch.docPath), data: await valueToYamlData(patch.replacement, encrypter) });
  }
  let out = text;
  let doc = parseDocument(out);
  for (const { path, data } of rendered) {
    const t = new YamlText(out);
    const edit = replacementEdit(t, locate(doc, path), path[path.length - 1], data);
    out = applyEdits(out, [edit]);
    // The check's parse is also the next patch's starting point.
    doc = reparse(out, `writing ${formatPath(path)}`);
    const check = locate(doc, path);
    if (check.node === undefined || !sameData(data, nodeData(check.node))) {
      throw new PatchError(`internal error: writing ${formatPath(path)} did not produce the expected YAML`);
    }
  }
  return out;
}

/** A plaintext `fn::secret` call in a document. */
export interface PlaintextSecret {
  /** Document path of the `fn::secret` call's value, e.g. `values.db.password["fn::secret"]`. */
  path: string;
  /** 1-based position of the plaintext. */
  line: number;
  column: number;
}

interface Found {
  path: PathSegment[];
  pair: YAML.Pair<unknown, unknown>;
  map: YAML.YAMLMap<unknown, unknown>;
  scalar: YAML.Scalar;
}

/**
 * Whether a string holds a `${…}` interpolation (`$$` escapes a literal `$`). Such a value is no
 * plaintext secret — the evaluator rejects it as "secret values must be string literals" — and
 * encrypting it would silently turn the reference into literal text.
 */
function hasInterpolation(text: string): boolean {
  for (let i = text.indexOf('$'); i >= 0 && i < text.length - 1; i = text.indexOf('$', i)) {
    if (text[i + 1] === '{') return true;
    i += text[i + 1] === '$' ? 2 : 1;
  }
  return false;
}

/** ESC's test for a plaintext secret: a mapping whose only key is `fn::secret`, with a literal string value. */
function findPlaintextSecrets(doc: YAML.Document.Parsed): Found[] {
  const found: Found[] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (YAML.isMap(node)) {
      const only = node.items.length === 1 ? node.items[0] : undefined;
      if (only !== undefined && YAML.isScalar(only.key) && only.key.value === 'fn::secret' && YAML.isScalar(only.value) && typeof only.value.value === 'string' && !hasInterpolation(only.value.value)) {
        found.push({ path: [...path, 'fn::secret'], pair: only, map: node, scalar: only.value });
        return;
      }
      for (const p of node.items) {
        const k = YAML.isScalar(p.key) ? String(p.key.value) : undefined;
        if (k !== undefined) walk(p.value, [...path, k]);
      }
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return found;
}

/** Lists the plaintext `fn::secret` calls of a document (for warnings and the encrypt command). */
export function listPlaintextSecrets(text: string): PlaintextSecret[] {
  const t = new YamlText(text);
  return findPlaintextSecrets(parseDocument(text)).map((f) => ({ path: formatPath(f.path), ...t.position(f.scalar.range?.[0] ?? 0) }));
}

/**
 * Rewrites every `fn::secret: <plaintext>` of the document as `fn::secret: {ciphertext: …}`
 * (ESC's `EncryptSecrets`), leaving every other byte as it was. Returns the new text and how
 * many secrets were encrypted.
 */
export async function encryptPlaintextSecrets(text: string, encrypter: Encrypter): Promise<{ text: string; encrypted: number }> {
  const doc = parseDocument(text);
  const found = findPlaintextSecrets(doc);
  if (found.length === 0) return { text, encrypted: 0 };
  const t = new YamlText(text);
  const edits: Edit[] = [];
  const expected: YamlData[] = [];
  for (const f of found) {
    const ciphertext = encodeCiphertext(await encrypter.encrypt(new TextEncoder().encode(f.scalar.value as string)));
    const data = (secretCall(ciphertext).get('fn::secret') as YamlData);
    expected.push(data);
    edits.push(replacementEdit(t, { node: f.scalar, pair: f.pair, parent: f.map }, 'fn::secret', data));
  }
  const out = applyEdits(text, edits);
  const after = reparse(out, 'encrypting secrets');
  found.forEach((f, i) => {
    const loc = locate(after, f.path);
    if (!sameData(expected[i] as YamlData, nodeData(loc.node))) {
      throw new PatchError(`internal error: encrypting ${formatPath(f.path)} did not produce the expected YAML`);
    }
  });
  return { text: out, encrypted: found.length };
}
