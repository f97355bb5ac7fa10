/** ESC property paths: parsing (Pulumi's syntax) and printing (ESC's JoinKey). */
import * as assert from 'assert';
import { canonicalPath, formatPath, joinKey, mustQuoteKey, parsePath, PropertyPathError, samePath } from '../../shared/src/syntax/propertyPath';

describe('property paths', () => {
  it('print keys like ESC\'s JoinKey', () => {
    assert.strictEqual(joinKey('', 'foo'), 'foo');
    assert.strictEqual(joinKey('foo', ''), 'foo');
    assert.strictEqual(joinKey('foo', 'bar'), 'foo.bar');
    assert.strictEqual(joinKey('foo', 'bar.baz'), 'foo["bar.baz"]');
    assert.strictEqual(joinKey('foo', 'bar"baz'), 'foo["bar\\"baz"]');
    assert.strictEqual(joinKey('foo', 'bar"baz.qux\\quux'), 'foo["bar\\"baz.qux\\quux"]');
    assert.strictEqual(joinKey('foo', 'bar1'), 'foo.bar1');
    assert.strictEqual(joinKey('foo', '0bar'), 'foo["0bar"]');
    assert.strictEqual(joinKey('', 'fn::open::schema'), '["fn::open::schema"]');
    assert.ok(mustQuoteKey('é') && mustQuoteKey('a-b') && !mustQuoteKey('_A9'));
  });

  it('print whole paths as in ESC diagnostics', () => {
    assert.strictEqual(formatPath(['values', 'sink', 'fn::open::schema', 'boolean']), 'values.sink["fn::open::schema"].boolean');
    assert.strictEqual(formatPath(['values', 'builtins', 2, 'fn::join', 1, 0]), 'values.builtins[2]["fn::join"][1][0]');
    assert.strictEqual(formatPath([0, 'a']), '[0].a');
    assert.strictEqual(formatPath([]), '');
  });

  it('parse paths back to segments', () => {
    assert.deepStrictEqual(parsePath('values.a["fn::rotate::swap"].state'), ['values', 'a', 'fn::rotate::swap', 'state']);
    assert.deepStrictEqual(parsePath('a.b["c"][0]'), ['a', 'b', 'c', 0]);
    assert.deepStrictEqual(parsePath('["root key with \\"escaped\\" quotes"].nested'), ['root key with "escaped" quotes', 'nested']);
    assert.deepStrictEqual(parsePath('["a.b"][100]'), ['a.b', 100]);
    assert.deepStrictEqual(parsePath('root.array[*].field'), ['root', 'array', '*', 'field']);
    assert.deepStrictEqual(parsePath('clé.日本'), ['clé', '日本']);
    assert.deepStrictEqual(parsePath(''), []);
  });

  it('round-trip through print and parse', () => {
    const paths = [['values', 'x y', 'fn::rotate', 'state'], ['a', 0, 'b"c', 3], ['é', '9lives', '_ok']];
    for (const p of paths) assert.deepStrictEqual(parsePath(formatPath(p)), p);
    assert.strictEqual(canonicalPath('values["a"]["b"][0]'), 'values.a.b[0]');
    assert.ok(samePath(parsePath('a["b"]'), parsePath('a.b')));
    assert.ok(!samePath(parsePath('a[0]'), parsePath('a["0"]')));
  });

  it('report malformed paths with their position', () => {
    const fails = (text: string, re: RegExp, offset: number): void => {
      assert.throws(() => parsePath(text), (e: unknown) => e instanceof PropertyPathError && re.test(e.message) && e.offset === offset);
    };
    fails('a["b', /missing closing quote/, 1);
    fails('a["b"x', /missing closing bracket/, 5);
    fails('a[1', /missing closing bracket in array index/, 1);
    fails('a[x]', /invalid array index "x"/, 2);
    fails('a..b', /expected a property name/, 1);
    fails('a.', /expected a property name/, 1);
  });
});
