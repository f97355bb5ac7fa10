/** Diagnostics (document + check-mode evaluator) and code actions of the language service. */
import { strict as assert } from 'node:assert';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import type { EncryptSecretArgs } from '../../shared/src/language/codeActions';
import { documentDiagnostics } from '../../shared/src/language/diagnostics';
import { dependenciesOf } from '../../shared/src/language/environmentWorkspace';
import { parseEscDocument } from '../../shared/src/language/model';
import { envUri, memoryWorkspace } from './language-support';
import { rangeOf } from './text-markers';

function summary(d: Diagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.severity === 1 ? 'error' : 'warning'} ${String(d.code)} ${String(d.message)}`;
}

const checker = createCheckModeChecker({ pulumi: { user: { id: 'tester' } } });

async function diagnose(envs: Record<string, string>, name: string): Promise<{ list: Diagnostic[]; text: string; ranges: { start: number; end: number }[]; ws: ReturnType<typeof memoryWorkspace> }> {
  const ws = memoryWorkspace(envs, [name], checker);
  const m = ws.marked.get(name)!;
  return { list: await ws.service.diagnostics(envUri(name)), text: m.text, ranges: m.ranges, ws };
}

describe('language service: diagnostics', () => {
  it('reports missing imports, unknown names with "did you mean", unresolved paths and plaintext secrets, located', async () => {
    const { list, text, ranges } = await diagnose(
      {
        broken: [
          'imports:',
          '  - «does-not-exist»',
          'values:',
          '  key:',
          '    «fn::open::aws-logn»:',
          '      static: {}',
          '  missing: ${«nope».value}',
          '  joined:',
          '    «fn::joim»: [",", [a, b]]',
          '  password:',
          '    fn::secret: «hunter2»',
          '',
        ].join('\n'),
      },
      'broken',
    );
    const at = (i: number): string => {
      const r = rangeOf(text, ranges[i]!);
      return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    };
    assert.deepEqual(list.map(summary), [
      `${at(0)} error esc environment "does-not-exist" not found`,
      `${at(1)} error unknown-provider unknown provider "aws-logn"; did you mean "aws-login"?`,
      `${at(2)} error esc unknown property "nope"`,
      `${at(3)} error unknown-builtin unknown builtin function "fn::joim"; did you mean "fn::join"?`,
      `${at(4)} warning plaintext-secret plaintext secret: this value is stored unencrypted in the file; encrypt it`,
    ]);
  });

  it('suggests rotators too, and says nothing when no name is close', async () => {
    const { list } = await diagnose({ r: 'values:\n  p:\n    fn::rotate::pasword:\n      inputs: {}\n  q:\n    fn::open::nothing-like-it: {}\n' }, 'r');
    assert.deepEqual(list.map(summary), [
      '2:4-2:23 error unknown-rotator unknown rotator "pasword"; did you mean "password"?',
      '5:4-5:29 error unknown-provider unknown provider "nothing-like-it"',
    ]);
    assert.deepEqual(list[0]!.data, { replacement: 'fn::rotate::password' });
    assert.equal(list[1]!.data, undefined);
  });

  it('warns of a plaintext secret only for a string literal, not for an interpolation or a number', async () => {
    const { list, ws } = await diagnose(
      {
        i: [
          'values:',
          '  c: hunter2',
          '  interpolated:',
          '    fn::secret: ${c}',
          '  mixed:',
          '    fn::secret: pre-${c}',
          '  number:',
          '    fn::secret: 42',
          '  escaped:',
          '    fn::secret: $${c}',
          '',
        ].join('\n'),
      },
      'i',
    );
    assert.deepEqual(list.map(summary), [
      '3:16-3:20 error esc secret values must be string literals',
      '5:16-5:24 error esc secret values must be string literals',
      '7:16-7:18 error esc secret values must be string literals',
      '9:16-9:21 warning plaintext-secret plaintext secret: this value is stored unencrypted in the file; encrypt it',
    ]);
    // Nor is encryption offered (as a refactor) where there is no plaintext to encrypt.
    const interpolated = ws.service.codeActions(envUri('i'), { start: { line: 3, character: 17 }, end: { line: 3, character: 17 } }, []);
    assert.deepEqual(interpolated.filter((a) => a.title === 'Encrypt secret'), []);
    const escaped = ws.service.codeActions(envUri('i'), { start: { line: 9, character: 17 }, end: { line: 9, character: 17 } }, []);
    assert.equal(escaped.filter((a) => a.title === 'Encrypt secret').length, 1);
  });

  it("a document's own diagnostics find builtins spelled with escapes (its facts are derived lazily, by a text test first)", () => {
    // `builtins` skips deriving the facts when the text cannot hold a builtin; a double-quoted key
    // can spell `fn::` with escapes, so a backslash anywhere derives them.
    const cases: [string, number][] = [
      ['values:\n  a:\n    "fn\\x3a:secret": plain\n', 1],
      ['values:\n  a:\n    "\\u0066n::secret": plain\n', 1],
      ["values:\n  a:\n    'fn::secret': plain\n", 1],
      ['values:\n  a: {fn::secret: plain}\n', 1],
      ['values:\n  a:\n    fn: secret\n    b: "${x}"\n', 0],
    ];
    for (const [text, warnings] of cases) {
      const lazy = parseEscDocument('file:///e.yaml', 'e', text);
      const eager = parseEscDocument('file:///e.yaml', 'e', text);
      void eager.properties;
      assert.equal(documentDiagnostics(lazy).length, warnings, text);
      assert.deepEqual(documentDiagnostics(lazy), documentDiagnostics(eager), text);
      assert.deepEqual(lazy.builtins, eager.builtins, text);
    }
  });

  it('finds the environments a document refers to through `${environments…}`, escapes included', () => {
    const plain = parseEscDocument('file:///e.yaml', 'e', 'values:\n  a: ${environments.p.base.x}\n  b: x\n');
    assert.deepEqual([...dependenciesOf(plain)].sort(), ['p', 'p/base']);
    const escaped = parseEscDocument('file:///e.yaml', 'e', 'values:\n  a: "${\\x65nvironments.p.base.x}"\n');
    assert.deepEqual([...dependenciesOf(escaped)].sort(), ['p', 'p/base']);
    assert.deepEqual([...dependenciesOf(parseEscDocument('file:///e.yaml', 'e', 'imports:\n  - p/lib\nvalues:\n  a: ${lib.x}\n'))], ['p/lib']);
  });

  it('reports YAML syntax errors alone (there is nothing to evaluate)', async () => {
    const { list } = await diagnose({ d: 'values:\n  a: [1, 2\n  b: c\n' }, 'd');
    assert.deepEqual(list.map(summary), ['2:2-2:3 error yaml-syntax Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });

  it('reports provider input schema errors, invalid ciphertext and reference cycles', async () => {
    const { list } = await diagnose(
      {
        c: [
          'values:',
          '  k:',
          '    fn::open::aws-login:',
          '      static:',
          '        accessKeyId: 1',
          '  s:',
          '    fn::secret:',
          '      ciphertext: notbase64!!',
          '  cyc1: ${cyc2}',
          '  cyc2: ${cyc1}',
          '  p:',
          '    fn::rotate::password:',
          '      inputs:',
          '        length: "x"',
          '',
        ].join('\n'),
      },
      'c',
    );
    assert.deepEqual(list.map(summary), [
      '4:8-4:22 error esc missing required properties: secretAccessKey',
      '4:21-4:22 error esc expected string, got number',
      '6:4-7:29 error esc invalid ciphertext: illegal base64 data at input byte 9',
      '8:8-8:15 error esc cyclic reference to cyc1',
      '13:16-13:17 error esc expected number, got string',
    ]);
  });

  it('reports an import cycle on the import entry of each environment in it', async () => {
    const envs = { a: 'imports:\n  - b\nvalues:\n  x: 1\n', b: 'imports:\n  - a\nvalues:\n  y: 2\n' };
    assert.deepEqual((await diagnose(envs, 'a')).list.map(summary), ['1:4-1:5 error esc in imported environment "b": cyclic import of a']);
    assert.deepEqual((await diagnose(envs, 'b')).list.map(summary), ['1:4-1:5 error esc in imported environment "a": cyclic import of b']);
    assert.deepEqual((await diagnose({ self: 'imports:\n  - self\n' }, 'self')).list.map(summary), ['1:4-1:8 error esc cyclic import of self']);
  });

  it('reads imported environments from open documents before disk', async () => {
    const ws = memoryWorkspace({ base: 'values:\n  a: 1\n', app: 'imports:\n  - base\nvalues:\n  b: ${a}\n' }, ['app'], checker);
    assert.deepEqual(await ws.service.diagnostics(envUri('app')), []);
    ws.workspace.openDocument(envUri('base'), 'values:\n  renamed: 1\n', 2);
    assert.deepEqual((await ws.service.diagnostics(envUri('app'))).map(summary), ['3:7-3:8 error esc unknown property "a"']);
    ws.workspace.closeDocument(envUri('base'));
    assert.deepEqual(await ws.service.diagnostics(envUri('app')), []);
  });

  it('stops when cancelled', async () => {
    const ws = memoryWorkspace({ a: 'values:\n  x: 1\n' }, ['a'], checker);
    const controller = new AbortController();
    const pending = ws.service.diagnostics(envUri('a'), controller.signal);
    controller.abort();
    await assert.rejects(pending, /cancelled/);
  });
});

describe('language service: code actions', () => {
  it('offers `esc.encryptSecret` for a plaintext secret, with where the plaintext is (never the plaintext)', async () => {
    const { list, ws, text, ranges } = await diagnose({ s: 'values:\n  db:\n    password:\n      fn::secret: «hunter2»\n' }, 's');
    const actions = ws.service.codeActions(envUri('s'), list[0]!.range, list);
    const encrypt = actions.find((a) => a.title === 'Encrypt secret')!;
    assert.equal(encrypt.kind, 'quickfix');
    assert.equal(encrypt.command?.command, 'esc.encryptSecret');
    const args = encrypt.command!.arguments![0] as EncryptSecretArgs;
    assert.deepEqual(args, { uri: envUri('s'), version: 1, valueRange: rangeOf(text, ranges[0]!), path: 'values.db.password["fn::secret"]' });
    assert.ok(!JSON.stringify(actions).includes('hunter2'));
  });

  it('replaces a misspelt provider or builtin with the suggestion', async () => {
    const { list, ws } = await diagnose({ m: 'values:\n  k:\n    fn::open::aws-logn:\n      static: {accessKeyId: a, secretAccessKey: b}\n  j:\n    fn::joim: [",", [a]]\n' }, 'm');
    const titles = (d: Diagnostic): string[] => ws.service.codeActions(envUri('m'), d.range, [d]).filter((a) => a.edit).map((a) => a.title);
    const provider = list.find((d) => d.code === 'unknown-provider')!;
    assert.deepEqual(titles(provider), ['Replace with "fn::open::aws-login"']);
    const replace = ws.service.codeActions(envUri('m'), provider.range, [provider])[0]!;
    assert.deepEqual(replace.edit?.changes?.[envUri('m')], [{ range: { start: { line: 2, character: 4 }, end: { line: 2, character: 22 } }, newText: 'fn::open::aws-login' }]);
    assert.deepEqual(titles(list.find((d) => d.code === 'unknown-builtin')!).slice(0, 1), ['Replace with "fn::join"']);
  });

  it('replaces a misspelt property (reference or provider input) with the evaluator\'s suggestion', async () => {
    const { list, ws } = await diagnose({ p: 'values:\n  app:\n    name: x\n  u: ${app.nmae}\n  l:\n    fn::open::aws-login:\n      static:\n        accessKeyId: a\n        secretAccesKey: b\n' }, 'p');
    const fixes = list.flatMap((d) => ws.service.codeActions(envUri('p'), d.range, [d]).filter((a) => a.title.startsWith('Replace')).map((a) => `${a.title} ${JSON.stringify(a.edit?.changes?.[envUri('p')])}`));
    assert.deepEqual(fixes, [
      'Replace with "name" [{"range":{"start":{"line":3,"character":10},"end":{"line":3,"character":15}},"newText":".name"}]',
      'Replace with "secretAccessKey" [{"range":{"start":{"line":8,"character":8},"end":{"line":8,"character":22}},"newText":"secretAccessKey"}]',
    ]);
  });

  it('adds the missing required inputs of a provider and of a rotator', () => {
    const ws = memoryWorkspace(
      {
        r: [
          'values:',
          '  login:',
          '    fn::open::aws-login:',
          '      oidc:',
          '        duration: 1h',
          '  iam:',
          '    fn::rotate::aws-iam:',
          '      inputs:',
          '        region: us-west-2',
          '',
        ].join('\n'),
      },
      ['r'],
    );
    const edits = (line: number): TextEdit[] => {
      const actions: CodeAction[] = ws.service.codeActions(envUri('r'), { start: { line, character: 6 }, end: { line, character: 6 } }, []);
      const add = actions.find((a) => a.title.startsWith('Add missing required inputs'));
      assert.ok(add, `an add-inputs action at line ${line}`);
      return add.edit!.changes![envUri('r')]!;
    };
    assert.deepEqual(edits(3), [{ range: { start: { line: 4, character: 20 }, end: { line: 4, character: 20 } }, newText: '\n        roleArn: ""\n        sessionName: ""' }]);
    assert.deepEqual(edits(7), [{ range: { start: { line: 8, character: 25 }, end: { line: 8, character: 25 } }, newText: '\n        login: {}\n        userArn: ""' }]);
    const titles = ws.service.codeActions(envUri('r'), { start: { line: 7, character: 6 }, end: { line: 7, character: 6 } }, []).map((a) => a.title);
    assert.ok(titles.includes('Add missing required inputs of fn::rotate::aws-iam (login, userArn)'), titles.join('; '));
  });

  it('adds the missing required inputs of the long forms `fn::open`/`fn::rotate` {provider, inputs}', () => {
    const text = [
      'values:',
      '  login:',
      '    fn::open:',
      '      provider: aws-login',
      '      inputs:',
      '        oidc:',
      '          roleArn: r',
      '  iam:',
      '    fn::rotate:',
      '      provider: aws-iam',
      '      inputs:',
      '        userArn: arn:aws:iam::1:user/u',
      '',
    ].join('\n');
    const ws = memoryWorkspace({ r: text }, ['r']);
    const add = (line: number): CodeAction | undefined => ws.service.codeActions(envUri('r'), { start: { line, character: 6 }, end: { line, character: 6 } }, []).find((a) => a.title.startsWith('Add missing required inputs'));
    assert.deepEqual(add(3)?.edit?.changes?.[envUri('r')], [{ range: { start: { line: 6, character: 20 }, end: { line: 6, character: 20 } }, newText: '\n          sessionName: ""' }]);
    assert.equal(add(3)?.title, 'Add missing required inputs of fn::open (sessionName)');
    assert.deepEqual(add(9)?.edit?.changes?.[envUri('r')], [{ range: { start: { line: 11, character: 38 }, end: { line: 11, character: 38 } }, newText: '\n        login: {}' }]);
    // Without `provider:` there is no schema to read.
    const bare = memoryWorkspace({ r: 'values:\n  a:\n    fn::open:\n      inputs:\n        x: 1\n' }, ['r']);
    assert.equal(bare.service.codeActions(envUri('r'), { start: { line: 2, character: 6 }, end: { line: 2, character: 6 } }, []).filter((a) => a.title.startsWith('Add missing')).length, 0);
  });
});
