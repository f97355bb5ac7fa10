import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import * as YAML from 'yaml';
import { environmentJsonSchema } from '../../shared/src/catalog/environmentSchema';
import { allProviders, allRotators } from '../../shared/src/catalog/index';

const EXAMPLES = path.resolve(__dirname, '../../../examples/environments');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

describe('esc-local schema: JSON Schema of the environment format, from the catalog', () => {
  // A standard validator in strict mode: the schema must be valid draft 2020-12 with no unknown keywords.
  const validate = new Ajv2020({ strict: true, allErrors: false }).compile(environmentJsonSchema());
  const check = (text: string): boolean => validate(YAML.parse(text) as unknown) as boolean;

  it('accepts every shipped example', () => {
    const files = yamlFiles(EXAMPLES);
    assert.ok(files.length >= 4);
    for (const file of files) assert.ok(validate(YAML.parse(fs.readFileSync(file, 'utf8')) as unknown), `${file}: ${JSON.stringify(validate.errors)}`);
  });

  it('accepts ESC constructs: imports with merge, interpolations for typed inputs, secrets, nested builtins, generic fn::open', () => {
    assert.ok(check('imports:\n  - base\n  - other: {merge: false}\nvalues:\n  a: ${b}\n'));
    assert.ok(check('values:\n  creds:\n    fn::open::aws-login:\n      oidc:\n        roleArn: ${role}\n        sessionName: x\n        duration: ${hours}\n'));
    assert.ok(check('values:\n  s:\n    fn::secret: hunter2\n  t:\n    fn::secret: {ciphertext: ZXNjeA==}\n  j:\n    fn::toJSON: {fn::join: [",", [a, b]]}\n'));
    assert.ok(check('values:\n  x:\n    fn::open:\n      provider: aws-login\n      inputs: {}\n'));
    assert.ok(check('values:\n  environmentVariables:\n    A: 1\n  files: {}\n'));
  });

  it('rejects what ESC rejects: unknown top-level keys, unknown builtins, providers and rotators, siblings of a builtin, bad secrets and inputs', () => {
    const bad = [
      'value:\n  a: 1\n', // misspelt top-level key
      'imports: base\n', // not a list
      'values:\n  a:\n    fn::jion: [",", [a]]\n', // unknown builtin
      'values:\n  a:\n    fn::open::aws-logn: {}\n', // unknown provider
      'values:\n  a:\n    fn::rotate::aws-iamm: {inputs: {}}\n', // unknown rotator
      'values:\n  a:\n    fn::secret: x\n    other: 1\n', // a builtin is alone in its mapping
      'values:\n  a:\n    fn::secret: 42\n', // a secret is a string or a ciphertext
      'values:\n  a:\n    fn::secret: {cipher: x}\n',
      'values:\n  a:\n    fn::rotate::password: {state: {}}\n', // inputs are required
      'values:\n  a:\n    fn::open:\n      provider: nope\n',
    ];
    for (const text of bad) assert.equal(check(text), false, `should be rejected:\n${text}`);
  });

  it('covers every provider and rotator of the catalog', () => {
    const text = JSON.stringify(environmentJsonSchema());
    for (const p of allProviders()) assert.ok(text.includes(`"fn::open::${p.name}"`), p.name);
    for (const r of allRotators()) assert.ok(text.includes(`"fn::rotate::${r.name}"`), r.name);
    assert.ok(!/"secret":|"rotateOnly":/.test(text), 'ESC-only keywords are removed');
  });
});
