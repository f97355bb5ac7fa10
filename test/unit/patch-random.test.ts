/**
 * Randomised patching: many generated documents (block and flow styles, comments, quoting,
 * unicode, sequences, CRLF) and generated states (tricky strings and keys, nesting). For each,
 * the patched document must parse, hold exactly the new state at the path, keep every other
 * value, and keep every comment and every line outside the replaced node.
 */
import * as assert from 'assert';
import * as YAML from 'yaml';
import type { Value } from '../../shared/src/value/value';
import type { Json } from '../../shared/src/schema/schema';
import { applyPatches } from '../../shared/src/patch';
import { formatPath, type PathSegment } from '../../shared/src/syntax/propertyPath';
import { prng } from './prng';

const STRINGS = ['plain', '', ' ', 'true', 'no', '1.5', '0x10', 'null', '~', 'a: b', 'a #b', '#c', '- d', '? e', '[f]', '{g}', '*h', '&i', '!j', '%k', '@l', '`m',
  "it's", 'say "hi"', 'back\\slash', 'multi\nline', 'tab\there', 'trailing ', 'ünïcødé', '日本語', '🔑', 'a,b', '|', '>', '---', '...'];
const KEYS = ['a', 'b_c', 'Key9', 'with space', 'dot.ted', 'fn::x', 'ключ', '日本', '"q"', 'colon: x', '-dash', '1', 'true', ''];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function randomJson(r: () => number, depth: number): Json {
  const roll = r();
  if (depth <= 0 || roll < 0.45) {
    const s = r();
    if (s < 0.6) return pick(r, STRINGS);
    if (s < 0.75) return Math.round(r() * 1e6) / 100;
    if (s < 0.85) return r() < 0.5;
    if (s < 0.9) return null;
    return Math.floor(r() * 1000) - 500;
  }
  if (roll < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth - 1));
  const o: { [k: string]: Json } = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) o[pick(r, KEYS)] = randomJson(r, depth - 1);
  return o;
}

function toValue(j: Json): Value {
  if (Array.isArray(j)) return { value: j.map(toValue), trace: {} };
  if (j !== null && typeof j === 'object') {
    const o: { [key: string]: Value } = {};
    for (const k of Object.keys(j)) o[k] = toValue(j[k] as Json);
    return { value: o, trace: {} };
  }
  return { value: j, trace: {} };
}

interface Generated {
  text: string;
  path: PathSegment[];
  comments: string[];
}

/** A document with one rotate call somewhere, in a random style, with noise around it. */
function randomDocument(r: () => number, n: number): Generated {
  const comments: string[] = [];
  const comment = (): string => {
    const c = `# note ${n}-${comments.length} ${pick(r, ['ü', 'x: y', '"', "'", '#', ''])}`;
    comments.push(c);
    return c;
  };
  const stateStyle = pick(r, ['block', 'flow', 'null', 'empty', 'missing', 'scalar'] as const);
  const callStyle = pick(r, ['block', 'flow'] as const);
  const inSeq = r() < 0.3;
  const ind = pick(r, [2, 4]);
  const sp = (k: number): string => ' '.repeat(ind * k);
  const lines: string[] = [comment(), 'values:'];
  lines.push(`${sp(1)}before: ${JSON.stringify(pick(r, STRINGS))}   ${comment()}`);
  const key = pick(r, ['creds', 'my creds', 'clé']);
  const keyText = /^[a-z]+$/.test(key) ? key : JSON.stringify(key);
  let path: PathSegment[];
  if (callStyle === 'flow') {
    const state =
      stateStyle === 'missing' ? '' : stateStyle === 'null' ? ', state: null' : stateStyle === 'empty' || stateStyle === 'scalar' ? ', state: old' : ', state: {a: old, b: [1, 2]}';
    const call = `{fn::rotate::swap: {inputs: {x: 1}${state}}}`;
    if (inSeq) {
      lines.push(`${sp(1)}${keyText}:`, `${sp(2)}- ${call}   ${comment()}`);
      path = ['values', key, 0, 'fn::rotate::swap', 'state'];
    } else {
      lines.push(`${sp(1)}${keyText}: ${call}   ${comment()}`);
      path = ['values', key, 'fn::rotate::swap', 'state'];
    }
  } else {
    const base = 3;
    const lead = inSeq ? `${sp(2)}- ` : sp(2);
    lines.push(`${sp(1)}${keyText}:`);
    lines.push(`${lead}fn::rotate::swap:   ${comment()}`);
    const at = (k: number): string => (inSeq ? ' '.repeat(ind * 2 + 2 + ind * (k - 2)) : sp(k));
    lines.push(`${at(base)}inputs:`, `${at(base + 1)}x: 1 ${comment()}`);
    // The comment inside the old state goes with it; the one on the key's line stays.
    if (stateStyle === 'block') lines.push(`${at(base)}state: ${comment()}`, `${at(base + 1)}a: old   # inside`, `${at(base + 1)}b:`, `${at(base + 2)}- 1`);
    else if (stateStyle === 'flow') lines.push(`${at(base)}state: {a: old, b: [1]}   ${comment()}`);
    else if (stateStyle === 'null') lines.push(`${at(base)}state: null ${comment()}`);
    else if (stateStyle === 'empty') lines.push(`${at(base)}state:`);
    else if (stateStyle === 'scalar') lines.push(`${at(base)}state: |`, `${at(base + 1)}old text`);
    lines.push(`${at(base)}${comment()}`);
    path = inSeq ? ['values', key, 0, 'fn::rotate::swap', 'state'] : ['values', key, 'fn::rotate::swap', 'state'];
  }
  lines.push(`${sp(1)}after:`, `${sp(2)}- {k: v}   ${comment()}`, `${sp(2)}- 'single ''quoted'''`, comment(), '');
  const nl = r() < 0.2 ? '\r\n' : '\n';
  return { text: lines.join(nl), path, comments };
}

function setAt(root: unknown, path: PathSegment[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

describe('patch: randomised documents and states', () => {
  it('keeps everything but the state across 400 generated cases', async function () {
    this.timeout(120000);
    const r = prng(20261121);
    for (let n = 0; n < 400; n++) {
      const doc = randomDocument(r, n);
      const state = randomJson(r, 4);
      const before = YAML.parseDocument(doc.text);
      assert.deepStrictEqual(before.errors, [], `case ${n}: generated an invalid document:\n${doc.text}`);
      let out: string;
      try {
        out = await applyPatches(doc.text, [{ docPath: formatPath(doc.path), replacement: toValue(state) }]);
      } catch (e) {
        assert.fail(`case ${n}: ${String(e)}\n--- document:\n${doc.text}\n--- state: ${JSON.stringify(state)}`);
      }
      const after = YAML.parseDocument(out);
      const context = `case ${n}\n--- before:\n${doc.text}\n--- after:\n${out}\n--- state: ${JSON.stringify(state)}`;
      assert.deepStrictEqual(after.errors, [], context);
      const expected = before.toJS() as unknown;
      setAt(expected, doc.path, state);
      assert.deepStrictEqual(after.toJS(), expected, context);
      for (const c of doc.comments) assert.ok(out.includes(c), `comment lost: ${c}\n${context}`);
      // Lines before the rotate call and after it are byte-identical.
      const head = doc.text.slice(0, doc.text.indexOf('fn::rotate::swap'));
      const tail = doc.text.slice(doc.text.indexOf('after:'));
      assert.ok(out.startsWith(head), `head changed\n${context}`);
      assert.ok(out.endsWith(tail), `tail changed\n${context}`);
      if (doc.text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(out), `mixed line endings\n${context}`);
    }
  });
});
