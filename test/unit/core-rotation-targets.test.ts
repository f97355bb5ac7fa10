/**
 * The rotation core's reading of `fn::rotate` targets and states (client/src/core/yamlstate.ts),
 * from the evaluator's document tree: short and long forms, nesting, quoted keys, repeated keys,
 * malformed YAML, and states as plain data (secrets in their YAML form, `__proto__` as data).
 */
import { strict as assert } from 'node:assert';
import { findRotationTargets, jsAt } from '../../client/src/core/yamlstate';
import { unrotatedValues } from '../../client/src/core/rotation/unrotated';

const DOC = `values:
  iam:
    fn::rotate::aws-iam:
      inputs: {user: u}
      state:
        current: {accessKeyId: AKIA1, secretAccessKey: {fn::secret: {ciphertext: ZXNj}}}
  list:
    - fn::rotate:
        provider: password
        inputs: {}
  "db pass":
    nested:
      fn::rotate::password:
        inputs: {}
  other:
    fn::open::aws-login: {}
`;

describe('core: rotation targets from the evaluator tree', () => {
  it('finds every fn::rotate under values, short and long form, in document order', () => {
    assert.deepStrictEqual(findRotationTargets(DOC), [
      { path: 'iam', stateDocPath: 'values.iam["fn::rotate::aws-iam"].state', rotator: 'aws-iam' },
      { path: 'list[0]', stateDocPath: 'values.list[0]["fn::rotate"].state', rotator: 'password' },
      { path: '["db pass"].nested', stateDocPath: 'values["db pass"].nested["fn::rotate::password"].state', rotator: 'password' },
    ]);
  });

  it('agrees with the never-rotated scan, which reads the same tree', () => {
    const never = unrotatedValues('t', () => DOC).map((u) => u.path);
    const targets = findRotationTargets(DOC).map((t) => `values${t.path.startsWith('[') ? '' : '.'}${t.path}`.replace(/^values\.?/, ''));
    assert.deepStrictEqual(never, targets.filter((p) => p !== 'iam'));
  });

  it('has no targets when the YAML is malformed, and reads a repeated key as its last entry', () => {
    assert.deepStrictEqual(findRotationTargets(`${DOC}  bad: [\n`), []);
    assert.deepStrictEqual(findRotationTargets('values:\n  a:\n    fn::rotate::password: {inputs: {}}\n  a: 1\n'), []);
    assert.deepStrictEqual(findRotationTargets('values:\n  a: 1\n  a:\n    fn::rotate::password: {inputs: {}}\n').map((t) => t.path), ['a']);
  });

  it('reads a state as plain data: secrets in their YAML form, __proto__ as an own key', () => {
    assert.deepStrictEqual(jsAt(DOC, 'values.iam["fn::rotate::aws-iam"].state'), {
      current: { accessKeyId: 'AKIA1', secretAccessKey: { 'fn::secret': { ciphertext: 'ZXNj' } } },
    });
    assert.strictEqual(jsAt(DOC, 'values.list[0]["fn::rotate"].state'), undefined);
    const proto = jsAt('values:\n  s:\n    __proto__: {polluted: true}\n', 'values.s') as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(proto), ['__proto__']);
    assert.strictEqual(Object.getPrototypeOf(proto), Object.prototype);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });
});
