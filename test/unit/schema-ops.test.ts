/** Schema builders, algebra (literal/value schemas, union, access, merge) and Go-compatible text. */
import * as assert from 'assert';
import type { Value } from '../../shared/src/value/value';
import type { ObjectSchema } from '../../shared/src/schema/schema';
import {
  accessSchema, always, anyOf, array, boolean, compareStrings, compileSchema, constant, goJson, goQuote, isSecretSchema,
  itemSchema, literalSchema, map, mergedSchema, never, number, object, oneOf, propertySchema, record, ref, resolveRef,
  rotateOnly, secret, SchemaCompileError, sortedKeys, string, tryCompileSchema, tuple, unionSchemas, valueSchema, withDefs,
  withSecret, nullType,
} from '../../shared/src/schema';

describe('schema builders', () => {
  it('build plain schema objects like ESC\'s builders', () => {
    assert.deepStrictEqual(string({ minLength: 1, description: 'd' }), { type: 'string', minLength: 1, description: 'd' });
    assert.deepStrictEqual(record({ b: number(), a: string() }), {
      type: 'object', properties: { b: { type: 'number' }, a: { type: 'string' } }, required: ['a', 'b'],
    });
    assert.deepStrictEqual(tuple(string(), boolean()), { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }], items: false });
    assert.deepStrictEqual(array(), { type: 'array' });
    assert.deepStrictEqual(array(string(), { maxItems: 2 }), { type: 'array', items: { type: 'string' }, maxItems: 2 });
    assert.deepStrictEqual(map(number()), { type: 'object', additionalProperties: { type: 'number' } });
    assert.deepStrictEqual(object({ minProperties: 1 }), { type: 'object', minProperties: 1 });
    assert.deepStrictEqual(anyOf(string(), number()), { anyOf: [{ type: 'string' }, { type: 'number' }] });
    assert.deepStrictEqual(oneOf(string()), { oneOf: [{ type: 'string' }] });
    assert.deepStrictEqual(ref('a b'), { $ref: '#/$defs/a%20b' });
    assert.deepStrictEqual(ref('#/$defs/x'), { $ref: '#/$defs/x' });
    assert.deepStrictEqual(constant([1, 'a']), { type: 'array', const: [1, 'a'] });
    assert.deepStrictEqual(constant(null), { type: 'null' });
    assert.deepStrictEqual(secret(string()), { type: 'string', secret: true });
    assert.deepStrictEqual(secret(always()), { secret: true });
    assert.strictEqual(secret(never()), false);
    assert.deepStrictEqual(rotateOnly(record({ next: string() }), 'next').rotateOnly, ['next']);
    assert.strictEqual(always(), true);
    assert.strictEqual(never(), false);
  });

  it('does not let extra keywords override the type', () => {
    assert.strictEqual(string({ type: 'number' } as never).type, 'string');
  });
});

describe('schema compile and $ref', () => {
  it('resolves #/$defs references, also when percent-encoded', () => {
    const root = withDefs(object({ properties: { a: ref('x y') } }), { 'x y': string() });
    compileSchema(root);
    assert.deepStrictEqual(resolveRef(root.properties?.a), { type: 'string' });
  });

  it('rejects other reference forms and dangling references with ESC\'s messages', () => {
    assert.throws(() => compileSchema({ $ref: '#/definitions/x' }), (e: unknown) => e instanceof SchemaCompileError && e.message === 'only fragment references of the form #/$defs/ref are supported');
    assert.throws(() => compileSchema({ $ref: '#/$defs/a/b', $defs: { a: true } }), /only fragment references/);
    assert.strictEqual(tryCompileSchema({ $ref: '#/$defs/nope' }), 'unknown subschema #/$defs/nope');
    assert.strictEqual(tryCompileSchema({ minLength: -1 }), 'minLength must be a non-negative integer');
    assert.strictEqual(tryCompileSchema({ maximum: Number.NaN }), 'maximum must be a number');
    assert.strictEqual(tryCompileSchema(string({ pattern: '^a+$' })), undefined);
    assert.strictEqual(resolveRef({ $ref: '#/$defs/nope' }), undefined);
  });

  it('rejects $ref/anyOf cycles that would never end', () => {
    assert.strictEqual(tryCompileSchema(withDefs(ref('a'), { a: ref('a') })), 'circular schema reference #/$defs/a');
    assert.match(tryCompileSchema(withDefs(ref('a'), { a: anyOf(string(), ref('b')), b: oneOf(ref('a')) })) ?? '', /^circular schema reference/);
    assert.strictEqual(resolveRef(withDefs(ref('a'), { a: ref('a') })), undefined);
  });

  it('handles recursive definitions', () => {
    const root = withDefs(ref('node'), { node: object({ properties: { next: ref('node') } }) });
    compileSchema(root);
    const node = resolveRef(root);
    assert.ok(typeof node === 'object');
    assert.strictEqual(resolveRef((node as { properties: { next: never } }).properties.next), node);
  });
});

describe('schema algebra', () => {
  it('gives literals ESC\'s schemas (const scalars, tuples, records)', () => {
    assert.deepStrictEqual(literalSchema(null), { type: 'null' });
    assert.deepStrictEqual(literalSchema('x'), { type: 'string', const: 'x' });
    assert.deepStrictEqual(literalSchema([1, true]), { type: 'array', prefixItems: [{ type: 'number', const: 1 }, { type: 'boolean', const: true }], items: false });
    assert.deepStrictEqual(literalSchema({ b: 1, a: 'x' }), {
      type: 'object', properties: { b: { type: 'number', const: 1 }, a: { type: 'string', const: 'x' } }, required: ['a', 'b'],
    });
  });

  it('gives values their schema, unknown parts through the callback', () => {
    const unknown: Value = { value: null, unknown: true, trace: {} };
    const v: Value = { value: { k: { value: 'x', trace: {} }, u: unknown }, trace: {} };
    assert.deepStrictEqual(valueSchema(v), { type: 'object', properties: { k: { type: 'string', const: 'x' }, u: true }, required: ['k', 'u'] });
    assert.deepStrictEqual(valueSchema(unknown, () => number()), { type: 'number' });
  });

  it('unions like ESC: drops never, collapses singletons', () => {
    assert.strictEqual(unionSchemas([]), false);
    assert.strictEqual(unionSchemas([false, undefined]), false);
    assert.deepStrictEqual(unionSchemas([false, string()]), { type: 'string' });
    assert.deepStrictEqual(unionSchemas([string(), true]), { oneOf: [{ type: 'string' }, true] });
  });

  it('accesses properties and items across alternatives and references', () => {
    const s = record({ a: string() });
    assert.deepStrictEqual(propertySchema(s, 'a'), { type: 'string' });
    assert.strictEqual(propertySchema(s, 'b'), false);
    assert.deepStrictEqual(propertySchema(map(number()), 'x'), { type: 'number' });
    assert.strictEqual(propertySchema(true, 'x'), false);
    assert.strictEqual(propertySchema(string(), 'x'), false);
    assert.deepStrictEqual(propertySchema(oneOf(record({ a: string() }), record({ a: number() })), 'a'), { oneOf: [{ type: 'string' }, { type: 'number' }] });
    assert.strictEqual(propertySchema(record({ constructor: string() }), 'toString'), false);
    const t = tuple(string(), number());
    assert.deepStrictEqual(itemSchema(t, 1), { type: 'number' });
    assert.strictEqual(itemSchema(t, 2), false);
    assert.deepStrictEqual(itemSchema(array(boolean()), 9), { type: 'boolean' });
    const root = withDefs(ref('r'), { r: record({ z: nullType() }) });
    compileSchema(root);
    assert.deepStrictEqual(propertySchema(root, 'z'), { type: 'null' });
  });

  it('checks accessors on unknown values with ESC\'s messages (invalid-access)', () => {
    assert.deepStrictEqual(accessSchema(true, 'x'), { ok: true, schema: true });
    assert.deepStrictEqual(accessSchema(string(), 'x'), { ok: false, message: 'receiver must be an array or an object' });
    assert.deepStrictEqual(accessSchema(anyOf(string()), 0), { ok: false, message: 'receiver must be an array or an object' });
    assert.deepStrictEqual(accessSchema(array(), 'x'), { ok: false, message: 'cannot access an array element using a property name' });
    assert.deepStrictEqual(accessSchema(array(), -1), { ok: false, message: 'array indices must not be negative' });
    assert.deepStrictEqual(accessSchema(tuple(string(), string(), string()), 3), { ok: false, message: 'array index 3 out-of-bounds for array of length 3' });
    assert.deepStrictEqual(accessSchema(array(string()), 30), { ok: true, schema: { type: 'string' } });
    assert.deepStrictEqual(accessSchema(record({ a: string() }), 0), { ok: false, message: 'cannot access an object property using an integer index' });
    assert.deepStrictEqual(accessSchema(record({ a: string() }), 'a'), { ok: true, schema: { type: 'string' } });
  });

  it('merges object schemas as JSON merge patch (imports)', () => {
    const base = record({ a: string(), nested: record({ x: number() }) });
    const top = record({ b: boolean(), nested: record({ y: string() }) });
    const merged = mergedSchema(base, top);
    assert.deepStrictEqual(merged, {
      type: 'object',
      properties: {
        a: { type: 'string' },
        nested: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'string' } }, required: ['x', 'y'] },
        b: { type: 'boolean' },
      },
      required: ['a', 'b', 'nested'],
    });
    assert.deepStrictEqual(mergedSchema(base, string()), { type: 'string' });
    assert.deepStrictEqual(mergedSchema(undefined, top), top);
    assert.deepStrictEqual((mergedSchema(map(number()), map(string())) as ObjectSchema).additionalProperties, true);
    assert.deepStrictEqual((mergedSchema(map(number()), record({})) as ObjectSchema).additionalProperties, { type: 'number' });
  });

  it('marks and detects secrets', () => {
    assert.deepStrictEqual(withSecret(string()), { type: 'string', secret: true });
    assert.ok(isSecretSchema(withSecret(true)));
    assert.ok(!isSecretSchema(string()));
    const root = withDefs(ref('s'), { s: secret(string()) });
    compileSchema(root);
    assert.ok(isSecretSchema(root));
  });
});

describe('Go-compatible text', () => {
  it('quotes like strconv.Quote', () => {
    assert.strictEqual(goQuote('^foo[0-9]+$'), '"^foo[0-9]+$"');
    assert.strictEqual(goQuote('a"b\\c\n\t\x07\x7f'), '"a\\"b\\\\c\\n\\t\\a\\x7f"');
    assert.strictEqual(goQuote('é日本🔑'), '"é日本🔑"');
    assert.strictEqual(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  });

  it('marshals like encoding/json', () => {
    assert.strictEqual(goJson(['hello', 42]), '["hello",42]');
    assert.strictEqual(goJson({ hello: 'world' }), '{"hello":"world"}');
    assert.strictEqual(goJson({ b: [null, false], a: 1.5 }), '{"a":1.5,"b":[null,false]}');
    assert.strictEqual(goJson('<&>\u2028"\\\n\u0001'), '"\\u003c\\u0026\\u003e\\u2028\\"\\\\\\n\\u0001"');
  });

  it('sorts strings by code point like Go', () => {
    assert.deepStrictEqual(['b', 'B', 'a', '\u{1F511}', '\uffff', '_'].sort(compareStrings), ['B', '_', 'a', 'b', '\uffff', '\u{1F511}']);
    assert.deepStrictEqual(sortedKeys({ z: 1, a: 2, Z: 3 }), ['Z', 'a', 'z']);
  });
});
