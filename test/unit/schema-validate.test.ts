/**
 * The schema module against the reference's own expectations: the messages of the corpus cases
 * `schema-error` (check and eval), `rotate-state`, `builtin-errs` and `builtin-split-errors`,
 * reproduced at the module level with the corpus's `schema` test provider's input schema.
 */
import * as assert from 'assert';
import type { Value } from '../../shared/src/value/value';
import type { Json, Schema } from '../../shared/src/schema/schema';
import {
  always, anyOf, array, boolean, issueSummary, map, never, nullType, number, object, oneOf, record, ref, string, tuple,
  validateSchema, validateValue, propertySchema, literalSchema, withDefs,
} from '../../shared/src/schema';
import type { SchemaIssue } from '../../shared/src/schema';
import { featureSchema } from '../conformance/providers';
import { obj, val } from './values';

/** An unknown value carrying the schema the evaluator would know for it. */
const unknownSchemas = new WeakMap<Value, Schema>();
function unknown(schema: Schema): Value {
  const v: Value = { value: null, unknown: true, trace: {} };
  unknownSchemas.set(v, schema);
  return v;
}
const checkOptions = { unknownSchema: (v: Value) => unknownSchemas.get(v) };

/** [path of the blamed value, summary] pairs. */
function render(issues: SchemaIssue[]): [string, string][] {
  return issues.map((i) => [i.path.slice(0, i.blame).join('/'), issueSummary(i)]);
}

/** The corpus README's `schema` provider: one property per JSON-schema feature. */
const schemaProvider: Schema = featureSchema();

/** `source` of the case: valid inputs for every property. */
const source: { [key: string]: Json } = {
  null: null, boolean: true, false: false, true: true, number: 42, pi: 3.14, string: 'esc', hello: 'hello',
  array: [2, 'items', { some: 'object' }, ['array']], tuple: ['hello', 'world'], map: { hello: 'world', blue: 42 },
  record: { foo: 'bar' }, anyOf: 'hello', oneOf: 42, ref: { baz: 'qux' }, 'const-array': ['hello', 42],
  'const-object': { hello: 'world' }, enum: 'foo', always: {}, double: ['hello', 42], triple: ['hello', 42, true],
  dependentReq: { foo: 'bar', bar: 42 }, multiple: 4, minimum: 1, exclusiveMinimum: 2, maximum: 1, exclusiveMaximum: 0,
  minLength: 'a', maxLength: 'a', pattern: 'foo42', minProperties: { foo: 'bar' }, maxProperties: { foo: 'bar' },
};

/** `sink` of the case: which source property each sink property receives (`minLength` is the literal ""). */
const sink: [string, string][] = [
  ['boolean', 'null'], ['string', 'array'], ['number', 'record'], ['record', 'always'], ['anyOf', 'false'],
  ['oneOf', 'false'], ['const-array', 'string'], ['const-object', 'string'], ['enum', 'string'], ['double', 'triple'],
  ['triple', 'double'], ['dependentReq', 'record'], ['multiple', 'pi'], ['minimum', 'exclusiveMaximum'],
  ['exclusiveMinimum', 'minimum'], ['maximum', 'exclusiveMinimum'], ['exclusiveMaximum', 'maximum'],
  ['maxLength', 'string'], ['pattern', 'string'], ['minItems', 'double'], ['maxItems', 'triple'],
  ['minProperties', 'always'], ['maxProperties', 'dependentReq'],
];

describe('schema validation (ESC messages)', () => {
  it('accepts the schema case (every feature satisfied), in eval mode', () => {
    assert.deepStrictEqual(render(validateValue(schemaProvider, val(source))), []);
  });

  it('accepts the schema case in check mode (every input unknown with the provider output schema)', () => {
    const props: { [key: string]: Value } = {};
    for (const k of Object.keys(source)) props[k] = unknown(propertySchema(schemaProvider, k));
    assert.deepStrictEqual(render(validateValue(schemaProvider, obj(props), checkOptions)), []);
  });

  it('reproduces schema-error evalDiags (each blamed at the offending input, in emission order)', () => {
    const props: { [key: string]: Value } = {};
    for (const [k, from] of sink) props[k] = val(source[from] as Json);
    props.minLength = val('');
    const got = render(validateValue(schemaProvider, obj(props)));
    assert.deepStrictEqual(got, [
      ['anyOf', 'expected string, got boolean'],
      ['anyOf', 'expected number, got boolean'],
      ['anyOf', 'at least one subschema must match'],
      ['boolean', 'expected boolean, got null'],
      ['const-array', 'expected ["hello",42]'],
      ['const-array', 'expected array, got string'],
      ['const-object', 'expected {"hello":"world"}'],
      ['const-object', 'expected object, got string'],
      ['dependentReq', 'missing required properties: bar'],
      ['enum', 'expected one of ["foo","bar"]'],
      ['exclusiveMaximum', 'expected a number less than 1'],
      ['exclusiveMinimum', 'expected a number greater than 1'],
      ['maxItems', 'expected an array with at most 2 items'],
      ['maxLength', 'expected a string of at most length 1'],
      ['maxProperties', 'expected an object with at most 1 properties'],
      ['maximum', 'expected a number less than or equal to1'],
      ['minItems', 'expected an array with at least 3 items'],
      ['minLength', 'expected a string of at least length 1'],
      ['minProperties', 'expected an object with at least 1 properties'],
      ['minimum', 'expected a number greater than or equal to 1'],
      ['multiple', 'expected a multiple of 2'],
      ['number', 'expected number, got object'],
      ['oneOf', 'expected string, got boolean'],
      ['oneOf', 'expected number, got boolean'],
      ['oneOf', 'exactly one subschema must match'],
      ['pattern', 'string must match the pattern "^foo[0-9]+$"'],
      ['record', 'missing required properties: foo'],
      ['string', 'expected string, got array'],
    ]);
  });

  it('reproduces schema-error checkDiags (unknown inputs checked through their schemas)', () => {
    const props: { [key: string]: Value } = {};
    for (const [k, from] of sink) props[k] = unknown(propertySchema(schemaProvider, from));
    props.minLength = val('');
    const got = render(validateValue(schemaProvider, obj(props), checkOptions));
    assert.deepStrictEqual(got, [
      ['anyOf', 'expected string, got boolean'],
      ['anyOf', 'expected number, got boolean'],
      ['anyOf', 'at least one subschema must match'],
      ['boolean', 'expected boolean, got null'],
      ['const-array', 'expected array, got string'],
      ['const-object', 'expected object, got string'],
      ['dependentReq', 'bar: missing required property'],
      ['minLength', 'expected a string of at least length 1'],
      ['number', 'expected number, got object'],
      ['oneOf', 'expected string, got boolean'],
      ['oneOf', 'expected number, got boolean'],
      ['oneOf', 'at least one subschema must match'],
      ['string', 'expected string, got array'],
    ]);
  });

  it('reproduces rotate-state: a state missing `current` against oneOf(state, null)', () => {
    const state = object({ properties: { current: string(), previous: string() }, required: ['current'] });
    const issues = validateValue(oneOf(state, nullType()), val({ previous: 'missing current!' }));
    assert.deepStrictEqual(render(issues), [
      ['', 'missing required properties: current'],
      ['', 'expected null, got object'],
      ['', 'exactly one subschema must match'],
    ]);
    assert.ok(issues.every((i) => i.severity === 1));
  });

  it('reproduces builtin-errs / builtin-split-errors: an array element of the wrong type is blamed itself', () => {
    const issues = validateValue(array(string()), val([42]));
    assert.deepStrictEqual(render(issues), [['0', 'expected string, got number']]);
    assert.strictEqual(issues[0]?.value?.value, 42);
    assert.deepStrictEqual(render(validateValue(tuple(string(), string()), val([123, 'string']))), [['0', 'expected string, got number']]);
  });

  it('reproduces the errors provider record: missing `why`', () => {
    assert.deepStrictEqual(render(validateValue(record({ why: string() }), val({}))), [['', 'missing required properties: why']]);
  });
});

describe('schema validation details', () => {
  it('resolves $ref through $defs, in values and in schemas', () => {
    assert.deepStrictEqual(render(validateValue(schemaProvider, val({ ref: { baz: 'nope' } }))), [['ref/baz', 'expected "qux"']]);
    assert.deepStrictEqual(render(validateSchema(literalSchema({ ref: { other: 1 } }), schemaProvider)), [['', 'ref.baz: missing required property']]);
  });

  it('reports a dangling $ref as an internal error instead of throwing', () => {
    const broken = object({ properties: { a: ref('missing') } });
    assert.deepStrictEqual(render(validateValue(broken, val({ a: 1 }))), [['', 'internal error: invalid schema: unknown subschema #/$defs/missing']]);
    assert.deepStrictEqual(render(validateValue({ $ref: 'http://x/y' }, val(1))), [
      ['', 'internal error: invalid schema: only fragment references of the form #/$defs/ref are supported'],
    ]);
  });

  it('reports a circular schema (e.g. from fn::validate) instead of recursing forever', () => {
    const loop = withDefs(ref('a'), { a: anyOf(ref('a')) });
    assert.deepStrictEqual(render(validateValue(loop, val(1))), [['', 'internal error: invalid schema: circular schema reference #/$defs/a']]);
    assert.deepStrictEqual(render(validateSchema(string(), loop)), [['', 'internal error: invalid schema: circular schema reference #/$defs/a']]);
  });

  it('validates recursive (tree) schemas, by value and against themselves', () => {
    const tree = withDefs(ref('node'), { node: object({ properties: { name: string(), children: array(ref('node')) }, required: ['name'] }) });
    const good = { name: 'a', children: [{ name: 'b', children: [] }] };
    assert.deepStrictEqual(render(validateValue(tree, val(good))), []);
    assert.deepStrictEqual(render(validateValue(tree, val({ name: 'a', children: [{ children: [] }] }))), [['children/0', 'missing required properties: name']]);
    assert.deepStrictEqual(render(validateSchema(tree, tree)), []);
    assert.deepStrictEqual(render(validateSchema(literalSchema(good), tree)), []);
  });

  it('reports an invalid pattern as an internal error', () => {
    const issues = validateValue(string({ pattern: '(' }), val('x'));
    assert.strictEqual(issues.length, 1);
    assert.match(issues[0]?.message ?? '', /^internal error: invalid schema: invalid pattern "\("/);
  });

  it('understands the RE2 syntax JavaScript lacks, and quotes the original pattern', () => {
    const ci = string({ pattern: '(?i)\\Afoo[[:digit:]]+\\z' });
    assert.deepStrictEqual(render(validateValue(ci, val('FOO12'))), []);
    assert.deepStrictEqual(render(validateValue(ci, val('FOO12\n'))), [['', 'string must match the pattern "(?i)\\\\Afoo[[:digit:]]+\\\\z"']]);
    assert.deepStrictEqual(render(validateValue(string({ pattern: '^\\pL+$' }), val('héllo'))), []);
    assert.deepStrictEqual(render(validateValue(string({ pattern: '^[[:^space:]]+$' }), val('a b'))).length, 1);
  });

  it('quotes patterns the way Go does', () => {
    assert.deepStrictEqual(render(validateValue(string({ pattern: '^\\d+"$' }), val('x'))), [['', 'string must match the pattern "^\\\\d+\\"$"']]);
  });

  it('renders enum and const constants with Go json.Marshal (sorted keys, HTML escaped)', () => {
    assert.deepStrictEqual(render(validateValue(string({ enum: ['<a>'] }), val('b'))), [['', 'expected "\\u003ca\\u003e"']]);
    assert.deepStrictEqual(render(validateValue({ const: { b: 1, a: [true, null] } }, val(1))), [['', 'expected {"a":[true,null],"b":1}']]);
    assert.deepStrictEqual(render(validateValue({ enum: [1, 'x', null] }, val(null))), []);
  });

  it('counts string length in UTF-8 bytes, as ESC (Go) does', () => {
    assert.deepStrictEqual(render(validateValue(string({ maxLength: 2 }), val('é'))), []);
    assert.deepStrictEqual(render(validateValue(string({ maxLength: 1 }), val('é'))), [['', 'expected a string of at most length 1']]);
  });

  it('accepts multiples despite binary floating point', () => {
    assert.deepStrictEqual(render(validateValue(number({ multipleOf: 0.1 }), val(0.3))), []);
    assert.deepStrictEqual(render(validateValue(number({ multipleOf: 0.1 }), val(0.35))), [['', 'expected a multiple of 0.1']]);
  });

  it('rejects silently where ESC does: a value against `false`', () => {
    assert.deepStrictEqual(render(validateValue(tuple(string()), val(['a', 'b']))), []);
    assert.deepStrictEqual(render(validateValue(never(), val(1))), []);
  });

  it('reports "exactly one subschema may match" when two oneOf branches match', () => {
    assert.deepStrictEqual(render(validateValue(oneOf(string(), string({ minLength: 1 })), val('x'))), [['', 'exactly one subschema may match']]);
  });

  it('blames nested values at their own definition and keeps deeper paths', () => {
    const s = record({ a: array(record({ b: number() })) });
    const issues = validateValue(s, val({ a: [{ b: 1 }, { b: 'x' }] }));
    assert.deepStrictEqual(render(issues), [['a/1/b', 'expected number, got string']]);
    assert.deepStrictEqual(issues[0]?.path, ['a', 1, 'b']);
  });

  it('prefixes paths below an unknown value in check mode (JoinKey syntax)', () => {
    const accept = record({ 'my key': record({ n: number() }), list: array(string()) });
    const actual = record({ 'my key': record({ n: string() }), list: array(number()) });
    const got = render(validateValue(accept, unknown(actual), checkOptions));
    assert.deepStrictEqual(got, [
      ['', 'list: expected string, got number'],
      ['', '["my key"].n: expected number, got string'],
    ]);
  });

  it('passes unknown values when their schema is not known', () => {
    assert.deepStrictEqual(render(validateValue(record({ a: number() }), obj({ a: unknown(true) }))), []);
    assert.deepStrictEqual(render(validateValue(record({ a: number() }), obj({ a: { value: null, unknown: true, trace: {} } }))), []);
  });

  it('checks secrecy only when asked', () => {
    const s = record({ token: string({ secret: true }) });
    assert.deepStrictEqual(render(validateValue(s, val({ token: 'x' }))), []);
    assert.deepStrictEqual(render(validateValue(s, val({ token: 'x' }), { requireSecrets: true })), [['token', 'expected secret']]);
    assert.deepStrictEqual(render(validateValue(s, obj({ token: val('x', true) }), { requireSecrets: true })), []);
  });

  it('survives hostile keys', () => {
    const v = obj(JSON.parse('{"__proto__": {"value": 1, "trace": {}}, "constructor": {"value": "x", "trace": {}}}') as { [key: string]: Value });
    assert.deepStrictEqual(render(validateValue(record({ constructor: number() }), v)), [['constructor', 'expected number, got string']]);
  });
});

describe('schema against schema (check mode)', () => {
  it('matches types and reports mismatches', () => {
    assert.deepStrictEqual(render(validateSchema(string(), number())), [['', 'expected number, got string']]);
    assert.deepStrictEqual(render(validateSchema(always(), number())), []);
    assert.deepStrictEqual(render(validateSchema(string(), always())), []);
  });

  it('checks tuples against arrays and records against required properties', () => {
    assert.deepStrictEqual(render(validateSchema(tuple(string(), number()), array(string()))), [['', '[1]: expected string, got number']]);
    assert.deepStrictEqual(render(validateSchema(record({ a: string() }), record({ a: string(), b: string() }))), [['', 'b: missing required property']]);
    assert.deepStrictEqual(render(validateSchema(map(number()), map(string()))), [['', 'expected string, got number']]);
  });

  it('requires one alternative of the actual schema to fit', () => {
    assert.deepStrictEqual(render(validateSchema(anyOf(string(), number()), string())), []);
    assert.deepStrictEqual(render(validateSchema(oneOf(boolean(), nullType()), string())), [
      ['', 'expected string, got boolean'],
      ['', 'expected string, got null'],
      ['', 'at least one subschema must match'],
    ]);
  });
});
