/**
 * Input that can neither leak nor crash (issue 9, items 11, 13, 15, 16, 18), in process:
 * documents past the nesting and size limits get one located diagnostic, huge lists and long
 * reference chains check, source excerpts mask anything under `fn::secret`, decoding errors on
 * secrets quote nothing, `__proto__`/`constructor` are keys like any other, the CLI's output
 * boundary escapes control characters, and `fn::concat` types its argument as the reference does.
 */
import { strict as assert } from 'node:assert';
import { maskedSourceLines } from '../../client/src/cli/commands/checkCommand';
import { valueAt } from '../../client/src/output/outputFormats';
import { toJson } from '../../client/src/output/redaction';
import { escapeControl, Ui } from '../../client/src/cli/ui';
import { checkEnvironment, openEnvironment, parseEnvironment, type EvalOptions } from '../../shared/src/eval/index';
import type { Diagnostic } from '../../shared/src/syntax/diagnostic';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { parseEscDocument } from '../../shared/src/language/model';
import { MAX_DOCUMENT_CHARS, MAX_NESTING } from '../../shared/src/syntax/limits';
import { TEST_CONTEXT, TestProviders } from '../conformance/providers';
import { envUri, memoryWorkspace } from './language-support';

const options: EvalOptions = { loader: { load: async () => undefined }, providers: new TestProviders(), context: TEST_CONTEXT };

const deepSecrets = (depth: number): string => `values:\n  a: ${'{fn::secret: '.repeat(depth)}x${'}'.repeat(depth)}\n`;
const deepFlow = (depth: number): string => `values:\n  a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
const deepBlock = (depth: number): string => {
  let text = 'values:\n';
  for (let i = 0; i < depth; i++) text += `${' '.repeat(2 + i)}k:\n`;
  return `${text}${' '.repeat(2 + depth)}v\n`;
};
const summaries = (diags: readonly Diagnostic[]): string[] => diags.map((d) => d.summary);

describe('hostile input: limits', function () {
  this.timeout(120000);

  it(`reports nesting deeper than ${MAX_NESTING} as one located diagnostic, in every form`, async () => {
    for (const [text, line, column] of [[deepSecrets(10_000), 2, 6 + 13 * (MAX_NESTING - 2)], [deepFlow(10_000), 2, 6 + MAX_NESTING - 2], [deepBlock(1_500), MAX_NESTING + 1, MAX_NESTING + 2]] as const) {
      const parsed = parseEnvironment('deep', text);
      assert.deepEqual(summaries(parsed.diagnostics), [`nesting deeper than ${MAX_NESTING} levels (the limit for environment documents)`]);
      assert.deepEqual([parsed.diagnostics[0]!.range.begin.line, parsed.diagnostics[0]!.range.begin.column], [line, column]);
      const checked = await checkEnvironment('deep', text, options);
      assert.ok(checked.loadDiagnostics.length === 1 && checked.diagnostics.every((d) => !d.summary.includes('stack')), summaries(checked.diagnostics).join('\n'));
      // The editor's model reports the same, located, instead of recursing.
      const doc = parseEscDocument('file:///deep.yaml', 'deep', text);
      assert.equal(doc.syntaxErrors.length, 1);
      assert.match(doc.syntaxErrors[0]!.message, /nesting deeper than/);
    }
  });

  it('checks documents just under the nesting limit (secrets, flow, block) without an internal error', async () => {
    for (const text of [deepFlow(MAX_NESTING - 4), deepBlock(MAX_NESTING - 4), `values:\n  a:\n    ${'- '.repeat(MAX_NESTING - 4)}x\n`]) {
      const checked = await checkEnvironment('ok', text, options);
      assert.deepEqual(summaries([...checked.loadDiagnostics, ...checked.diagnostics]), []);
    }
    const secrets = await checkEnvironment('ok', deepSecrets(MAX_NESTING - 4), options);
    assert.ok(secrets.diagnostics.every((d) => d.summary === 'secret values must be string literals'));
  });

  it('does not count brackets inside strings, comments or block scalars', () => {
    const text = `values:\n  a: "${'['.repeat(2000)}"\n  b: '${'{'.repeat(2000)}'\n  # ${'['.repeat(2000)}\n  c: |\n    ${'['.repeat(2000)}\n  d: x${'['.repeat(2000)}\n`;
    assert.deepEqual(summaries(parseEnvironment('strings', text).diagnostics), []);
  });

  it(`refuses a document over ${MAX_DOCUMENT_CHARS} characters with one diagnostic at its start`, () => {
    const text = `values:\n  a: "${'x'.repeat(MAX_DOCUMENT_CHARS)}"\n`;
    const parsed = parseEnvironment('huge', text);
    assert.equal(parsed.diagnostics.length, 1);
    assert.match(parsed.diagnostics[0]!.summary, /document larger than/);
    assert.equal(parsed.diagnostics[0]!.range.begin.line, 1);
  });

  it('checks a 150,000-item list and a 1,500-long reference chain (valid input is not rejected)', async () => {
    const list = `values:\n  a:\n    - [1]\n${Array.from({ length: 150_000 }, (_, i) => `    - ${i}\n`).join('')}`;
    const checkedList = await checkEnvironment('list', list, options);
    assert.deepEqual(summaries([...checkedList.loadDiagnostics, ...checkedList.diagnostics]), []);
    assert.equal((checkedList.environment?.properties.a?.value as unknown[]).length, 150_001);
    let chain = 'values:\n  a0: x\n';
    for (let i = 1; i < 1500; i++) chain += `  a${i}: \${a${i - 1}}\n`;
    const checkedChain = await checkEnvironment('chain', chain, options);
    assert.deepEqual(summaries(checkedChain.diagnostics), []);
    assert.equal(checkedChain.environment?.properties.a1499?.value, 'x');
  });

  it('a closed document drops what its checks kept (values, schemas, incremental basis)', async () => {
    const ws = memoryWorkspace({ app: 'values:\n  a: 1\n' }, ['app'], createCheckModeChecker());
    await ws.service.diagnostics(envUri('app'));
    assert.equal(ws.service.valuesOf('app')?.a?.value, 1);
    ws.service.forget(envUri('app'));
    ws.workspace.closeDocument(envUri('app'));
    assert.equal(ws.service.valuesOf('app'), undefined);
    assert.equal(ws.service.schemasOf('app'), undefined);
  });

});

describe('hostile input: no secret text in excerpts or messages', () => {
  const secretFree = (lines: string[]): void => assert.ok(!lines.join('\n').includes('hunter'), lines.join('\n'));

  it('masks anything under fn::secret in excerpts: map, list, block, anchored; keeps line numbers', () => {
    const text = 'values:\n  a:\n    fn::secret: {x: hunter1}\n  b:\n    fn::secret: [hunter2, {y: hunter3}]\n  d: &anch hunter4\n  e: {fn::secret: *anch}\n  f:\n    fn::secret: |\n      hunter5\n      hunter6\n  g: ${nope}\n';
    const lines = maskedSourceLines(text);
    secretFree(lines);
    assert.equal(lines.length, text.split('\n').length);
    assert.equal(lines[11], '  g: ${nope}');
  });

  it('shows nothing from the first fn::secret on when the YAML has errors or tab indentation', () => {
    for (const text of ['values:\n  b: [unclosed\n  a: {fn::secret: hunter7}\n', 'values:\n  a:\n\tfn::secret: hunter8\n  b: 1\n', deepSecrets(600).replace('x}', 'hunter9}')]) {
      const lines = maskedSourceLines(text);
      secretFree(lines);
      assert.equal(lines.length, text.split('\n').length);
    }
  });

  it('decoding errors on a secret quote none of it (fn::fromJSON, fn::fromBase64)', async () => {
    const text = 'values:\n  s: {fn::secret: "hunter!10"}\n  j: {fn::fromJSON: "${s}"}\n  b: {fn::fromBase64: "${s}"}\n';
    for (const run of [checkEnvironment, openEnvironment]) {
      const result = await run('leak', text, options);
      const messages = summaries(result.diagnostics);
      assert.equal(messages.length, 2, messages.join('\n'));
      for (const m of messages) assert.ok(!/'h'|hunter/.test(m), m);
    }
    // Not secret: the decoder's own detail stays (as the reference prints it).
    const plain = await checkEnvironment('plain', 'values:\n  j: {fn::fromJSON: "hello"}\n', options);
    assert.match(plain.diagnostics[0]!.summary, /invalid character 'h'/);
  });
});

describe('hostile input: prototype keys', () => {
  it('keeps __proto__ keys through evaluation and output; path lookups use own properties only', async () => {
    const result = await openEnvironment('proto', 'values:\n  __proto__: {polluted: yes}\n  nested:\n    __proto__: x\n    constructor: c\n', options);
    assert.deepEqual(summaries(result.diagnostics), []);
    const root = { value: result.environment!.properties, trace: {} };
    const json = JSON.stringify(toJson(root, true));
    assert.equal(json, '{"__proto__":{"polluted":"yes"},"nested":{"__proto__":"x","constructor":"c"}}');
    assert.equal(valueAt(root, ['constructor']), undefined);
    assert.equal(valueAt(root, ['toString']), undefined);
    assert.equal(valueAt(root, ['nested', 'hasOwnProperty']), undefined);
    assert.equal(valueAt(root, ['nested', 'constructor'])?.value, 'c');
    assert.equal(valueAt(root, ['__proto__', 'polluted'])?.value, 'yes');
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});

describe('hostile input: terminal control characters', () => {
  const capture = (tty: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean }; text: () => string } => {
    let out = '';
    const stream = { isTTY: tty, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
    return { stream, text: () => out };
  };

  it('escapes C0, DEL, C1 and bidi controls, keeping newlines and tabs', () => {
    assert.equal(escapeControl('a\u001b]0;T\u0007b\tc\nd\u007f\u009b\u202e'), 'a\\x1b]0;T\\x07b\tc\nd\\x7f\\x9b\\u202e');
  });

  it('every Ui message goes through the boundary; colours stay real and cannot be forged', () => {
    const out = capture(true);
    const err = capture(true);
    const ui = new Ui({ stdout: out.stream, stderr: err.stream, env: {}, color: true });
    const hostile = 'name\u001b]0;PWNED\u0007';
    ui.print(`${ui.out.red('x')} ${hostile}`);
    ui.progress(hostile);
    ui.info(hostile);
    ui.report(hostile);
    ui.warn(hostile);
    ui.error(hostile, hostile);
    ui.write(hostile);
    const all = out.text() + err.text();
    assert.ok(!all.includes('\u0007') && !/\u001b\]/.test(all), JSON.stringify(all));
    assert.ok(out.text().startsWith('\u001b[31mx\u001b[39m name\\x1b]0;PWNED\\x07'), JSON.stringify(out.text()));
    // A token-looking text without this process's nonce stays text.
    ui.print('\ufdd031\ufdd1');
    assert.ok(!out.text().endsWith('\u001b[31m\n'));
  });

  it('raw results pass unchanged into a pipe', () => {
    const out = capture(false);
    const ui = new Ui({ stdout: out.stream, stderr: capture(false).stream, env: {} });
    ui.write('line1\r\nbinary\u0001\n');
    assert.equal(out.text(), 'line1\r\nbinary\u0001\n');
  });
});

describe('hostile input: fn::concat argument', () => {
  it('reports "expected array, got string" at a non-array argument, besides the parse error (as the reference)', async () => {
    const result = await checkEnvironment('concat', 'values:\n  a:\n    fn::concat: "not an array"\n', options);
    const all = [...result.loadDiagnostics, ...result.diagnostics];
    assert.deepEqual(all.map((d) => [d.summary, d.range.begin.line, d.range.begin.column]), [
      ['the argument to fn::concat must be an array of arrays', 3, 17],
      ['expected array, got string', 3, 17],
    ]);
  });
});
