/** YAML → ESC syntax nodes: ranges as ESC reports them, scalar resolution, errors as diagnostics. */
import { strict as assert } from 'node:assert';
import type { ObjectNode, SyntaxNode } from '../../shared/src/syntax/nodes';
import { parseYaml } from '../../shared/src/syntax/yaml';

function root(text: string): ObjectNode {
  const parsed = parseYaml('t', text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.equal(parsed.root?.kind, 'object');
  return parsed.root as ObjectNode;
}

function get(node: SyntaxNode, ...path: (string | number)[]): SyntaxNode {
  let cur = node;
  for (const seg of path) {
    if (typeof seg === 'number') {
      assert.equal(cur.kind, 'array');
      cur = (cur as Extract<SyntaxNode, { kind: 'array' }>).elements[seg];
    } else {
      assert.equal(cur.kind, 'object');
      const entry = (cur as ObjectNode).entries.find((e) => e.key.kind === 'string' && e.key.value === seg);
      assert.ok(entry, `no key ${seg}`);
      cur = entry.value;
    }
  }
  return cur;
}

function span(n: SyntaxNode): string {
  return `${n.range.begin.line}:${n.range.begin.column}-${n.range.end.line}:${n.range.end.column}`;
}

describe('syntax: YAML nodes with ESC ranges', () => {
  it('places plain, quoted and literal scalars as ESC does', () => {
    const r = root('values:\n  a: hello\n  b: "quoted"\n  c: |\n    one\n    two\n');
    assert.equal(span(get(r, 'values', 'a')), '2:6-2:11');
    // ESC ends a quoted scalar at start + decoded length (the closing quote is not counted).
    assert.equal(span(get(r, 'values', 'b')), '3:6-3:12');
    // A literal block ends on its last line: start column + length of the text after the last newline.
    assert.equal(span(get(r, 'values', 'c')), '4:6-6:6');
  });

  it('ends mappings and sequences at their last child and paths use ESC syntax', () => {
    const r = root('values:\n  obj:\n    x: 1\n    "y-z": [1, two]\n');
    const obj = get(r, 'values', 'obj');
    assert.equal(span(obj), '3:5-4:19');
    const list = get(r, 'values', 'obj', 'y-z');
    assert.equal(list.path, 'values.obj["y-z"]');
    assert.equal(get(list, 1).path, 'values.obj["y-z"][1]');
    assert.equal(span(list), '4:12-4:19');
  });

  it('puts an empty value right after its indicator', () => {
    const r = root('imports:\n  - \nvalues:\n  a:\n');
    const item = get(r, 'imports', 0);
    assert.equal(item.kind, 'null');
    assert.equal(span(item), '2:4-2:4');
    assert.equal(span(get(r, 'values', 'a')), '4:5-4:5');
  });

  it('resolves plain scalars like yaml.v3', () => {
    const r = root('v:\n  a: 42\n  b: 0x1F\n  c: 3.5\n  d: true\n  e: ~\n  f: yes\n  g: "42"\n  h: 1_000\n  i: -.inf\n');
    const v = (k: string): SyntaxNode => get(r, 'v', k);
    assert.deepEqual([v('a').kind, (v('a') as { value: number }).value], ['number', 42]);
    assert.equal((v('b') as { value: number }).value, 31);
    assert.equal((v('c') as { value: number }).value, 3.5);
    assert.equal((v('d') as { value: boolean }).value, true);
    assert.equal(v('e').kind, 'null');
    assert.deepEqual([v('f').kind, (v('f') as { value: string }).value], ['string', 'yes']);
    assert.equal(v('g').kind, 'string');
    assert.equal((v('h') as { value: number }).value, 1000);
    assert.equal((v('i') as { value: number }).value, -Infinity);
  });

  it('resolves each scalar from its source text, not from the core schema the shared tree was parsed with', () => {
    // Whole (`---` is never cut) and by segment: the same values, yaml.v3's, either way.
    for (const head of ['', '---\n']) {
      const r = root(`${head}v:\n  a: 012\n  b: 0o17\n  c: 1e3\n  d: True\n  e: null\n  f: !!int abc\n  g: !!str 5\n  h: !!float 2\n  i: !!binary aGk=\n  j: '1.0'\n  k: 0x_1F\n  l: +1\n  m: NO\n  n: !!null x\n`);
      const v = (k: string): [string, unknown] => {
        const node = get(r, 'v', k);
        return [node.kind, 'value' in node ? node.value : null];
      };
      assert.deepEqual(v('a'), ['number', 10], head);
      assert.deepEqual(v('b'), ['number', 15]);
      assert.deepEqual(v('c'), ['number', 1000]);
      assert.deepEqual(v('d'), ['boolean', true]);
      assert.deepEqual(v('e'), ['null', null]);
      assert.deepEqual(v('f'), ['string', 'abc']);
      assert.deepEqual(v('g'), ['string', '5']);
      assert.deepEqual(v('h'), ['number', 2]);
      assert.deepEqual(v('i'), ['string', 'hi']);
      assert.deepEqual(v('j'), ['string', '1.0']);
      assert.deepEqual(v('k'), ['number', 31]);
      assert.deepEqual(v('l'), ['number', 1]);
      assert.deepEqual(v('m'), ['string', 'NO']);
      assert.deepEqual(v('n'), ['null', null]);
      assert.equal(span(get(r, 'v', 'g')), `${head ? 9 : 8}:6-${head ? 9 : 8}:13`, 'a tagged scalar ends after its tag and text');
    }
  });

  it('counts columns in characters on lines with non-ASCII text', () => {
    const r = root('values:\n  ключ: значение\n  "日本": x\n');
    const v = get(r, 'values', 'ключ');
    assert.equal(v.range.begin.column, 9);
    assert.equal(v.range.begin.byte, 8 + 2 + 8 + 2);
    assert.equal(get(r, 'values', '日本').path, 'values["日本"]');
  });

  it('maps substrings of single-line plain scalars to source ranges', () => {
    const r = root('values:\n  a: pre ${x.y} post\n');
    const node = get(r, 'values', 'a');
    assert.ok(node.scalarRange);
    const rng = node.scalarRange(4, 10);
    assert.equal(`${rng.begin.column}-${rng.end.column}`, '10-16');
    const quoted = get(root('values:\n  a: "pre ${x}"\n'), 'values', 'a');
    assert.equal(quoted.scalarRange, undefined);
  });

  it('reports malformed YAML as located diagnostics, never throwing', () => {
    const inputs = ['values:\n  a: [1, 2\n', 'values: {a: 1', 'a: b: c\n', '\t- x\n', 'values:\n  - a\n b: 1\n', '&a [*a]', '"unterminated'];
    for (const text of inputs) {
      const parsed = parseYaml('bad', text);
      assert.ok(parsed.diagnostics.length > 0, `no diagnostic for ${JSON.stringify(text)}`);
      for (const d of parsed.diagnostics) {
        assert.equal(d.severity, 1);
        assert.ok(d.range.begin.line >= 1, JSON.stringify(d));
        assert.match(d.summary, /^yaml: |alias nodes are not supported/);
      }
    }
    assert.equal(parseYaml('u', 'values:\n  some_unterminated_list: [hello, world\n').diagnostics[0].summary,
      "yaml: line 1: did not find expected ',' or ']'");
  });

  it('rejects aliases and non-string keys like ESC', () => {
    const aliased = parseYaml('t', 'values:\n  a: &x 1\n  b: *x\n');
    assert.deepEqual(aliased.diagnostics.map((d) => d.summary), ['alias nodes are not supported']);
    const keys = parseYaml('t', 'values:\n  1: one\n');
    assert.deepEqual(keys.diagnostics.map((d) => [d.summary, d.path]), [['mapping keys must be strings', 'values["1"]']]);
  });
});
