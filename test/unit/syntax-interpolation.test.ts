/**
 * The one `${…}` parser (syntax/interpolation.ts): its exact parse (accessors, key spans,
 * problems with ESC's messages and offsets) on finished and unfinished text; the language
 * features' location of it in the document for every scalar style; and a differential check that
 * the evaluator and the language model read the same accessors from the same value written in
 * each YAML style.
 */
import { strict as assert } from 'node:assert';
import { parseEnvironment } from '../../shared/src/ast/environment';
import type { Expr } from '../../shared/src/ast/expr';
import { parseEscDocument } from '../../shared/src/language/model';
import { accessorsOfText } from '../../shared/src/language/scalarInterpolations';
import { formatAccess, parseTemplate } from '../../shared/src/syntax/interpolation';
import { prng } from './prng';

/** `key@keyStart-keyEnd` (a subscript's key in brackets), `}` when closed; problems as `summary@start-end`. */
function show(value: string): { parsed: string[]; problems: string[]; trailing: string } {
  const t = parseTemplate(value);
  return {
    parsed: t.interpolations.map((i) => `${JSON.stringify(i.text)} ${i.start}:` + i.accessors.map((a) => `${a.kind === 'subscript' ? `[${JSON.stringify(a.key)}]` : a.key}@${a.start}-${a.end}/${a.keyStart}-${a.keyEnd}`).join(' ') + (i.closed ? ` }${i.end}` : ` …${i.end}`)),
    problems: t.problems.map((p) => `${p.summary}@${p.start}-${p.end}`),
    trailing: t.trailing,
  };
}

const BRACE = "missing closing brace '}' in interpolation";
const BRACKET = "subscript is missing closing bracket ']'";

describe('syntax: the one ${…} parser', () => {
  const table: [string, string[], string[], string][] = [
    // value, interpolations, problems, trailing text
    ['plain text', [], [], 'plain text'],
    ['${a.b["c d"][0]}', ['"" 0:a@2-3/2-3 b@3-5/4-5 ["c d"]@5-12/7-10 [0]@12-15/13-14 }16'], [], ''],
    ['a $$ b ${x} c', ['"a $ b " 7:x@9-10/9-10 }11'], [], ' c'],
    ['$${a}', [], [], '${a}'],
    ['$$${a}', ['"$" 2:a@4-5/4-5 }6'], [], ''],
    ['${}', ['"" 0:@2-3/2-2 }3'], [], ''],
    ['${a["x\\"y"]}', ['"" 0:a@2-3/2-3 ["x\\"y"]@3-11/5-9 }12'], [], ''],
    // Unfinished, as while typing: the accessors so far, and ESC's problems.
    ['${', ['"" 0:@2-2/2-2 …2'], [`${BRACE}@2-2`], ''],
    ['${aws.', ['"" 0:aws@2-5/2-5 @5-6/6-6 …6'], ['property name must not be empty@5-6', `${BRACE}@6-6`], ''],
    ['${aws.lo', ['"" 0:aws@2-5/2-5 lo@5-8/6-8 …8'], [`${BRACE}@8-8`], ''],
    ['${a["b', ['"" 0:a@2-3/2-3 ["b"]@3-6/5-6 …6'], ['key subscript is missing closing quote \'"\'@4-6', `${BRACKET}@3-6`, `${BRACE}@6-6`], ''],
    ['${a[', ['"" 0:a@2-3/2-3 [""]@3-4/4-4 …4'], [`${BRACKET}@3-4`, `${BRACE}@4-4`], ''],
    ['x ${a b} y', ['"x " 2:a@4-5/4-5 …5'], [`${BRACE}@5-5`], ' b} y'],
    ['${a\nb}', ['"" 0:a@2-3/2-3 …3'], [`${BRACE}@3-3`], '\nb}'],
    // Errors with ESC's messages and ranges.
    ['${a.}', ['"" 0:a@2-3/2-3 @3-4/4-4 }5'], ['property name must not be empty@3-4'], ''],
    ['${[0]}', ['"" 0:[0]@2-5/3-4 }6'], ['the first accessor must be a property name or key subscript, not a numeric subscript@2-4'], ''],
    ['${a[x]}', ['"" 0:a@2-3/2-3 ["x"]@3-6/4-5 }7'], ['numeric subscript must be a positive base-10 integer@4-5'], ''],
    ['${a[""]}', ['"" 0:a@2-3/2-3 [""]@3-7/5-5 }8'], ['key subscript must not be empty@4-6'], ''],
    ['${a[1x', ['"" 0:a@2-3/2-3 ["1x"]@3-6/4-6 …6'], ['numeric subscript must be a positive base-10 integer@4-6', `${BRACKET}@3-6`, `${BRACE}@6-6`], ''],
    // Offsets are UTF-8 bytes; as in ESC a name ends at a byte that is Latin-1 whitespace
    // (à is C3 A0), so `${à}` has a broken name and no closing brace.
    ['é${ü}', ['"é" 2:ü@4-6/4-6 }7'], [], ''],
    ['${à}', ['"" 0:\ufffd@2-3/2-3 …3'], [`${BRACE}@3-3`], '\ufffd}'],
  ];
  for (const [value, parsed, problems, trailing] of table) {
    it(`parses ${JSON.stringify(value)}`, () => {
      assert.deepStrictEqual(show(value), { parsed, problems, trailing });
    });
  }

  it('formats keys so that they parse back as the same accessors', () => {
    const keys = ['aws', 'my-key', 'c d', 'x"y', 0, '9lives', 'fn::open::aws-login'];
    const text = formatAccess(keys);
    assert.strictEqual(text, 'aws.my-key["c d"]["x\\"y"][0]["9lives"]["fn::open::aws-login"]');
    const t = parseTemplate(`\${${text}}`);
    assert.deepStrictEqual(t.problems, []);
    assert.deepStrictEqual(t.interpolations[0]!.accessors.map((a) => a.key), keys);
  });
});

/** The document text of each language accessor span, and the keys. */
function located(yaml: string): { keys: (string | number)[]; spans: string[]; closed: boolean }[] {
  const doc = parseEscDocument('file:///t.yaml', 't', yaml);
  return doc.interpolations.map((i) => ({ keys: i.accessors.map((a) => a.key), spans: i.accessors.map((a) => yaml.slice(a.span.start, a.span.end)), closed: i.closed && yaml.slice(i.span.start, i.span.end).endsWith('}') && yaml.slice(i.inner.start - 2, i.inner.start) === '${' }));
}

describe('language: interpolations located in the document, in every scalar style', () => {
  const cases: [string, string, { keys: (string | number)[]; spans: string[]; closed: boolean }[]][] = [
    ['plain', 'x: pre ${a.b} post ${c', [{ keys: ['a', 'b'], spans: ['a', 'b'], closed: true }, { keys: ['c'], spans: ['c'], closed: false }]],
    ['double-quoted with escapes', 'x: "\\t${a[\\"k\\"].b}"', [{ keys: ['a', 'k', 'b'], spans: ['a', 'k', 'b'], closed: true }]],
    ['double-quoted, escaped line break', 'x: "${a.\\\n    b}"', [{ keys: ['a', 'b'], spans: ['a', 'b'], closed: true }]],
    ['double-quoted, \\u escape in a key', 'x: "${a[\\"\\u00e9t\\u00e9\\"]}"', [{ keys: ['a', 'été'], spans: ['a', '\\u00e9t\\u00e9'], closed: true }]],
    ['single-quoted', "x: 'it''s ${a.b}'", [{ keys: ['a', 'b'], spans: ['a', 'b'], closed: true }]],
    ['block literal, header comment ignored', 'x: | # ${nope}\n  one ${a.b}\n  ${c[0]}\n', [{ keys: ['a', 'b'], spans: ['a', 'b'], closed: true }, { keys: ['c', 0], spans: ['c', '0'], closed: true }]],
    ['block folded', 'x: >-\n  ${a.b}\n  ${c}\n', [{ keys: ['a', 'b'], spans: ['a', 'b'], closed: true }, { keys: ['c'], spans: ['c'], closed: true }]],
    ['non-ASCII', 'x: "é ${ü.b}"', [{ keys: ['ü', 'b'], spans: ['ü', 'b'], closed: true }]],
    ['escape $$', 'x: $${a} ${b}', [{ keys: ['b'], spans: ['b'], closed: true }]],
    ['unfinished at the end of the line', 'x: ${aws.\ny: 1', [{ keys: ['aws', ''], spans: ['aws', ''], closed: false }]],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => {
      assert.deepStrictEqual(located(`values:\n  ${body.replace(/\n(?=.)/g, '\n  ')}\n`), expected);
    });
  }

  it('reads the access being typed on a line (completion)', () => {
    assert.deepStrictEqual(accessorsOfText('aws.lo', 10), [{ key: 'aws', span: { start: 10, end: 13 } }, { key: 'lo', span: { start: 14, end: 16 } }]);
    assert.deepStrictEqual(accessorsOfText('aws.', 10), [{ key: 'aws', span: { start: 10, end: 13 } }, { key: '', span: { start: 14, end: 14 } }]);
    assert.deepStrictEqual(accessorsOfText('', 10), [{ key: '', span: { start: 10, end: 10 } }]);
    assert.deepStrictEqual(accessorsOfText('a["b c', 0), [{ key: 'a', span: { start: 0, end: 1 } }, { key: 'b c', span: { start: 3, end: 6 } }]);
    // In a double-quoted scalar: `\"` is the quote of a key subscript.
    assert.deepStrictEqual(accessorsOfText('a[\\"b\\"].c', 5, true), [{ key: 'a', span: { start: 5, end: 6 } }, { key: 'b', span: { start: 9, end: 10 } }, { key: 'c', span: { start: 14, end: 15 } }]);
  });
});

/** The evaluator's accessor keys of each interpolation of `values.x`. */
function evaluatorKeys(yaml: string): (string | number)[][] | undefined {
  const decl = parseEnvironment('t', yaml).decl;
  const x: Expr | undefined = decl?.values[0]?.value;
  if (x === undefined) return undefined;
  const keys = (access: { accessors: { kind: string; name?: string; index?: string | number }[] }): (string | number)[] => access.accessors.map((a) => (a.kind === 'name' ? a.name! : a.index!));
  if (x.kind === 'symbol') return [keys(x.property)];
  if (x.kind === 'interpolate') return x.parts.filter((p) => p.value !== undefined).map((p) => keys(p.value!));
  return [];
}

describe('differential: the evaluator and the language model read the same accessors', function () {
  this.timeout(120000); // thousands of documents; generous under load
  it('over seeded random values written plain, double-quoted, single-quoted, literal and folded, on one line and two', () => {
    const random = prng(10);
    const alphabet = ['$', '$', '{', '}', '.', '[', ']', '"', '\\', 'a', 'b', '0', ' ', 'é', '-', '${', '${a', '["k"]'];
    let compared = 0;
    for (let n = 0; n < 600; n++) {
      let value = '';
      const length = 1 + Math.floor(random() * 10);
      for (let k = 0; k < length; k++) value += alphabet[Math.floor(random() * alphabet.length)];
      const styles = [JSON.stringify(value), `'${value.replace(/'/g, "''")}'`];
      if (!value.startsWith(' ') && !value.endsWith(' ')) styles.push(`|-\n    ${value}`, `>\n    ${value}`);
      if (/^[a-z0-9$]/.test(value) && !/: | #|[ :]$/.test(value)) styles.push(value);
      // The same, broken over two lines (folded back to a space, or kept, by YAML).
      for (const style of [...styles]) if (/\S \S/.test(style)) styles.push(style.replace(/(\S) (\S)/, '$1\n    $2'));
      for (const scalar of styles) {
        const yaml = `values:\n  x: ${scalar}\n`;
        const expected = evaluatorKeys(yaml);
        if (expected === undefined && !scalar.startsWith('"') && !scalar.startsWith("'")) continue; // not valid as plain YAML
        assert.ok(expected !== undefined, `the evaluator parses ${yaml}`);
        const got = located(yaml);
        assert.deepStrictEqual(got.map((i) => i.keys), expected, `${yaml} (value ${JSON.stringify(value)})`);
        // A name has no escapes: its span in the document is the name as written.
        for (const i of got) i.keys.forEach((key, k) => {
          if (typeof key === 'string' && /^[a-z0-9-]+$/.test(key) && !scalar.includes(`"${key}`)) assert.strictEqual(i.spans[k], key, `${yaml}: span of ${key}`);
        });
        compared++;
      }
    }
    assert.ok(compared > 1500);
  });
});
