/** Completion of the language service, with cursor markers (‸) in fixture documents. */
import { strict as assert } from 'node:assert';
import { InsertTextFormat, type CompletionItem, type TextEdit } from 'vscode-languageserver-types';
import { envUri, memoryWorkspace } from './language-support';
import { positionAt } from './text-markers';

const BASE = 'values:\n  region: eu-west-1\n  app:\n    name: base-app\n    port: 8080\n';
const CREDS = 'values:\n  aws:\n    login:\n      fn::open::aws-login:\n        oidc:\n          roleArn: arn:aws:iam::1:role/x\n          sessionName: s\n';

function complete(source: string, others: Record<string, string> = {}): { items: CompletionItem[]; text: string } {
  const ws = memoryWorkspace({ ...others, 'app/dev': source }, ['app/dev']);
  const marked = ws.marked.get('app/dev')!;
  const list = ws.service.completion(envUri('app/dev'), positionAt(marked.text, marked.cursors[0]!));
  return { items: list.items, text: marked.text };
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label).sort();
}

function edit(item: CompletionItem | undefined): TextEdit {
  assert.ok(item, 'item exists');
  return item.textEdit as TextEdit;
}

describe('language service: completion', () => {
  it('offers `imports` and `values` at the top level', () => {
    const { items } = complete('‸');
    assert.deepEqual(labels(items), ['imports', 'values']);
  });

  it('offers builtins, providers and rotators after `fn::`, replacing the typed prefix', () => {
    const { items } = complete('values:\n  a:\n    fn::‸\n');
    const names = labels(items);
    for (const expected of ['fn::join', 'fn::secret', 'fn::toJSON', 'fn::open::aws-login', 'fn::rotate::aws-iam', 'fn::open::vault-secrets']) assert.ok(names.includes(expected), expected);
    const join = items.find((i) => i.label === 'fn::join');
    assert.deepEqual(edit(join).range, { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } });
    assert.equal(join!.insertTextFormat, InsertTextFormat.Snippet);
  });

  it('offers exactly the catalog providers after `fn::open::`', () => {
    const { items } = complete('values:\n  a:\n    fn::open::‸\n');
    assert.deepEqual(labels(items), [
      'fn::open::1password-secrets', 'fn::open::aws-login', 'fn::open::aws-parameter-store', 'fn::open::aws-secrets', 'fn::open::azure-login',
      'fn::open::azure-secrets', 'fn::open::doppler-secrets', 'fn::open::gcp-login', 'fn::open::gcp-secrets', 'fn::open::infisical-login',
      'fn::open::infisical-secrets', 'fn::open::pulumi-stacks', 'fn::open::vault-login', 'fn::open::vault-secrets',
    ]);
  });

  it('offers exactly the catalog rotators after `fn::rotate::`', () => {
    const { items } = complete('values:\n  a:\n    fn::rotate::‸\n');
    assert.deepEqual(labels(items), [
      'fn::rotate::aws-iam', 'fn::rotate::azure-app-secret', 'fn::rotate::external', 'fn::rotate::mysql', 'fn::rotate::passphrase',
      'fn::rotate::password', 'fn::rotate::postgres', 'fn::rotate::snowflake-user',
    ]);
  });

  it('inserts the whole fn::rotate::aws-iam block, re-indented for where it goes', () => {
    const { items } = complete('values:\n  iam:\n    fn::rotate::aws‸\n');
    const item = items.find((i) => i.label === 'fn::rotate::aws-iam');
    const e = edit(item);
    assert.deepEqual(e.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 19 } });
    assert.equal(item!.insertTextFormat, InsertTextFormat.Snippet);
    const lines = e.newText.split('\n');
    assert.equal(lines[0], 'fn::rotate::aws-iam:');
    assert.equal(lines[1], '      inputs:');
    assert.match(lines[2]!, /^ {8}region: /);
    assert.match(lines[3]!, /^ {8}login: \\\$\{\$\{2:environments\.credentials\.aws-creds\.aws\.login\}\}$/);
  });

  it('inserts the whole fn::open::aws-login block', () => {
    const { items } = complete('values:\n  creds:\n    fn::open::aws-l‸\n');
    const e = edit(items.find((i) => i.label === 'fn::open::aws-login'));
    assert.deepEqual(e.newText.split('\n').slice(0, 2), ['fn::open::aws-login:', '      oidc:']);
  });

  it('offers provider input names from the schema, required first, without those already present', () => {
    const { items } = complete('values:\n  creds:\n    fn::open::aws-login:\n      oidc:\n        roleArn: x\n        ‸\n');
    const inputs = items.filter((i) => !i.label.startsWith('fn::'));
    assert.deepEqual(labels(inputs), ['duration', 'policyArns', 'sessionName', 'subjectAttributes']);
    const session = inputs.find((i) => i.label === 'sessionName')!;
    assert.equal(session.detail, 'string (required)');
    assert.equal(edit(session).newText, 'sessionName: ');
    assert.deepEqual(edit(session).range, { start: { line: 5, character: 8 }, end: { line: 5, character: 8 } });
    assert.ok(session.sortText! < inputs.find((i) => i.label === 'duration')!.sortText!);
  });

  it('offers `inputs`/`state` under a rotator and its inputs under `inputs`', () => {
    assert.deepEqual(labels(complete('values:\n  p:\n    fn::rotate::password:\n      ‸\n').items), ['inputs', 'state']);
    const inputs = labels(complete('values:\n  p:\n    fn::rotate::password:\n      inputs:\n        ‸\n').items).filter((l) => !l.startsWith('fn::'));
    assert.deepEqual(inputs, ['length', 'lower', 'minLower', 'minSpecial', 'minUpper', 'overrideSpecial', 'special', 'upper']);
  });

  it('offers enum values of an input', () => {
    const { items } = complete('values:\n  p:\n    fn::rotate::password:\n      inputs:\n        special: ‸\n');
    assert.deepEqual(labels(items), ['false', 'true']);
    assert.deepEqual(edit(items[0]).range, { start: { line: 4, character: 17 }, end: { line: 4, character: 17 } });
  });

  it('offers provider names for the long form `provider:`', () => {
    const names = labels(complete('values:\n  a:\n    fn::open:\n      provider: aw‸\n').items);
    assert.ok(names.includes('aws-login') && names.includes('aws-secrets') && !names.includes('aws-iam'));
  });

  it('reads the long form `fn::open: {provider, inputs}` as the provider: input names and enum values', () => {
    const names = labels(complete('values:\n  a:\n    fn::open:\n      provider: aws-login\n      inputs:\n        ‸\n').items).filter((l) => !l.startsWith('fn::'));
    assert.deepEqual(names, ['oidc', 'static']);
    const below = labels(complete('values:\n  a:\n    fn::open:\n      inputs:\n        oidc:\n          ‸\n      provider: "aws-login"\n').items).filter((l) => !l.startsWith('fn::'));
    assert.deepEqual(below, ['duration', 'policyArns', 'roleArn', 'sessionName', 'subjectAttributes']);
    const { items } = complete('values:\n  a:\n    fn::open:\n      provider: infisical-secrets\n      inputs:\n        get:\n          k:\n            type: ‸\n');
    assert.deepEqual(labels(items), ['personal', 'shared']);
    assert.deepEqual(edit(items[0]).range, { start: { line: 7, character: 18 }, end: { line: 7, character: 18 } });
  });

  it('reads the long form `fn::rotate: {provider, inputs}` as the rotator', () => {
    const names = labels(complete('values:\n  p:\n    fn::rotate:\n      provider: password\n      inputs:\n        ‸\n').items).filter((l) => !l.startsWith('fn::'));
    assert.deepEqual(names, ['length', 'lower', 'minLower', 'minSpecial', 'minUpper', 'overrideSpecial', 'special', 'upper']);
    // Without a provider there is nothing to read the inputs from.
    assert.deepEqual(labels(complete('values:\n  p:\n    fn::rotate:\n      inputs:\n        ‸\n').items).filter((l) => !l.startsWith('fn::')), []);
  });

  it('completes inside one-line flow maps as in block style: input names, enum values, long-form import options', () => {
    const inputs = complete('values:\n  x: {fn::open::aws-login: {‸}}\n').items;
    assert.deepEqual(labels(inputs), ['oidc', 'static']); // no block-style builtin snippets in a flow map
    assert.deepEqual(edit(inputs[0]), { range: { start: { line: 1, character: 28 }, end: { line: 1, character: 28 } }, newText: 'oidc: ' });
    const rest = complete('values:\n  x:\n    fn::open::aws-login:\n      oidc: {roleArn: r, se‸}\n').items;
    assert.deepEqual(labels(rest), ['duration', 'policyArns', 'sessionName', 'subjectAttributes']);
    assert.deepEqual(edit(rest.find((i) => i.label === 'sessionName')).range, { start: { line: 3, character: 25 }, end: { line: 3, character: 27 } });
    assert.equal(edit(complete('values:\n  x:\n    fn::open::aws-login:\n      oidc: {‸: r}\n').items[0]).newText, 'roleArn');
    const enums = complete('values:\n  x:\n    fn::open::infisical-secrets:\n      get: {k: {type: p‸}}\n').items;
    assert.deepEqual(labels(enums), ['personal', 'shared']);
    assert.deepEqual(edit(enums[0]).range, { start: { line: 3, character: 22 }, end: { line: 3, character: 23 } });
    assert.deepEqual(labels(complete('values:\n  x:\n    fn::rotate::password:\n      inputs: {length: 10, special: ‸}\n').items), ['false', 'true']);
    assert.deepEqual(labels(complete('imports:\n  - base: {merge: ‸}\nvalues: {}\n', { base: BASE }).items), ['false', 'true']);
    assert.deepEqual(labels(complete('imports:\n  - base: {‸}\nvalues: {}\n', { base: BASE }).items), ['merge']);
    // Inside a quoted string, or after the map is closed: nothing.
    assert.deepEqual(complete('values:\n  x: {a: "{‸"}\n').items, []);
    assert.deepEqual(complete('values:\n  x: {a: 1} ‸\n').items, []);
  });

  it('completes local and imported top-level names inside ${...}', () => {
    const { items } = complete('imports:\n  - base\nvalues:\n  own: 1\n  x: ${‸}\n', { base: BASE });
    assert.deepEqual(labels(items), ['app', 'context', 'environments', 'own', 'region', 'x']);
    const region = items.find((i) => i.label === 'region')!;
    assert.equal(region.detail, 'base');
  });

  it('completes nested paths, merging the environment over its imports', () => {
    const { items } = complete('imports:\n  - base\nvalues:\n  app:\n    debug: true\n  x: ${app.n‸}\n', { base: BASE });
    assert.deepEqual(labels(items), ['debug', 'name', 'port']);
    assert.deepEqual(edit(items[0]).range, { start: { line: 5, character: 11 }, end: { line: 5, character: 12 } });
  });

  it('completes after a quoted key subscript, in a plain and in a double-quoted scalar (read through its escapes)', () => {
    const base = { base: 'values:\n  "my app":\n    name: n\n    port: 1\n' };
    assert.deepEqual(labels(complete('imports:\n  - base\nvalues:\n  x: ${["my app"].‸}\n', base).items), ['name', 'port']);
    assert.deepEqual(labels(complete('imports:\n  - base\nvalues:\n  x: "${[\\"my app\\"].‸}"\n', base).items), ['name', 'port']);
    const { items } = complete('imports:\n  - base\nvalues:\n  x: "${[\\"my app\\"].po‸"\n', base);
    assert.deepEqual(edit(items.find((i) => i.label === 'port')).range, { start: { line: 3, character: 21 }, end: { line: 3, character: 23 } });
  });

  it('completes `environments.<project>.<env>.` from the workspace files', () => {
    const others = { base: BASE, 'credentials/aws-creds': CREDS };
    assert.deepEqual(labels(complete('values:\n  x: ${environments.‸}\n', others).items), ['app', 'base', 'credentials']);
    assert.deepEqual(labels(complete('values:\n  x: ${environments.credentials.‸}\n', others).items), ['aws-creds']);
    assert.deepEqual(labels(complete('values:\n  x: ${environments.credentials.aws-creds.aws.‸}\n', others).items), ['login']);
  });

  it('completes provider outputs below a provider call', () => {
    const { items } = complete('imports:\n  - credentials/aws-creds\nvalues:\n  x: ${aws.login.‸}\n', { 'credentials/aws-creds': CREDS });
    assert.deepEqual(labels(items), ['accessKeyId', 'secretAccessKey', 'sessionToken']);
  });

  it('completes `context.*`', () => {
    assert.deepEqual(labels(complete('values:\n  x: ${context.‸}\n').items), ['currentEnvironment', 'pulumi', 'rootEnvironment']);
    assert.deepEqual(labels(complete('values:\n  x: ${context.pulumi.user.‸}\n').items), ['id']);
  });

  describe('environment names in flow-style and long-form imports', () => {
    const ENVS = { base: BASE, 'credentials/aws-creds': CREDS, other: 'values: {}\n' };
    const at = (source: string): { items: CompletionItem[]; text: string } => complete(source, ENVS);

    it('`imports: [base, ‸]`: the other environments, inserted at the cursor', () => {
      const { items } = at('imports: [base, ‸]\nvalues: {}\n');
      assert.deepEqual(labels(items), ['credentials/aws-creds', 'other']);
      assert.deepEqual(edit(items[0]).range, { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } });
    });

    it('`imports: [cre‸` (unclosed, being typed): replaces the typed prefix', () => {
      const { items } = at('imports: [cre‸\n');
      assert.deepEqual(labels(items), ['base', 'credentials/aws-creds', 'other']);
      assert.deepEqual(edit(items.find((i) => i.label === 'credentials/aws-creds')), { range: { start: { line: 0, character: 10 }, end: { line: 0, character: 13 } }, newText: 'credentials/aws-creds' });
    });

    it('a multi-line flow sequence, after a comment line', () => {
      const { items } = at('imports: [\n  base,\n  # next\n  ‸\n]\nvalues: {}\n');
      assert.deepEqual(labels(items), ['credentials/aws-creds', 'other']);
      assert.deepEqual(edit(items[0]).range, { start: { line: 3, character: 2 }, end: { line: 3, character: 2 } });
    });

    it('a quoted name in a flow sequence: replaces after the quote', () => {
      const { items } = at('imports: [base, "ot‸"]\n');
      assert.deepEqual(edit(items.find((i) => i.label === 'other')).range, { start: { line: 0, character: 17 }, end: { line: 0, character: 19 } });
    });

    it('the long form in a flow sequence: the name, then `merge`, then its values', () => {
      assert.deepEqual(labels(at('imports: [base, {‸: {merge: false}}]\n').items), ['credentials/aws-creds', 'other']);
      assert.deepEqual(labels(at('imports: [{base: {‸}}]\n').items), ['merge']);
      const values = at('imports: [{base: {merge: f‸}}]\n').items;
      assert.deepEqual(labels(values), ['false', 'true']);
      assert.deepEqual(edit(values[0]).range, { start: { line: 0, character: 25 }, end: { line: 0, character: 26 } });
    });

    it('nothing after the flow sequence is closed, nor in `values`', () => {
      assert.deepEqual(at('imports: [base] ‸\n').items, []);
      assert.ok(!labels(at('imports: [base]\nvalues:\n  a: ${‸}\n').items).includes('other'));
    });

    it('block long form `- name: {merge: false}`: the name being typed over is offered too', () => {
      const { items } = at('imports:\n  - base\n  - cre‸dentials/aws-creds: {merge: false}\nvalues: {}\n');
      assert.deepEqual(labels(items), ['credentials/aws-creds', 'other']);
      assert.deepEqual(edit(items[0]), { range: { start: { line: 2, character: 4 }, end: { line: 2, character: 7 } }, newText: 'credentials/aws-creds' });
    });

    it('block long form: `merge` below the name, then `false`/`true`', () => {
      assert.deepEqual(labels(at('imports:\n  - base:\n      ‸\nvalues: {}\n').items), ['merge']);
      assert.deepEqual(labels(at('imports:\n  - base:\n      merge: ‸\nvalues: {}\n').items), ['false', 'true']);
    });
  });

  it('completes environment names in `imports`, except itself and those already imported', () => {
    const { items } = complete('imports:\n  - base\n  - ‸\nvalues: {}\n', { base: BASE, 'credentials/aws-creds': CREDS, other: 'values: {}\n' });
    assert.deepEqual(labels(items), ['credentials/aws-creds', 'other']);
    assert.deepEqual(edit(items[0]).range, { start: { line: 2, character: 4 }, end: { line: 2, character: 4 } });
  });
});
