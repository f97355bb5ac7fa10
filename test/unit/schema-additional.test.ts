/**
 * `additionalProperties: false` in the schema validator. ESC's own validator fails silently on a
 * property its `Never` schema rejects (no diagnostic, in value and in schema validation), which
 * lets a misspelt provider input pass unreported; ours reports `unknown property "k"` at the
 * object holding the key, with the key and the allowed names in `unknownProperty`. Everything
 * else about `false` schemas (a tuple's extra items) stays as silent as in ESC.
 */
import { strict as assert } from 'node:assert';
import type { Value } from '../../shared/src/value/value';
import type { Schema } from '../../shared/src/schema/schema';
import {
  issueSummary, map, number, object, oneOf, record, ref, string, tuple, unknownPropertyMessage, validateSchema,
  validateValue, withDefs, type SchemaIssue,
} from '../../shared/src/schema';
import { val } from './values';

/** A closed record, as the catalog builds provider inputs: only these names, none required. */
function closed(properties: Record<string, Schema>, extra: Partial<Record<'required', string[]>> = {}): Schema {
  return object({ properties, additionalProperties: false, ...extra });
}

/** [blamed path, summary, unknown key, allowed names] of each issue. */
function render(issues: SchemaIssue[]): [string, string, string?, string[]?][] {
  return issues.map((i) => {
    const row: [string, string, string?, string[]?] = [i.path.slice(0, i.blame).join('/'), issueSummary(i)];
    if (i.unknownProperty !== undefined) row.push(i.unknownProperty.name, i.unknownProperty.known);
    return row;
  });
}

const password = closed({ length: number(), special: { type: 'boolean' }, upper: { type: 'boolean' } });

describe('schema: additionalProperties false, value validation (open)', () => {
  it('reports an extra property at the object holding it, naming it and the allowed names', () => {
    const value = val({ lenght: 10, special: true });
    const issues = validateValue(password, value);
    assert.deepEqual(render(issues), [['', 'unknown property "lenght"', 'lenght', ['length', 'special', 'upper']]]);
    const issue = issues[0]!;
    assert.equal(issue.severity, 1);
    assert.equal(issue.message, unknownPropertyMessage('lenght'));
    assert.deepEqual(issue.path, []);
    assert.equal(issue.value, value, 'blamed at the object, whose literal holds the key');
  });

  it('checks nothing else about the extra property, and still checks the declared ones', () => {
    const issues = validateValue(password, val({ lenght: 'ten', special: 'yes' }));
    assert.deepEqual(render(issues), [
      ['', 'unknown property "lenght"', 'lenght', ['length', 'special', 'upper']],
      ['special', 'expected boolean, got string'],
    ]);
  });

  it('reports each extra key once, in key order, before missing required properties', () => {
    const schema = closed({ host: string(), port: number() }, { required: ['host'] });
    assert.deepEqual(render(validateValue(schema, val({ prot: 5432, zzz: 1, hots: 'db' }))), [
      ['', 'unknown property "hots"', 'hots', ['host', 'port']],
      ['', 'unknown property "prot"', 'prot', ['host', 'port']],
      ['', 'unknown property "zzz"', 'zzz', ['host', 'port']],
      ['', 'missing required properties: host'],
    ]);
  });

  it('blames a nested object at its own definition', () => {
    const schema = closed({ login: closed({ account: string(), user: string() }) });
    const value = val({ login: { acount: 'a', user: 'u' } });
    const issues = validateValue(schema, value);
    assert.deepEqual(render(issues), [['login', 'unknown property "acount"', 'acount', ['account', 'user']]]);
    assert.equal(issues[0]!.value, (value.value as { [key: string]: Value }).login);
  });

  it('follows $ref to a closed record and array items', () => {
    const schema = withDefs(object({ properties: { users: { type: 'array', items: ref('user') } } }), { user: closed({ name: string() }) });
    assert.deepEqual(render(validateValue(schema, val({ users: [{ name: 'a' }, { nmae: 'b' }] }))), [
      ['users/1', 'unknown property "nmae"', 'nmae', ['name']],
    ]);
  });

  it('quotes the key as Go does', () => {
    assert.deepEqual(render(validateValue(closed({}), val({ 'a "b"\n': 1 }))), [['', 'unknown property "a \\"b\\"\\n"', 'a "b"\n', []]]);
  });

  it('accepts any extra key when additionalProperties is absent or true, and validates it against a schema', () => {
    const value = val({ length: 1, extra: 'x' });
    assert.deepEqual(validateValue(object({ properties: { length: number() } }), value), []);
    assert.deepEqual(validateValue(object({ properties: { length: number() }, additionalProperties: true }), value), []);
    assert.deepEqual(render(validateValue(object({ properties: { length: number() }, additionalProperties: number() }), value)), [
      ['extra', 'expected number, got string'],
    ]);
    assert.deepEqual(validateValue(map(string()), val({ a: 'x', b: 'y' })), []);
  });

  it('keeps a branch\'s unknown property out of a oneOf that another branch matches', () => {
    const schema = oneOf(closed({ oidc: string() }), closed({ static: string() }));
    assert.deepEqual(validateValue(schema, val({ static: 'x' })), []);
    assert.deepEqual(render(validateValue(schema, val({ statc: 'x' }))), [
      ['', 'unknown property "statc"', 'statc', ['oidc']],
      ['', 'unknown property "statc"', 'statc', ['static']],
      ['', 'exactly one subschema must match'],
    ]);
  });

  it('stays silent, as ESC, about other false schemas (a tuple\'s extra items)', () => {
    assert.deepEqual(validateValue(tuple(string()), val(['a', 'b'])), []);
  });
});

describe('schema: additionalProperties false, schema validation (check)', () => {
  it('reports a property of the actual schema that the accepting schema does not allow', () => {
    const actual = record({ lenght: number(), special: { type: 'boolean' } });
    const issues = validateSchema(actual, password);
    assert.deepEqual(render(issues), [['', 'unknown property "lenght"', 'lenght', ['length', 'special', 'upper']]]);
    assert.deepEqual(issues[0]!.path, []);
    assert.equal(issues[0]!.blame, 0);
  });

  it('writes the path to a nested object in front of the message (the blamed expression is not a literal)', () => {
    const accept = closed({ settings: closed({ length: number() }) });
    const actual = record({ settings: record({ lenght: number(), length: number() }) });
    const issues = validateSchema(actual, accept);
    assert.deepEqual(render(issues), [['', 'settings: unknown property "lenght"', 'lenght', ['length']]]);
    assert.deepEqual(issues[0]!.path, ['settings']);
  });

  it('accepts an actual schema whose properties are all declared, and open accepting schemas', () => {
    assert.deepEqual(validateSchema(record({ length: number() }), password), []);
    assert.deepEqual(validateSchema(record({ lenght: number() }), object({ properties: { length: number() } })), []);
  });
});
