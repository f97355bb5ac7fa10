/**
 * The YAML fast path (`shared/src/syntax/simpleYaml.ts`) against the `yaml` package path: for every
 * text the fast path accepts, `parseYaml` must give exactly what the full parser gives (nodes,
 * ranges, paths, diagnostics, and `scalarRange` at every offset). Texts: the repository's YAML
 * files and the conformance corpus, mutations of them, and generated documents full of YAML edge
 * cases (indicators, quotes, flow collections, indentation). Deterministic seeds. A fuzz suite
 * (60,000 documents, ~15 s), hence under test:integration, not the all-day unit tests.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { MODEL_YAML_OPTIONS } from '../../shared/src/syntax/segments';
import { parseYaml } from '../../shared/src/syntax/yaml';
import { parseSimpleYaml } from '../../shared/src/syntax/simpleYaml';
import { generateEnvironment, generateRealisticEnvironment } from '../bench/evaluator';
import { prng } from '../unit/prng';

/** JSON of a parse result, with each `scalarRange` replaced by its ranges at a spread of offsets. */
function snapshot(text: string, fastPath: boolean): string {
  return JSON.stringify(parseYaml('env', text, { fastPath }), (_key, value: unknown) => {
    if (typeof value !== 'function') return value;
    const scalarRange = value as (start: number, end: number) => unknown;
    const ranges: unknown[] = [];
    for (let start = -1; start < 24; start++) ranges.push(scalarRange(start, start), scalarRange(start, start + 3));
    return ranges;
  });
}

/**
 * A `yaml` node as plain data: class, value, source, type, format, flow, tag, anchor and ranges.
 * `ends: false` keeps only the offsets that do not depend on where comment lines end: a
 * scalar's start and value end, a collection's start.
 */
function nodeData(node: unknown, ends: boolean): unknown {
  if (node === null || node === undefined) return node;
  if (isPair(node)) return { key: nodeData(node.key, ends), value: nodeData(node.value, ends) };
  const n = node as YamlNode & { flow?: boolean; minFractionDigits?: number };
  const data: { [key: string]: unknown } = {
    class: n.constructor.name, range: ends ? n.range : n.range?.slice(0, isScalar(n) ? 2 : 1), tag: n.tag, anchor: n.anchor, flow: n.flow,
  };
  if (isScalar(n)) Object.assign(data, { value: n.value, source: n.source, type: n.type, format: n.format, minFractionDigits: n.minFractionDigits });
  else if (isMap(n) || isSeq(n)) data.items = n.items.map((item) => nodeData(item, ends));
  return data;
}

/** Texts the fast path took with `exactRanges` (its nodes then equal the package's, all three range offsets). */
const exact = { taken: 0 };

/**
 * Whether the fast path took the text; if so, asserts it agrees with the full parser: the same
 * `yaml` nodes as the model reads them, and the same decoded output.
 */
function agrees(text: string): boolean {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return false;
  const full = parseDocument(text, MODEL_YAML_OPTIONS).contents;
  assert.deepEqual(nodeData(fast, false), nodeData(full, false), `fast path's nodes differ for ${JSON.stringify(text)}`);
  const exactNodes = parseSimpleYaml(text, { exactRanges: true });
  if (exactNodes !== undefined) {
    exact.taken++;
    assert.deepEqual(nodeData(exactNodes, true), nodeData(full, true), `fast path's exact ranges differ for ${JSON.stringify(text)}`);
    // Such a tree stands in for patch/redact.ts's own (strict) parse: that parse must find no error.
    assert.deepEqual(parseDocument(text, { uniqueKeys: false, keepSourceTokens: false }).errors, [], `strict errors in ${JSON.stringify(text)}`);
  }
  assert.equal(snapshot(text, true), snapshot(text, false), `fast path differs for ${JSON.stringify(text)}`);
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** A small deterministic generator (LCG). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

const repo = path.resolve(__dirname, '..', '..', '..');
const corpus = [
  ...yamlFiles(path.join(repo, 'test', 'fixtures')),
  ...yamlFiles(path.join(repo, 'examples')),
  ...yamlFiles(path.resolve(repo, '..', 'shared', 'conformance')),
].map((p) => readFileSync(p, 'utf8'));
corpus.push(generateEnvironment(60), generateRealisticEnvironment(120));

const INSERTS = [' ', '  ', '-', ':', '#', '[', ']', '{', '}', ',', "'", '"', '\n', 'a', '1', '- ', ': ', '\\', '|', '&', '*', '!', '?', 'é', '\t', '\r', '$'];

function mutate(text: string, rnd: (n: number) => number): string {
  const lines = text.split('\n');
  const line = rnd(lines.length);
  switch (rnd(6)) {
    case 0: lines.splice(line, 1); return lines.join('\n');
    case 1: lines[line] = ' '.repeat(1 + rnd(3)) + lines[line]; return lines.join('\n');
    case 2: lines[line] = lines[line].replace(/^ {1,2}/, ''); return lines.join('\n');
    case 3: return text.slice(0, rnd(text.length + 1));
    default: {
      const at = rnd(text.length + 1);
      const insert = INSERTS[rnd(INSERTS.length)];
      return text.slice(0, at) + insert + text.slice(at + rnd(2));
    }
  }
}

const VALUES = ['a', 'b1', 'fn::secret', '${x.y}', '-1', '0x1F', 'true', '~', 'null', '1.5e3', 'a b', 'a:b', 'a#b', 'x]', 'x,y',
  '[a]', '{a: b}', '[a, [b, c], {d: e}]', '{ k: "v", j: [1, 2] }', '"q"', "'s''t'", '"a b: c"', "''", '""', '"\\n"', '- x', '? x',
  ': x', '-x', 'a: b', '|', '>-', '&a x', '*a', '!!str x', '%x', '@x', '`x', 'x #c', 'x#c', '[a,]', '[a,,b]', '{a}', '{a: }',
  '{"a": b}', '{"a":b}', '[a: b]', '[ ]', '{}', '[]', 'a  ', '[a', '"a', "'a", 'x ]', '{a: b, c: [d]}'];
const KEYS = ['a', 'b', 'values', 'fn::join', 'k-1', '"q k"', "'s k'", 'a b', 'a#', '-k', '?k', ':k', 'k ', '"k"x', '[k]', 'k:x', '1'];

function generateDocument(rnd: (n: number) => number): string {
  const pick = <T>(items: T[]): T => items[rnd(items.length)];
  const lines: string[] = [];
  let indent = 0;
  for (let i = 0, n = 1 + rnd(12); i < n; i++) {
    indent = Math.max(0, indent + pick([0, 0, 0, 2, -2, -4, 1, -1, 4]));
    const sp = ' '.repeat(indent);
    const kind = rnd(10);
    if (kind === 0) lines.push(pick(['', '# c', `${sp}# c`, '   ']));

    else if (kind <= 2) lines.push(`${sp}-${pick(['', ' ', ` ${pick(VALUES)}`, ` ${pick(KEYS)}:${pick(['', ' ', ` ${pick(VALUES)}`])}`, ' - x'])}`);
    else lines.push(`${sp}${pick(KEYS)}:${pick(['', ' ', ` ${pick(VALUES)}`, ` ${pick(VALUES)} # c`, ' # c', pick(VALUES)])}`);
  }
  return lines.join('\n') + pick(['\n', '', '\n\n']);
}

const BLOCK_HEADERS = ['|', '|-', '>', '>-', '|+', '>+', '|2', '|-1', '| # c', '|  ', '>-  ', '|x'];

/**
 * A document with block scalars: each in a mapping, a sequence or a compact mapping in a
 * sequence, at some indentation, with content lines that are plain, look like comments, keys or
 * items, are more or less indented, empty or spaces only, then a following entry.
 */
function generateBlockScalarDocument(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const lines: string[] = [];
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
    const indent = pick([0, 0, 2, 4]);
    const sp = ' '.repeat(indent);
    if (indent > 0) lines.push(`${' '.repeat(indent - 2)}${pick(['outer:', '- outer:', '-'])}`);
    const [prefix, column] = pick([[`k${n}: `, indent], ['- ', indent], [`- k${n}: `, indent + 2]] as const);
    lines.push(`${sp}${prefix}${next() < 0.8 ? pick(BLOCK_HEADERS.slice(0, 4)) : pick(BLOCK_HEADERS)}`);
    const content = ' '.repeat(Math.max(0, column + pick([2, 2, 2, 4, 1, 0, -1])));
    for (let k = 0, m = Math.floor(next() * 6); k < m; k++) {
      lines.push(next() < 0.6 ? `${content}text ${k}` : pick([`${content}# not a comment`, '', `${content}  more`, `${content.slice(1)}less`, `${content}a: b`, `${content}- x`, '  ', `${content}x: |`]));
    }
    lines.push(pick([`${sp}${prefix.startsWith('-') ? '- next' : 'next: 1'}`, '', '# c', `${sp}# c`, 'top: 1']));
  }
  return lines.join('\n') + pick(['\n', '', '\n\n']);
}

describe('syntax: YAML fast path', function () {
  // Tens of thousands of parses, twice each: seconds on a loaded machine.
  this.timeout(120_000);

  it('takes environment-shaped documents, agreeing with the yaml package', () => {
    assert.ok(agrees(generateEnvironment(300)));
    assert.ok(agrees(generateRealisticEnvironment(600)));
    for (const text of ['a: |\n  x\n', 'a: |-\n  x\n\n  # y\n   z\n# c\nb: 1\n', '- >\n  p\n  q\n\n\n  r\n- >-\n  s\n', 'a:\n  - k: |\n      x\n    j: 1\n']) {
      assert.ok(agrees(text), JSON.stringify(text));
    }
    assert.ok(agrees('imports:\n  - a/b\n  - { c: d }\nvalues:\n  # note\n  x: 1 # one\n  "q": \'it\'\'s\'\n  list:\n  - a\n  - k: v\n    j:\n      - [1, {a: b}]\n  empty:\n'));
  });

  it('gives the package\'s exact nodes for a segment (indented, after its comments) and declines comment lines in a body', () => {
    // A segment of `values` cut at a child's leading comment starts indented (segments.ts).
    const segment = '  # about a\n  a:\n    port: 0x1F\n    ratio: 1.50\n    on: True\n    none: ~\n    list: [x , "y" , {k: v}]  # c\n    script: |\n      # text, not a comment\n      run\n\n';
    const before = exact.taken;
    assert.ok(agrees(segment));
    assert.equal(exact.taken, before + 1);
    for (const text of ['a:\n  b: 1\n  # c\nd: 2\n', 'a:\n  b: 1\n      # deeper\nd: 2\n', 'a: # c\nb: 1\n', 'a: 1\n# c\nb: 2\n']) {
      assert.notEqual(parseSimpleYaml(text), undefined, JSON.stringify(text));
      assert.equal(parseSimpleYaml(text, { exactRanges: true }), undefined, JSON.stringify(text));
    }
  });

  it('leaves everything else to the yaml package', () => {
    for (const text of ['', '# only a comment\n', 'a: |+\n  x\n', 'a: |2\n  x\n', 'a: | # c\n  x\n', 'a: |\n\n  x\n', 'a: >\n  x\n   y\n', 'a: |\n  x', 'a: |\n  x\n  \n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a:\tb\n', 'a: b\r\n', 'a: é\n',
      '---\na: 1\n', 'a: "x\\ty"\n', 'a: b\n  c\n', 'a: [b,\n  c]\n', '? a\n: b\n', 'a: b: c\n', '- a\nb: c\n', '  a: 1\nb: 2\n', 'a: [b,]\n']) {
      assert.equal(parseSimpleYaml(text), undefined, JSON.stringify(text));
    }
  });

  it('agrees with the yaml package on the corpus and 10,000 mutations of it', () => {
    const rnd = random(12345);
    let fast = 0;
    for (const text of corpus) if (agrees(text)) fast++;
    assert.ok(fast > corpus.length / 2, `fast path took ${fast} of ${corpus.length} corpus files`);
    let mutatedFast = 0;
    for (let i = 0; i < 10000; i++) {
      let text = corpus[rnd(corpus.length)];
      for (let m = 1 + rnd(3); m > 0; m--) text = mutate(text, rnd);
      if (agrees(text)) mutatedFast++;
    }
    assert.ok(mutatedFast > 1000, `fast path took only ${mutatedFast} mutated texts`);
    assert.ok(exact.taken > 2000, `fast path took only ${exact.taken} texts with exact ranges`);
  });

  it('agrees with the yaml package on 20,000 generated documents with block scalars', () => {
    const next = prng(2026);
    let fast = 0;
    for (let i = 0; i < 20000; i++) if (agrees(generateBlockScalarDocument(next))) fast++;
    assert.ok(fast > 1000, `fast path took only ${fast} generated documents with block scalars`);
  });

  it('agrees with the yaml package on 30,000 generated edge-case documents', () => {
    const rnd = random(7);
    let fast = 0;
    for (let i = 0; i < 30000; i++) if (agrees(generateDocument(rnd))) fast++;
    assert.ok(fast > 2000, `fast path took only ${fast} generated documents`);
  });
});
