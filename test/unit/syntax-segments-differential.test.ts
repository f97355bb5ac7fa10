/**
 * Differential test of the segmented parse (shared/src/syntax/segments.ts): after every edit of
 * a chain of random edits, the language model built from segments — re-using the previous
 * version's unchanged segments, as the workspace does — must equal the model of a whole-document
 * parse of the same text: every node's kind, value and span, the syntax errors, and what the
 * model derives (imports, properties, builtins, strings, interpolations, the path at offsets).
 * The texts hold block scalars, flow collections, comments, CRLF line ends, non-ASCII text,
 * anchors and aliases across entries, and the edits break the YAML as often as not. The same
 * holds for the evaluator's parse (syntax/yaml.ts), whose segments come from a cache shared by
 * every parse: its syntax nodes (ranges as ESC reports them) and diagnostics must equal those of
 * a whole parse.
 */
import { strict as assert } from 'node:assert';
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import { locate, parseEscDocument, type EscDocument } from '../../shared/src/language/model';
import { cutSegments, parseSegmented } from '../../shared/src/syntax/segments';
import { parseYaml } from '../../shared/src/syntax/yaml';
import { prng } from './prng';

const BASE = [
  '# an environment',
  'imports:',
  '  - base',
  '  - other: {merge: false}',
  'values:',
  '  # leading comment',
  '  a:',
  '    x: 1',
  '    y: ${b.z}',
  '  b:',
  '    z: "two ${a.x}"',
  '    list: [1, 2, {k: v}]',
  '  block: |',
  '    line one ${a.x}',
  '',
  '    line two',
  '  folded: >-',
  '    folded text',
  '  "quoted key": \'single\'',
  '  unicode: "日本語 ✓ ${a.y}"',
  '  c:',
  '    fn::open::aws-login:',
  '      static:',
  '        accessKeyId: id',
  '  # trailing comment',
  '  d:',
  '    fn::join: ["-", ["${a.x}", "${b.z}"]]',
  'other: 1',
  '',
].join('\n');

const ANCHORED = 'values:\n  a: &anchor\n    x: 1\n  b: *anchor\n  c: 2\n';

const PIECES = ['x', 'y', ' ', ':', ': ', '\n', '\n  ', '\n    k: v', '\n  e: 1', '"', "'", '[', ']', '{', '}', '#', '|', '-', '- ', '&a ', '*a', '\t', '\r\n', 'é', '${', '}', '\n---\n', '? ', '!!str '];

/** A node's [start, value end]: the model's spans. (The third, trailing-comment end is not part of the model.) */
const span = (node: { range?: [number, number, number] | null }): unknown => node.range?.slice(0, 2);

function dumpNode(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (isPair(node)) return { key: dumpNode(node.key), value: dumpNode(node.value) };
  if (isAlias(node)) return { alias: node.source, range: span(node) };
  if (isMap(node)) return { map: node.items.map(dumpNode), range: span(node), flow: node.flow ?? false };
  if (isSeq(node)) return { seq: node.items.map(dumpNode), range: span(node), flow: node.flow ?? false };
  if (isScalar(node)) return { scalar: node.value, type: node.type, tag: node.tag, range: span(node), anchor: node.anchor };
  return { other: String(node) };
}

function dump(doc: EscDocument): unknown {
  const offsets = [0, 5, 17, 40, 63, 90, 120, 150, 200, 260, 320, doc.text.length];
  return {
    tree: dumpNode(doc.yaml.contents),
    syntaxErrors: doc.syntaxErrors,
    imports: doc.imports,
    importsKeySpan: doc.importsKeySpan,
    valuesKeySpan: doc.valuesKeySpan,
    properties: doc.properties.map((p) => ({ ...p, value: dumpNode(p.value) })),
    builtins: doc.builtins.map((b) => ({ ...b, arg: dumpNode(b.arg) })),
    strings: doc.strings.map((s) => ({ ...s, node: undefined })),
    interpolations: doc.interpolations,
    located: offsets.map((o) => locate(doc, o).map((step) => ({ key: step.key, onKey: step.onKey, range: span(step.node) }))),
  };
}

function randomEdit(text: string, rnd: () => number): string {
  const at = Math.floor(rnd() * (text.length + 1));
  const kind = rnd();
  if (kind < 0.45) {
    const piece = PIECES[Math.floor(rnd() * PIECES.length)]!;
    return text.slice(0, at) + piece + text.slice(at);
  }
  if (kind < 0.8) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
  // A whole line removed or duplicated.
  const lines = text.split('\n');
  const line = Math.floor(rnd() * lines.length);
  if (kind < 0.9) lines.splice(line, 1);
  else lines.splice(line, 0, lines[line]!);
  return lines.join('\n');
}

/**
 * 25 seeded chains of 40 random edits from `base`, each version parsed with the previous one as
 * its basis and given to `onVersion` (its seed's generator, for the caller's own draws).
 */
function editChains(base: string, seedOf: (seed: number) => number, onVersion: (doc: EscDocument, step: number, rnd: () => number, context: string) => void): void {
  for (let seed = 1; seed <= 25; seed++) {
    const rnd = prng(seedOf(seed));
    let text = base;
    let previous: EscDocument | undefined;
    for (let step = 0; step < 40; step++) {
      text = randomEdit(text, rnd);
      // Broken states are undone now and then, as a user would, so chains stay mostly parseable.
      if (rnd() < 0.3 && parseEscDocument('u', 'e', text, 0, undefined, false).syntaxErrors.length > 0) text = base;
      const doc = parseEscDocument('u', 'e', text, step, previous);
      onVersion(doc, step, rnd, `seed ${seed}, step ${step}: ${JSON.stringify(text)}`);
      previous = doc;
    }
  }
}

/** The evaluator's parse as data (scalar-range functions sampled, not compared as functions). */
function escParse(text: string, fastPath: boolean): string {
  return JSON.stringify(parseYaml('env', text, { fastPath }), (key, value: unknown) => (key === 'scalarRange' && typeof value === 'function' ? (value as (a: number, b: number) => unknown)(0, 1) : value));
}

describe('segmented parse == whole-document parse', () => {
  it('cuts at top-level keys and at the children of a block `values`', () => {
    const cuts = cutSegments(BASE)!;
    assert.ok(cuts);
    assert.deepEqual(cuts.map((c) => c.kind), ['top', 'values', 'child', 'child', 'child', 'child', 'child', 'child', 'child', 'child', 'top']);
    assert.equal(cuts[0]!.start, 0, 'leading comments belong to the first segment');
    assert.equal(cuts.map((c) => BASE.slice(c.start, c.end)).join(''), BASE);
  });

  it('declines what it cannot prove local: anchors/aliases, document markers, tabs, a line without a key at entry level', () => {
    assert.equal(parseSegmented(ANCHORED), undefined);
    assert.equal(parseSegmented('values:\n  a: 1\n---\nvalues:\n  b: 2\n'), undefined);
    assert.equal(cutSegments('values:\n\ta: 1\n'), undefined);
    assert.equal(parseSegmented('values:\n  a: 1\n  fresh\n  b: 2\n'), undefined);
    assert.equal(parseSegmented('values:\n  a: [1,\n  b: 2]\n'), undefined);
    assert.ok(parseSegmented(BASE));
    assert.ok(parseSegmented(BASE.replace(/\n/g, '\r\n')));
  });

  it('parses a small first version whole, the next by segment, and then only the edited segment of a one-character edit, which moves with the text', () => {
    const opened = parseEscDocument('u', 'e', BASE, 0);
    assert.equal(opened.tree.segmented, undefined, 'a small first version: one yaml document');
    const large = BASE.replace('\nother: 1', `\n${Array.from({ length: 800 }, (_, i) => `  big${i}: value-${i}`).join('\n')}\nother: 1`);
    assert.ok(large.length > 16_000 && parseEscDocument('u', 'e', large, 0).tree.segmented, 'a large first version: by segment');
    const first = parseEscDocument('u', 'e', BASE, 1, opened);
    assert.ok(first.tree.segmented);
    assert.deepEqual(dump(first), dump(opened));
    const at = BASE.indexOf('x: 1') + 4;
    const edited = BASE.slice(0, at) + '2' + BASE.slice(at);
    const second = parseEscDocument('u', 'e', edited, 2, first);
    assert.equal(second.tree.segmented?.parsed, 1);
    assert.deepEqual(dump(second), dump(parseEscDocument('u', 'e', edited, 2, undefined, false)));
  });

  it('derives facts on first read: versions read only now and then (the next takes over segments whose facts were never derived) == whole', () => {
    const facts = (doc: EscDocument): unknown => {
      const { properties, builtins, strings, interpolations } = dump(doc) as { [key: string]: unknown };
      return { properties, builtins, strings, interpolations };
    };
    editChains(BASE, (seed) => seed * 104729, (doc, step, rnd, context) => {
      // Most versions are never asked: the next one takes over segments whose facts were never derived.
      if (rnd() < 0.25) assert.deepEqual(facts(doc), facts(parseEscDocument('u', 'e', doc.text, step, undefined, false)), context);
    });
  });

  for (const [name, base] of [['LF', BASE], ['CRLF', BASE.replace(/\n/g, '\r\n')], ['anchors', ANCHORED + BASE.slice(BASE.indexOf('  a:'))]] as const) {
    it(`random edits (${name}): 25 chains of 40 edits, segmented with re-use == whole`, () => {
      let segmentedVersions = 0;
      editChains(base, (seed) => seed * 7919 + name.length, (doc, step, _rnd, context) => {
        const whole = parseEscDocument('u', 'e', doc.text, step, undefined, false);
        if (doc.tree.segmented) segmentedVersions++;
        assert.deepEqual(dump(doc), dump(whole), context);
        assert.equal(escParse(doc.text, true), escParse(doc.text, false), `evaluator's parse, ${context}`);
      });
      if (name !== 'anchors') assert.ok(segmentedVersions > 100, `only ${segmentedVersions} versions were parsed by segment`);
    });
  }
});
