/** AST: environment declarations, expressions, builtins and interpolations with ESC's messages. */
import { strict as assert } from 'node:assert';
import { parseEnvironment } from '../../shared/src/ast/environment';
import type { Expr } from '../../shared/src/ast/expr';
import { propertyAccessString } from '../../shared/src/ast/property';

function parse(text: string): ReturnType<typeof parseEnvironment> {
  return parseEnvironment('t', text);
}

function value(text: string, key: string): Expr {
  const { decl } = parse(text);
  const entry = decl?.values.find((e) => e.key.value === key);
  assert.ok(entry, `no value ${key}`);
  return entry.value;
}

describe('ast: environment declarations', () => {
  it('reads a single-key map named like an Object.prototype member as an object, never as a builtin (it threw before)', () => {
    for (const key of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      const { decl, diagnostics } = parse(`values:\n  s:\n    ${key}: 1\n`);
      assert.deepEqual(diagnostics, [], key);
      assert.equal(decl?.values[0]?.value.kind, 'object', key);
    }
  });

  it('parses string and object imports, with merge: false', () => {
    const { decl, diagnostics } = parse('imports:\n  - a\n  - b: { merge: false }\nvalues: {}\n');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(decl?.imports.map((i) => [i.environment?.value, i.merge?.value]), [['a', undefined], ['b', false]]);
  });

  it('reports malformed imports and values with ESC messages and paths', () => {
    const cases: [string, string, string][] = [
      ['imports: a\n', 'imports must be a list', 'imports'],
      ['imports:\n  - [a]\n', 'import must be a string or an object', 'imports[0]'],
      ['imports:\n  - {a: {}, b: {}}\n', 'import must have a single key', 'imports[0]'],
      ['imports:\n  - a: {merge: maybe}\n', 'merge must be a boolean value', 'imports[0].a.merge'],
      ['values: [1]\n', 'values must be an object', 'values'],
      ['values:\n  fn::join: [a, b]\n', 'builtin function call "fn::join" not allowed at the top level', 'values["fn::join"]'],
    ];
    for (const [text, summary, path] of cases) {
      const { diagnostics } = parse(text);
      assert.deepEqual(diagnostics.map((d) => [d.summary, d.path]), [[summary, path]], text);
    }
  });

  it('warns about duplicate top-level keys and keeps the last', () => {
    const { decl, diagnostics } = parse('values:\n  a: 1\nvalues:\n  b: 2\n');
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.summary]), [[2, 'duplicate key "values"']]);
    assert.deepEqual(decl?.values.map((e) => e.key.value), ['b']);
  });

  it('has no declaration for malformed YAML, and an empty one for an empty file', () => {
    assert.equal(parse('values: [').decl, undefined);
    const empty = parse('');
    assert.deepEqual(empty.diagnostics, []);
    assert.deepEqual(empty.decl?.values, []);
  });
});

describe('ast: expressions', () => {
  it('distinguishes strings, symbols and interpolations; $$ escapes $', () => {
    assert.equal(value('values:\n  a: plain\n', 'a').kind, 'string');
    const sym = value('values:\n  a: ${b.c[0]["d e"]}\n', 'a');
    assert.equal(sym.kind, 'symbol');
    assert.equal(sym.kind === 'symbol' && propertyAccessString(sym.property), 'b.c[0]["d e"]');
    const interp = value('values:\n  a: x-${b}-$${c}\n', 'a');
    assert.equal(interp.kind, 'interpolate');
    assert.deepEqual(interp.kind === 'interpolate' && interp.parts.map((p) => [p.text, p.value && propertyAccessString(p.value)]),
      [['x-', 'b'], ['-${c}', undefined]]);
    const escaped = value('values:\n  a: cost $$5\n', 'a');
    assert.deepEqual(escaped.kind === 'string' && escaped.value, 'cost $5');
  });

  it('gives each accessor its source range', () => {
    const sym = value('values:\n  a: ${foo.bar[12]}\n', 'a');
    assert.equal(sym.kind, 'symbol');
    if (sym.kind !== 'symbol') return;
    const cols = sym.property.accessors.map((a) => `${a.range?.begin.column}-${a.range?.end.column}`);
    assert.deepEqual(cols, ['8-11', '11-15', '15-19']);
  });

  it('parses every builtin', () => {
    const text = [
      'values:',
      '  open: { fn::open: { provider: p, inputs: {} } }',
      '  short: { fn::open::p: {} }',
      '  rot: { fn::rotate::r: { inputs: {}, state: {} } }',
      '  secret: { fn::secret: s }',
      '  cipher: { fn::secret: { ciphertext: abc } }',
      '  join: { fn::join: [",", [a]] }',
      '  split: { fn::split: [",", "a,b"] }',
      '  concat: { fn::concat: [[1], [2]] }',
      '  tojson: { fn::toJSON: {a: 1} }',
      '  fromjson: { fn::fromJSON: "{}" }',
      '  tostring: { fn::toString: 1 }',
      '  tob64: { fn::toBase64: a }',
      '  fromb64: { fn::fromBase64: YQ== }',
      '  final: { fn::final: x }',
      '  validate: { fn::validate: { schema: { type: string }, value: x } }',
    ].join('\n');
    const { decl, diagnostics } = parse(text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(decl?.values.map((e) => e.value.kind), ['open', 'open', 'rotate', 'secret', 'secret', 'join', 'split', 'concat',
      'toJSON', 'fromJSON', 'toString', 'toBase64', 'fromBase64', 'final', 'validate']);
    const short = decl?.values[1].value;
    assert.equal(short?.kind === 'open' && short.provider?.value, 'p');
  });

  it('reports builtin misuse with ESC messages', () => {
    const cases: [string, string][] = [
      ['values:\n  a: { fn::join: x }\n', 'the argument to fn::join must be a two-valued list'],
      ['values:\n  a: { fn::secret: [x] }\n', 'secret values must be string literals'],
      ['values:\n  a: { fn::open: { inputs: {} } }\n', "missing provider name ('provider')"],
      ['values:\n  a: { fn::rotate::r: { inputs: {}, state: x } }\n', 'rotation state must be an object literal'],
      ['values:\n  a: { fn::unknown: x }\n', "'fn::' is a reserved prefix"],
      ['values:\n  a: { fn::join: [a, b], other: 1 }\n', 'illegal call to builtin function: "fn::join" must be the only key within its containing object'],
      ['values:\n  a: { "${x}": 1 }\n', 'object keys must be strings'],
      ['values:\n  a: ${foo.}\n', 'property name must not be empty'],
      ['values:\n  a: ${[0]}\n', 'the first accessor must be a property name or key subscript, not a numeric subscript'],
      ['values:\n  a: { fn::validate: { value: 1 } }\n', "missing required property 'schema'"],
    ];
    for (const [text, summary] of cases) {
      assert.deepEqual(parse(text).diagnostics.map((d) => d.summary), [summary], text);
    }
  });
});
