/**
 * Redaction of definitions for display: every `fn::secret` value hidden whatever its YAML
 * style, every other byte kept, and a document that does not parse never shown past its first
 * possible secret. A randomised part renders generated environments in mixed styles and checks
 * that no secret survives and that all the rest reads back the same.
 */
import * as assert from 'assert';
import * as YAML from 'yaml';
import { redactSecrets, secretSpans } from '../../shared/src/patch';
import { parseLiteralTree } from '../../shared/src/syntax/literalTree';
import { prng } from './prng';

function redacts(src: string, expected: string): void {
  assert.strictEqual(redactSecrets(src), expected);
}

describe('patch: redactSecrets scalar styles', () => {
  const styles: [string, string, string][] = [
    ['plain', 'fn::secret: hunter2', 'fn::secret: [secret]'],
    ['plain with a comment', 'fn::secret: hunter2 # rotated by hand', 'fn::secret: [secret] # rotated by hand'],
    ['plain over two lines', 'fn::secret: pass\n        word', 'fn::secret: [secret]'],
    ['plain on the next line', 'fn::secret:\n        hunter2', 'fn::secret:\n        [secret]'],
    ['single-quoted', "fn::secret: 'it''s: #x'", 'fn::secret: [secret]'],
    ['double-quoted over lines', 'fn::secret: "tab\\tand\n        \\u00e9 # not a comment"', 'fn::secret: [secret]'],
    ['literal', 'fn::secret: |\n        one\n\n        two', 'fn::secret: [secret]'],
    ['literal with a header comment', 'fn::secret: |-  # pem\n        one\n        two', 'fn::secret: [secret]  # pem'],
    ['literal keep, blank lines after', 'fn::secret: |+\n        one\n\n', 'fn::secret: [secret]\n\n'],
    ['folded with indentation indicator', 'fn::secret: >2\n          one\n        two', 'fn::secret: [secret]'],
    ['tagged', 'fn::secret: !!str 1234', 'fn::secret: !!str [secret]'],
    ['anchored', 'fn::secret: &pw hunter2', 'fn::secret: &pw [secret]'],
  ];
  for (const [name, body, shown] of styles) {
    it(`hides a ${name} plaintext and nothing else`, () => {
      const around = (s: string): string => `# head\nvalues:\n  before: 1 # b\n  s:\n      ${s}\n  after: "two" # a\n`;
      redacts(around(body), around(shown));
    });
  }

  it('leaves an empty fn::secret as it is', () => {
    redacts('values:\n  s:\n    fn::secret:\n  t: ~\n', 'values:\n  s:\n    fn::secret:\n  t: ~\n');
  });

  it('keeps CRLF line endings', () => {
    redacts('values:\r\n  s:\r\n    fn::secret: |\r\n      one\r\n      two\r\n  t: 1\r\n', 'values:\r\n  s:\r\n    fn::secret: [secret]\r\n  t: 1\r\n');
  });
});

describe('patch: redactSecrets structure', () => {
  it('hides ciphertexts in block, flow and JSON forms, leaving the key', () => {
    redacts(
      'a:\n  fn::secret:\n    ciphertext: |\n      ZXNjeAAA\n      AAFzZWNy\nb: {fn::secret: {ciphertext: "ZXNj"}}\nc: {"fn::secret": {"ciphertext": "ZXNj"}}\n',
      'a:\n  fn::secret:\n    ciphertext: [ciphertext]\nb: {fn::secret: {ciphertext: [ciphertext]}}\nc: {"fn::secret": {"ciphertext": [ciphertext]}}\n',
    );
  });

  it('finds quoted keys', () => {
    redacts(
      "values:\n  a: {'fn::secret': x}\n  b:\n    \"fn::secret\":\n      'ciphertext': y\n  c:\n    \"fn::\\u0073ecret\": z\n",
      "values:\n  a: {'fn::secret': [secret]}\n  b:\n    \"fn::secret\":\n      'ciphertext': [ciphertext]\n  c:\n    \"fn::\\u0073ecret\": [secret]\n",
    );
  });

  it('hides secrets inside flow maps with nested braces, touching nothing else', () => {
    redacts(
      'values: {a: {b: [1, {c: "}"}]}, s: {fn::secret: "x}, y: {z"}, t: [{fn::secret: {ciphertext: q}}, {u: "{v}"}], w: 2}\n',
      'values: {a: {b: [1, {c: "}"}]}, s: {fn::secret: [secret]}, t: [{fn::secret: {ciphertext: [ciphertext]}}, {u: "{v}"}], w: 2}\n',
    );
    redacts('values: {s: {fn::secret: "multi\n    line"}, t: 1}\n', 'values: {s: {fn::secret: [secret]}, t: 1}\n');
  });

  it('hides nested secrets: in sequences, rotator states, complex keys', () => {
    const nested = (deep: string, ciphertext: string, keyed: string): string =>
      [
        'values:',
        '  list:',
        `    - - fn::secret: ${deep}`,
        '      - plain',
        '  iam:',
        '    fn::rotate::aws-iam:',
        '      inputs: {userArn: arn:aws:iam::1:user/u}',
        '      state:',
        '        current:',
        '          secretAccessKey:',
        '            fn::secret:',
        `              ciphertext: ${ciphertext}`,
        `  ? {fn::secret: ${keyed}}`,
        '  : value',
        '',
      ].join('\n');
    redacts(nested('deep', 'ZXNjeAAAAAE=', 'keyed'), nested('[secret]', '[ciphertext]', '[secret]'));
  });

  it('hides every scalar of a malformed secret value, and fn::secret beside other keys', () => {
    redacts(
      'values:\n  s: {fn::secret: {password: hunter2, list: [x, 2]}, note: kept}\n  t:\n    fn::secret:\n      - one\n      - ciphertext: c\n',
      'values:\n  s: {fn::secret: {[secret]: [secret], [secret]: [[secret], [secret]]}, note: kept}\n  t:\n    fn::secret:\n      - [secret]\n      - ciphertext: [ciphertext]\n',
    );
  });

  it('hides the anchored text an aliased secret stands for', () => {
    redacts('values:\n  a: &pw hunter2 # used below\n  b: {fn::secret: *pw}\n', 'values:\n  a: &pw [secret] # used below\n  b: {fn::secret: *pw}\n');
  });

  it('returns a document without secrets unchanged', () => {
    const src = '# c\nimports: [base]\nvalues:\n  ciphertext: not-under-a-secret\n  x: {y: "fn::secret"}\n';
    redacts(src, src);
  });
});

describe('patch: redactSecrets on YAML that does not parse', () => {
  it('shows the text only up to the line of the first fn::secret, saying why', () => {
    const out = redactSecrets('values:\n  a: 1\n  b: [unclosed\n  c:\n    fn::secret: hunter2\n  d: tail\n');
    assert.strictEqual(out, 'values:\n  a: 1\n  b: [unclosed\n  c:\n# [hidden from line 5 on: this definition is not valid YAML (line 4, column 3), so its secrets cannot be located]\n');
  });

  it('cuts at a backslash too, since an escape can spell fn::secret', () => {
    const out = redactSecrets('values:\n  ok: 1\n  "fn::\\u0073ecret": hunter2\n  b: [\n');
    assert.ok(out.startsWith('values:\n  ok: 1\n# [hidden from line 3 on: this definition is not valid YAML'), out);
    assert.ok(!out.includes('hunter2'));
  });

  it('shows a broken document without any secret marker as it is', () => {
    const src = 'values:\n  a: 1\n  b: [\n';
    redacts(src, src);
  });

  it('treats several documents in one file as not parsing', () => {
    const out = redactSecrets('values: {a: 1}\n---\nvalues:\n  s: {fn::secret: hunter2}\n');
    assert.ok(!out.includes('hunter2') && out.includes('not valid YAML'), out);
  });
});

type Data = string | number | boolean | null | Data[] | { [key: string]: Data };

const SECRET_SHAPES = ['plain', 'multi-line', 'quoted', 'ciphertext', 'wrapped ciphertext'] as const;

describe('patch: redactSecrets on generated documents', () => {
  it('never shows a secret and keeps every other value and comment (300 documents); the one parse\'s tree locates the same secrets', () => {
    let fromTree = 0;
    for (let n = 0; n < 300; n++) {
      const r = prng(n + 1);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
      const secrets: string[] = [];
      const comments: string[] = [];
      const doc = new YAML.Document({});
      // Builds a node and, beside it, what the redacted document must read back as.
      const build = (depth: number): { node: YAML.Node; expected: Data } => {
        const roll = r();
        if (roll < 0.25) {
          const shape = pick(SECRET_SHAPES);
          const token = `tok${n}x${secrets.length}${shape === 'multi-line' || shape === 'wrapped ciphertext' ? `\nline2tok${n}x${secrets.length}\n` : ''}`;
          secrets.push(...token.split('\n').filter((l) => l !== ''));
          const value = doc.createNode(token) as YAML.Scalar;
          if (shape === 'quoted') value.type = pick([YAML.Scalar.QUOTE_DOUBLE, YAML.Scalar.QUOTE_SINGLE]);
          if (shape === 'multi-line' || shape === 'wrapped ciphertext') value.type = pick([YAML.Scalar.BLOCK_LITERAL, YAML.Scalar.BLOCK_FOLDED, YAML.Scalar.QUOTE_DOUBLE]);
          const encrypted = shape === 'ciphertext' || shape === 'wrapped ciphertext';
          const inner = encrypted ? new YAML.YAMLMap() : value;
          if (inner instanceof YAML.YAMLMap) inner.items.push(new YAML.Pair(doc.createNode('ciphertext'), value));
          const call = new YAML.YAMLMap();
          const key = doc.createNode('fn::secret') as YAML.Scalar;
          key.type = pick([YAML.Scalar.PLAIN, YAML.Scalar.QUOTE_DOUBLE, YAML.Scalar.QUOTE_SINGLE]);
          call.items.push(new YAML.Pair(key, inner));
          call.flow = r() < 0.5;
          if (inner instanceof YAML.YAMLMap) inner.flow = call.flow || r() < 0.3;
          return { node: call, expected: { 'fn::secret': encrypted ? { ciphertext: ['ciphertext'] } : ['secret'] } };
        }
        if (depth <= 0 || roll < 0.5) {
          const v = pick<Data>(['plain', 'fn::secret', 'ciphertext', 'a: b', 12, true, null, 'multi\nline', "it's"]);
          const node = doc.createNode(v) as YAML.Scalar;
          if (typeof v === 'string' && r() < 0.3) node.type = YAML.Scalar.QUOTE_DOUBLE;
          return { node, expected: v };
        }
        const flow = r() < 0.3;
        if (roll < 0.7) {
          const seq = new YAML.YAMLSeq();
          const expected: Data[] = [];
          for (let i = Math.floor(r() * 4); i > 0; i--) {
            const child = build(depth - 1);
            seq.items.push(child.node);
            expected.push(child.expected);
          }
          seq.flow = flow;
          return { node: seq, expected };
        }
        const map = new YAML.YAMLMap();
        const expected: { [key: string]: Data } = {};
        for (let i = Math.floor(r() * 4); i > 0; i--) {
          const key = `k${i}${pick(['', ' spaced', '.dot', '::x'])}`;
          const child = build(depth - 1);
          const pair = doc.createPair(key, child.node);
          if (!flow && r() < 0.3) {
            const c = ` note ${n}-${comments.length}`;
            comments.push(`#${c}`);
            (pair.key as YAML.Scalar).commentBefore = c;
          }
          map.add(pair);
          expected[key] = child.expected;
        }
        map.flow = flow;
        return { node: map, expected };
      };
      const top = build(4);
      doc.contents = doc.createNode({ values: null }) as YAML.YAMLMap;
      doc.contents.set('values', top.node);
      const text = doc.toString({ lineWidth: 0 });
      const out = redactSecrets(text);
      for (const s of secrets) assert.ok(!out.includes(s), `document ${n} shows ${JSON.stringify(s)}:\n${out}`);
      for (const c of comments) assert.ok(out.includes(c), `document ${n} lost ${c}:\n${out}`);
      const back = YAML.parse(out) as { values: Data };
      assert.deepStrictEqual(back.values, top.expected, `document ${n}:\n${text}\n--- redacted:\n${out}`);
      // Excerpts of a checked file are masked from the check's own tree (no second parse) where
      // that tree is the one redaction's parse would give: the same spans, either way.
      const tree = parseLiteralTree(text);
      if (tree.fast) fromTree++;
      assert.deepStrictEqual(secretSpans(text, tree), secretSpans(text), `document ${n}:\n${text}`);
    }
    assert.ok(fromTree > 100, `only ${fromTree} documents masked from the check's tree`);
  });
});
