/**
 * Writing rotation states and ciphertexts into YAML text: bytes outside the replaced node stay
 * identical; styles, quoting, unicode, CRLF, multiple patches, new keys, large documents, errors.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import type { Encrypter, RotationPatch } from '../../shared/src/contract/plugins';
import type { Json } from '../../shared/src/schema/schema';
import { applyPatches, encryptPlaintextSecrets, listPlaintextSecrets, PatchError } from '../../shared/src/patch';
import { AesGcmCipher, decryptCiphertext, generateDataKey } from '../../shared/src/crypt';
import { decodeCiphertext } from '../../shared/src/syntax/envelope';
import { obj, val } from './values';

/** The corpus test cipher (+128 mod 256). */
const rot128: Encrypter = {
  async encrypt(b) {
    return b.map((x) => (x + 128) & 0xff);
  },
};

/** The span of `before` that differs from `after` (common prefix and suffix removed). */
function changedSpan(before: string, after: string): string {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  return before.slice(p, before.length - s);
}

function parse(text: string): unknown {
  const doc = YAML.parseDocument(text);
  assert.deepStrictEqual(doc.errors, []);
  return doc.toJS();
}

function stateOf(text: string, ...keys: (string | number)[]): unknown {
  let node: unknown = parse(text);
  for (const k of keys) node = (node as Record<string | number, unknown>)[k];
  return node;
}

const BLOCK = `# Environment for the payments service
values:
  creds:
    fn::rotate::swap:   # rotated weekly
      inputs: {}
      state:   # written by the rotator
        a: bar1   # first
        b: bar2
      # comment after the state, inside the call
  other: 'kept "as" is'   # quoted on purpose

# trailing comment
`;

describe('patch: applyPatches', () => {
  it('replaces a block state in place, keeping every other byte', async () => {
    const out = await applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement: val({ a: 'bar2', b: 'bar1' }) }]);
    assert.strictEqual(changedSpan(BLOCK, out), '1   # first\n        b: bar2');
    assert.deepStrictEqual(stateOf(out, 'values', 'creds', 'fn::rotate::swap', 'state'), { a: 'bar2', b: 'bar1' });
    assert.ok(out.includes('    fn::rotate::swap:   # rotated weekly\n'));
    assert.ok(out.includes('      state:   # written by the rotator\n        a: bar2\n        b: bar1\n      # comment after the state, inside the call\n'));
    assert.ok(out.endsWith("  other: 'kept \"as\" is'   # quoted on purpose\n\n# trailing comment\n"));
  });

  it('replaces a flow state with flow text', async () => {
    const src = 'values:\n  x: {fn::rotate::swap: {inputs: {}, state: {a: 1, b: 2}}}  # one line\n';
    const out = await applyPatches(src, [{ docPath: 'values.x["fn::rotate::swap"].state', replacement: val({ a: 'two', b: 'one' }) }]);
    assert.strictEqual(out, 'values:\n  x: {fn::rotate::swap: {inputs: {}, state: {a: two, b: one}}}  # one line\n');
  });

  it('creates a missing state key after the last entry (block) or before the brace (flow)', async () => {
    const src = 'values:\n  b:\n    fn::rotate::echo:\n      inputs:\n        next: x   # next value\n  after: 1\n  f: {fn::rotate::echo: {inputs: {next: y}}}\n';
    const out = await applyPatches(src, [
      { docPath: 'values.b["fn::rotate::echo"].state', replacement: val({ current: 'x' }) },
      { docPath: 'values.f["fn::rotate::echo"].state', replacement: val({ current: 'y' }) },
    ]);
    assert.strictEqual(
      out,
      'values:\n  b:\n    fn::rotate::echo:\n      inputs:\n        next: x   # next value\n      state:\n        current: x\n  after: 1\n  f: {fn::rotate::echo: {inputs: {next: y}, state: {current: y}}}\n',
    );
  });

  it('keeps a JSON-style document JSON', async () => {
    const src = '{\n  "values": {\n    "a": {"fn::rotate::swap": {"inputs": {}}},\n    "b": {"fn::rotate::swap": {"inputs": {}, "state": {"x": 1}}}\n  }\n}\n';
    const out = await applyPatches(src, [
      { docPath: 'values.a["fn::rotate::swap"].state', replacement: val({ k: 'v', n: [1, null] }) },
      { docPath: 'values.b["fn::rotate::swap"].state', replacement: val({ x: 2 }) },
    ]);
    assert.strictEqual(out, '{\n  "values": {\n    "a": {"fn::rotate::swap": {"inputs": {}, "state": {"k": "v", "n": [1, null]}}},\n    "b": {"fn::rotate::swap": {"inputs": {}, "state": {"x": 2}}}\n  }\n}\n');
    assert.deepStrictEqual(JSON.parse(out), { values: { a: { 'fn::rotate::swap': { inputs: {}, state: { k: 'v', n: [1, null] } } }, b: { 'fn::rotate::swap': { inputs: {}, state: { x: 2 } } } } });
  });

  it('writes a block under a scalar state, keeping the comment on the key line', async () => {
    const src = 'values:\n  r:\n    fn::rotate::swap:\n      inputs: {}\n      state: null   # not rotated yet\n  z: 1\n';
    const out = await applyPatches(src, [{ docPath: 'values.r["fn::rotate::swap"].state', replacement: val({ a: 'x', b: 'y' }) }]);
    assert.strictEqual(out, 'values:\n  r:\n    fn::rotate::swap:\n      inputs: {}\n      state: # not rotated yet\n        a: x\n        b: y\n  z: 1\n');
  });

  it('fills an empty state value', async () => {
    const src = 'values:\n  r:\n    fn::rotate::swap:\n      inputs: {}\n      state:\n  z: 1\n';
    const out = await applyPatches(src, [{ docPath: 'values.r["fn::rotate::swap"].state', replacement: val({ a: 'x' }) }]);
    assert.strictEqual(out, 'values:\n  r:\n    fn::rotate::swap:\n      inputs: {}\n      state:\n        a: x\n  z: 1\n');
  });

  it('encrypts secret leaves (and everything in a secret object) and never writes their plaintext', async () => {
    const replacement = obj({ user: val('admin'), password: val('hunter2', true), nested: obj({ k: val('s3cr3t'), n: val(1234) }, true) });
    const out = await applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement }], rot128);
    assert.ok(!out.includes('hunter2') && !out.includes('s3cr3t'));
    const state = stateOf(out, 'values', 'creds', 'fn::rotate::swap', 'state') as Record<string, unknown>;
    assert.strictEqual(state.user, 'admin');
    assert.deepStrictEqual(state.password, { 'fn::secret': { ciphertext: 'ZXNjeAAAAAHo9e705fKyKo30VQ==' } });
    const nested = state.nested as Record<string, { 'fn::secret': { ciphertext: string } }>;
    const decrypt = (c: string): string => new TextDecoder().decode(decodeCiphertext(c).map((x) => (x + 128) & 0xff));
    assert.strictEqual(decrypt(nested.k?.['fn::secret'].ciphertext ?? ''), 's3cr3t');
    // A non-string secret is written as its JSON text (fn::secret only takes strings).
    assert.strictEqual(decrypt(nested.n?.['fn::secret'].ciphertext ?? ''), '1234');
  });

  it('round-trips secrets through the AES-GCM cipher', async () => {
    const cipher = new AesGcmCipher(generateDataKey());
    const out = await applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement: obj({ a: val('pässwörd', true) }) }], cipher);
    const state = stateOf(out, 'values', 'creds', 'fn::rotate::swap', 'state') as { a: { 'fn::secret': { ciphertext: string } } };
    assert.strictEqual(await decryptCiphertext(cipher, state.a['fn::secret'].ciphertext), 'pässwörd');
  });

  it('refuses a secret without an encrypter, without quoting it', async () => {
    await assert.rejects(
      applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement: obj({ a: val('hunter2', true) }) }]),
      (e: unknown) => e instanceof PatchError && /the replacement's a: it is secret and no encrypter was given/.test(e.message) && !e.message.includes('hunter2'),
    );
  });

  it('quotes tricky strings so they read back identically', async () => {
    const tricky: Json = {
      t: 'true', n: '123', z: '', s: ' lead', tr: 'trail ', c: 'a: b', h: '#x', q: "it's \"q\"", nl: 'multi\nline\n', tab: 'a\tb',
      dash: '- x', star: '*ref', amp: '&a', brace: '{x}', at: '@x', tick: '`x', pct: '%x', null: 'null', tilde: '~', y: 'yes',
      date: '2024-01-01', hex: '0x1F', exp: '1e3', ctl: '\u0001', emoji: '🔑', bs: 'C:\\dir',
    };
    const src = 'values:\n  k:\n    fn::rotate::swap:\n      inputs: {}\n      state: {}\n';
    const out = await applyPatches(src, [{ docPath: 'values.k["fn::rotate::swap"].state', replacement: val(tricky) }]);
    assert.deepStrictEqual(stateOf(out, 'values', 'k', 'fn::rotate::swap', 'state'), tricky);
    const block = await applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement: val(tricky) }]);
    assert.deepStrictEqual(stateOf(block, 'values', 'creds', 'fn::rotate::swap', 'state'), tricky);
  });

  it('handles unicode and quoted keys on the path and in the replacement', async () => {
    const src = 'values:\n  "clé ü":\n    "fn::rotate::swap":\n      inputs: {}\n      state:\n        a: 1\n  日本: 2 # unicode\n';
    const out = await applyPatches(src, [{ docPath: 'values["clé ü"]["fn::rotate::swap"].state', replacement: val({ 'ключ': 'значение', 'a b': 'c"d', 'fn::x': 'y' }) }]);
    assert.deepStrictEqual(stateOf(out, 'values', 'clé ü', 'fn::rotate::swap', 'state'), { 'ключ': 'значение', 'a b': 'c"d', 'fn::x': 'y' });
    assert.ok(out.endsWith('  日本: 2 # unicode\n'));
    assert.strictEqual(changedSpan(src, out).includes('日本'), false);
  });

  it('applies several patches, including into sequences, with the document indentation', async () => {
    const src = [
      'values:',
      '    list:',
      '        - fn::rotate::swap:',
      '              inputs: {}',
      '              state: {a: 1}',
      '        - fn::rotate::swap:',
      '              inputs: {}',
      '    tail: x',
      '',
    ].join('\n');
    const out = await applyPatches(src, [
      { docPath: 'values.list[0]["fn::rotate::swap"].state', replacement: val({ a: 2 }) },
      { docPath: 'values.list[1]["fn::rotate::swap"].state', replacement: val({ a: 3, b: [1, 2] }) },
    ]);
    assert.strictEqual(
      out,
      [
        'values:',
        '    list:',
        '        - fn::rotate::swap:',
        '              inputs: {}',
        '              state: {a: 2}',
        '        - fn::rotate::swap:',
        '              inputs: {}',
        '              state:',
        '                  a: 3',
        '                  b:',
        '                      - 1',
        '                      - 2',
        '    tail: x',
        '',
      ].join('\n'),
    );
  });

  it('keeps CRLF line endings', async () => {
    const src = 'values:\r\n  c:\r\n    fn::rotate::swap:\r\n      inputs: {}\r\n      state:\r\n        a: 1\r\n  d: 2\r\n';
    const out = await applyPatches(src, [{ docPath: 'values.c["fn::rotate::swap"].state', replacement: val({ a: 'x', b: 'y' }) }]);
    assert.strictEqual(out, 'values:\r\n  c:\r\n    fn::rotate::swap:\r\n      inputs: {}\r\n      state:\r\n        a: x\r\n        b: y\r\n  d: 2\r\n');
  });

  it('patches a large document quickly, touching only the state', async function () {
    // Generous bound: catches quadratic behaviour, not machine load (unloaded it takes ~0.3 s).
    this.timeout(60000);
    const lines = ['# big', 'values:'];
    for (let i = 0; i < 2500; i++) lines.push(`  key${i}: value ${i}   # comment ${i}`, `  list${i}: [${i}, "${i}"]`);
    lines.push('  rotated:', '    fn::rotate::swap:', '      inputs: {}', '      state:', '        a: old', '  last: true', '');
    const src = lines.join('\n');
    const started = Date.now();
    const out = await applyPatches(src, [{ docPath: 'values.rotated["fn::rotate::swap"].state', replacement: val({ a: 'new' }) }]);
    assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`);
    assert.strictEqual(changedSpan(src, out), 'old');
  });

  it('applies the corpus rotate case patches to its env.yaml', async function () {
    const dir = path.join(__dirname, '..', '..', '..', '..', 'shared', 'conformance', 'eval', 'rotate');
    if (!fs.existsSync(dir)) this.skip();
    const src = fs.readFileSync(path.join(dir, 'env.yaml'), 'utf8');
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { rotatePatches: { DocPath: string; Replacement: { value: { [k: string]: { value: string } } } }[] };
    const patches: RotationPatch[] = expected.rotatePatches.map((p) => ({
      docPath: p.DocPath,
      replacement: obj(Object.fromEntries(Object.entries(p.Replacement.value).map(([k, v]) => [k, val(v.value)]))),
    }));
    const out = await applyPatches(src, patches);
    assert.deepStrictEqual(stateOf(out, 'values', 'full', 'fn::rotate', 'state'), { a: 'bar2', b: 'bar1' });
    assert.deepStrictEqual(stateOf(out, 'values', 'short', 'fn::rotate::swap', 'state'), { a: 'bar2', b: 'bar1' });
    assert.strictEqual(out.split('\n').length, src.split('\n').length);
  });

  it('reports errors clearly and changes nothing', async () => {
    const rejects = (p: Promise<unknown>, re: RegExp): Promise<void> => assert.rejects(p, (e: unknown) => e instanceof PatchError && re.test(e.message));
    await rejects(applyPatches(BLOCK, [{ docPath: 'values.nope["fn::rotate::swap"].state', replacement: val({}) }]), /values\.nope\["fn::rotate::swap"\]\.state not found: values has no key "nope"/);
    await rejects(applyPatches(BLOCK, [{ docPath: 'values.other.state', replacement: val({}) }]), /values\.other is not a mapping/);
    await rejects(applyPatches(BLOCK, [{ docPath: 'values["unterminated', replacement: val({}) }]), /invalid document path/);
    await rejects(applyPatches('values:\n  a: [1\n', [{ docPath: 'values.a', replacement: val(1) }]), /not valid YAML at line \d+, column \d+/);
    await rejects(
      applyPatches(BLOCK, [{ docPath: 'values.creds["fn::rotate::swap"].state', replacement: obj({ a: { value: null, unknown: true, trace: {} } }) }]),
      /the replacement's a: its value is unknown/,
    );
  });
});

describe('patch: plaintext scalar styles', () => {
  const styles: [string, string][] = [
    ['plain', 'fn::secret: hunter2'],
    ['plain over two lines', 'fn::secret: pass\n        word'],
    ['single-quoted', "fn::secret: 'it''s: #x'"],
    ['double-quoted', 'fn::secret: "tab\\tand \\u00e9"'],
    ['literal', 'fn::secret: |\n        one\n        two'],
    ['literal strip', 'fn::secret: |-\n        one\n        two'],
    ['folded', 'fn::secret: >\n        one\n        two'],
    ['tagged', 'fn::secret: !!str 1234'],
  ];
  for (const [name, body] of styles) {
    it(`encrypts a ${name} plaintext and nothing else`, async () => {
      const src = `values:\n  before: 1 # b\n  s:\n      ${body}\n  after: 2 # a\n`;
      const plaintext = (stateOf(src, 'values', 's') as { 'fn::secret': string })['fn::secret'];
      const { text, encrypted } = await encryptPlaintextSecrets(src, rot128);
      assert.strictEqual(encrypted, 1);
      assert.ok(text.startsWith('values:\n  before: 1 # b\n  s:\n      fn::secret:'));
      assert.ok(text.endsWith('\n  after: 2 # a\n'));
      const c = (stateOf(text, 'values', 's', 'fn::secret') as { ciphertext: string }).ciphertext;
      assert.strictEqual(new TextDecoder().decode(decodeCiphertext(c).map((x) => (x + 128) & 0xff)), plaintext);
    });
  }

  it('refuses to replace an anchored plaintext that aliases refer to', async () => {
    const src = 'values:\n  s:\n    fn::secret: &pw hunter2\n  copy: *pw\n';
    await assert.rejects(encryptPlaintextSecrets(src, rot128), (e: unknown) => e instanceof PatchError && /anchor &pw \(line 3\)/.test(e.message) && !e.message.includes('hunter2'));
  });
});

describe('patch: encryptPlaintextSecrets', () => {
  const SRC = [
    '# secrets',
    'values:',
    '  db:',
    '    password:',
    '      fn::secret: hunter2   # rotate me',
    '    flow: {fn::secret: "x y"}',
    '    multi:',
    '      fn::secret: |',
    '        line one',
    '        line two',
    '    list:',
    '      - fn::secret: z',
    '    done:',
    '      fn::secret:',
    '        ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ==',
    '    notString: {fn::secret: 42}',
    '    twoKeys: {fn::secret: a, other: b}',
    '  plain: hunter2-not-secret',
    '',
  ].join('\n');

  it('leaves interpolations alone (not plaintext: encrypting would freeze the reference) but not $$-escaped text', async () => {
    const src = ['values:', '  a: {fn::secret: "${b}"}', '  c: {fn::secret: "pre-${b}"}', '  d: {fn::secret: "$${b}"}', '  e: {fn::secret: "$$$${b}"}', '  f: {fn::secret: "cost $5"}', ''].join('\n');
    assert.deepStrictEqual(
      listPlaintextSecrets(src).map((s) => s.path),
      ['values.d["fn::secret"]', 'values.e["fn::secret"]', 'values.f["fn::secret"]'],
    );
    const { text, encrypted } = await encryptPlaintextSecrets(src, rot128);
    assert.equal(encrypted, 3);
    assert.ok(text.includes('a: {fn::secret: "${b}"}') && text.includes('c: {fn::secret: "pre-${b}"}'), text);
  });

  it('lists plaintext secrets with their positions', () => {
    assert.deepStrictEqual(listPlaintextSecrets(SRC), [
      { path: 'values.db.password["fn::secret"]', line: 5, column: 19 },
      { path: 'values.db.flow["fn::secret"]', line: 6, column: 24 },
      { path: 'values.db.multi["fn::secret"]', line: 8, column: 19 },
      { path: 'values.db.list[0]["fn::secret"]', line: 12, column: 21 },
    ]);
  });

  it('encrypts each plaintext secret in place and leaves the rest alone', async () => {
    const { text, encrypted } = await encryptPlaintextSecrets(SRC, rot128);
    assert.strictEqual(encrypted, 4);
    assert.strictEqual(
      text,
      [
        '# secrets',
        'values:',
        '  db:',
        '    password:',
        '      fn::secret: # rotate me',
        '        ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ==',
        '    flow: {fn::secret: {ciphertext: ZXNjeAAAAAH4oPkkLDEV}}',
        '    multi:',
        '      fn::secret:',
        text.split('\n')[9],
        '    list:',
        '      - fn::secret:',
        text.split('\n')[12],
        '    done:',
        '      fn::secret:',
        '        ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ==',
        '    notString: {fn::secret: 42}',
        '    twoKeys: {fn::secret: a, other: b}',
        '  plain: hunter2-not-secret',
        '',
      ].join('\n'),
    );
    const multi = stateOf(text, 'values', 'db', 'multi', 'fn::secret') as { ciphertext: string };
    assert.strictEqual(new TextDecoder().decode(decodeCiphertext(multi.ciphertext).map((x) => (x + 128) & 0xff)), 'line one\nline two\n');
    assert.deepStrictEqual(listPlaintextSecrets(text), []);
    assert.ok(!text.includes('x y') && !text.includes('line one'));
  });

  it('returns the text unchanged when there is nothing to encrypt', async () => {
    const src = 'values:\n  a: 1 # c\n';
    assert.deepStrictEqual(await encryptPlaintextSecrets(src, rot128), { text: src, encrypted: 0 });
  });
});
