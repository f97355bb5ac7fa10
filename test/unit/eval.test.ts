/** The evaluator beyond the corpus: import chains, cycles, references, context, secrets, traces, rotation. */
import { strict as assert } from 'node:assert';
import {
  checkEnvironment, environmentJSON, openEnvironment, rotateEnvironment, toJSON, type EvalOptions, type EvalResult,
} from '../../shared/src/eval/index';
import type { EnvironmentLoader, LoadedEnvironment } from '../../shared/src/contract/plugins';
import { TEST_CONTEXT, TestDecrypter, TestProviders } from '../conformance/providers';

class MemoryLoader implements EnvironmentLoader {
  readonly loads: string[] = [];
  constructor(private readonly files: Record<string, string>) {}
  async load(name: string): Promise<LoadedEnvironment | undefined> {
    this.loads.push(name);
    const text = this.files[name];
    return text === undefined ? undefined : { text, decrypter: new TestDecrypter() };
  }
}

function options(files: Record<string, string> = {}): EvalOptions {
  return { loader: new MemoryLoader(files), providers: new TestProviders(), context: TEST_CONTEXT, decrypter: new TestDecrypter() };
}

function json(r: EvalResult, redact = true): unknown {
  assert.ok(r.environment, 'no environment');
  return environmentJSON(r.environment, { redact });
}

function summaries(r: EvalResult): string[] {
  return r.diagnostics.map((d) => d.summary);
}

describe('eval: imports', () => {
  it('merges a deep import chain, nearest definition winning', async () => {
    const files: Record<string, string> = {};
    const depth = 60;
    for (let i = 0; i < depth; i++) {
      files[`e${i}`] = `${i + 1 < depth ? `imports:\n  - e${i + 1}\n` : ''}values:\n  level${i}: ${i}\n  shared: from-${i}\n  obj:\n    k${i}: ${i}\n`;
    }
    const r = await openEnvironment('root', 'imports:\n  - e0\nvalues:\n  mine: ${level59}\n', options(files));
    assert.deepEqual(r.diagnostics, []);
    const out = json(r) as Record<string, unknown>;
    assert.equal(out.shared, 'from-0');
    assert.equal(out.mine, 59);
    assert.equal(Object.keys(out.obj as object).length, depth);
  });

  it('evaluates each imported environment once', async () => {
    const opts = options({ a: 'imports:\n  - c\nvalues:\n  a: 1\n', b: 'imports:\n  - c\nvalues:\n  b: 2\n', c: 'values:\n  c: 3\n' });
    const r = await checkEnvironment('root', 'imports:\n  - a\n  - b\n', opts);
    assert.deepEqual(json(r), { a: 1, b: 2, c: 3 });
    assert.deepEqual((opts.loader as MemoryLoader).loads, ['a', 'c', 'b']);
  });

  it('reports import cycles at the import and still evaluates', async () => {
    const r = await checkEnvironment('a', 'imports:\n  - b\nvalues:\n  x: 1\n', options({ b: 'imports:\n  - a\nvalues:\n  y: 2\n' }));
    assert.deepEqual(summaries(r), ['cyclic import of a']);
    assert.equal(r.diagnostics[0].range.environment, 'b');
    assert.deepEqual(json(r), { x: 1, y: 2 });
  });

  it('keeps merge: false imports out of the result but reachable through ${imports}', async () => {
    const r = await openEnvironment('root', 'imports:\n  - cfg: { merge: false }\nvalues:\n  port: ${imports.cfg.port}\n', options({ cfg: 'values:\n  port: 8080\n' }));
    assert.deepEqual(json(r), { port: 8080 });
  });

  it('reports a missing import at its name', async () => {
    const r = await checkEnvironment('root', 'imports:\n  - nope\nvalues:\n  a: 1\n', options());
    assert.deepEqual(r.diagnostics.map((d) => [d.summary, d.path, d.range.begin.line, d.range.begin.column]), [['environment "nope" not found', 'imports[0]', 2, 5]]);
    assert.deepEqual(r.environment?.imports.map((i) => [i.name, i.found]), [['nope', false]]);
  });

  it('traces overridden values to their imported base', async () => {
    const r = await openEnvironment('root', 'imports:\n  - base\nvalues:\n  a: top\n', options({ base: 'values:\n  a: bottom\n' }));
    const a = r.environment?.properties.a;
    assert.equal(a?.value, 'top');
    assert.equal(a?.trace.def?.environment, 'root');
    assert.equal(a?.trace.base?.value, 'bottom');
    assert.equal(a?.trace.base?.trace.def?.environment, 'base');
    assert.equal(a?.trace.base?.trace.def?.begin.line, 2);
  });
});

describe('eval: references, context and cycles', () => {
  it('resolves environments.<project>.<env>.<path> without merging', async () => {
    const r = await openEnvironment('root', 'values:\n  v: ${environments.proj.dev.nested.x}\n', options({ 'proj/dev': 'values:\n  nested:\n    x: 7\n  other: 1\n' }));
    assert.deepEqual(json(r), { v: 7 });
  });

  it('exposes context.currentEnvironment, rootEnvironment and the caller context', async () => {
    const r = await openEnvironment('proj/root', 'imports:\n  - lib\nvalues:\n  me: ${context.currentEnvironment.name}\n', options({ lib: 'values:\n  who: ${context.currentEnvironment.name}/${context.rootEnvironment.name}/${context.pulumi.user.id}\n' }));
    assert.deepEqual(json(r), { me: 'proj/root', who: 'lib/proj/root/USER_123' });
  });

  it('reports reference cycles and leaves the values unknown', async () => {
    const r = await checkEnvironment('root', 'values:\n  a: ${b}\n  b: ${c}\n  c: ${a}\n', options());
    assert.deepEqual(summaries(r), ['cyclic reference to a']);
    assert.deepEqual(json(r), { a: '[unknown]', b: '[unknown]', c: '[unknown]' });
  });

  it('reports an inline reference back to an environment being evaluated as a cyclic import', async () => {
    const r = await checkEnvironment('root', 'imports:\n  - bad/bad\n', options({ 'bad/bad': 'values:\n  cycle: ${environments.bad.bad.cycle}\n' }));
    assert.deepEqual(r.diagnostics.map((d) => [d.summary, d.path, d.range.environment, d.range.begin.column, d.range.end.column]),
      [['cyclic import of bad/bad', 'values.cycle', 'bad/bad', 10, 39]]);
    assert.deepEqual(json(r), { cycle: '[unknown]' });
  });

  it('reports a cycle through a chain of imports in the environment that closes it', async () => {
    const r = await openEnvironment('root', 'imports:\n  - a\n', options({ a: 'imports:\n  - b\n', b: 'imports:\n  - a\n' }));
    assert.deepEqual(r.diagnostics.map((d) => [d.summary, d.path, d.range.environment, d.range.begin.line, d.range.begin.column]),
      [['cyclic import of a', 'imports[0]', 'b', 2, 5]]);
    assert.deepEqual(json(r), {});
  });

  it('reports unknown properties with a suggestion', async () => {
    const r = await checkEnvironment('root', 'values:\n  region: x\n  a: ${regoin}\n', options());
    assert.deepEqual(summaries(r), ['unknown property "regoin"; did you mean "region"?']);
  });

  it('handles unicode keys in values and interpolations', async () => {
    const r = await openEnvironment('root', 'values:\n  "日本": 東京\n  ключ: ${["日本"]}-${ключ2}\n  ключ2: значение\n', options());
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(json(r), { '日本': '東京', 'ключ': '東京-значение', 'ключ2': 'значение' });
    const missing = await checkEnvironment('root', 'values:\n  ключ: ${нет}\n', options());
    assert.equal(missing.diagnostics[0].range.begin.column, 11);
    assert.equal(missing.diagnostics[0].range.end.column, 14);
  });
});

describe('eval: secrets and unknowns', () => {
  it('redacts and reveals secrets, keeps unknowns unknown in check', async () => {
    const text = 'values:\n  s: { fn::secret: hunter2 }\n  c: { fn::secret: { ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ== } }\n  o: { fn::open::test: { k: v } }\n  j: ${s}-${o.k}\n';
    const checked = await checkEnvironment('root', text, options());
    assert.deepEqual(json(checked), { s: '[secret]', c: '[secret]', o: '[unknown]', j: '[secret]' });
    assert.equal(checked.environment?.properties.c.unknown, true);
    const opened = await openEnvironment('root', text, options());
    assert.deepEqual(json(opened, false), { s: 'hunter2', c: 'hunter2', o: { k: 'v' }, j: 'hunter2-v' });
    assert.deepEqual(json(opened, true), { s: '[secret]', c: '[secret]', o: { k: 'v' }, j: '[secret]' });
    const shown = await checkEnvironment('root', text, { ...options(), showSecrets: true });
    assert.equal(toJSON(shown.environment?.properties.c ?? { value: null, trace: {} }, { redact: false }), 'hunter2');
  });

  it('decodes ciphertext and base64 split over lines, as Go skips line breaks', async () => {
    const text = 'values:\n  c:\n    fn::secret:\n      ciphertext: |\n        ZXNjeAAAAAHo9e70\n        5fKyKo30VQ==\n  b: { fn::fromBase64: "YW\\nJj\\r\\n" }\n  bad: { fn::fromBase64: "ab=d" }\n  cut: { fn::secret: { ciphertext: "ZXNjeAAAAAHo9e705fKyKo30VQ=" } }\n';
    const r = await openEnvironment('root', text, options());
    assert.deepEqual(summaries(r), ['decoding base64 string: illegal base64 data at input byte 2', 'invalid ciphertext: illegal base64 data at input byte 27']);
    assert.deepEqual(json(r, false), { c: 'hunter2', b: 'abc', bad: '[unknown]', cut: '[unknown]' });
  });

  it('reports provider failures and unknown providers at the call', async () => {
    const r = await openEnvironment('root', 'values:\n  a: { fn::open::error: { why: boom } }\n  b: { fn::open::nope: {} }\n', options());
    assert.deepEqual(summaries(r), ['boom', 'unknown provider "nope"']);
    assert.equal(r.diagnostics[0].path, 'values.a');
  });
});

describe('eval: builtins', () => {
  it('decodes JSON like Go: first value only, Go error wording', async () => {
    const text = 'values:\n  ok: { fn::fromJSON: \'{"a": [1, true]} trailing\' }\n  bad: { fn::fromJSON: \'{"a" 1}\' }\n  cut: { fn::fromJSON: "[1, 2" }\n';
    const r = await openEnvironment('root', text, options());
    assert.deepEqual(summaries(r), ["decoding JSON string: invalid character '1' after object key", 'decoding JSON string: unexpected EOF']);
    assert.deepEqual(json(r), { ok: { a: [1, true] }, bad: '[unknown]', cut: '[unknown]' });
  });

  it('computes string builtins', async () => {
    const text = 'values:\n  list: [a, b]\n  j: { fn::join: ["-", "${list}"] }\n  s: { fn::split: [",", "x,y"] }\n  c: { fn::concat: [["${j}"], "${s}"] }\n  b: { fn::toBase64: "${j}" }\n  d: { fn::fromBase64: "${b}" }\n  t: { fn::toString: "${list}" }\n  e: { fn::fromBase64: "not base64!" }\n';
    const r = await openEnvironment('root', text, options());
    assert.deepEqual(summaries(r), ['decoding base64 string: illegal base64 data at input byte 3']);
    assert.deepEqual(json(r), { list: ['a', 'b'], j: 'a-b', s: ['x', 'y'], c: ['a-b', 'x', 'y'], b: 'YS1i', d: 'a-b', t: '"a","b"', e: '[unknown]' });
  });
});

describe('eval: fn::validate', () => {
  it('passes valid values through and reports invalid ones at the value', async () => {
    const text = 'values:\n  ok: { fn::validate: { schema: { type: number, minimum: 0 }, value: 42 } }\n  bad:\n    fn::validate:\n      schema: { type: string }\n      value: 42\n';
    const r = await openEnvironment('root', text, options());
    assert.deepEqual(r.diagnostics.map((d) => [d.summary, d.path, d.range.begin.line]), [['expected string, got number', 'values.bad["fn::validate"].value', 6]]);
    assert.deepEqual(json(r), { ok: 42, bad: '[unknown]' });
  });
});

describe('eval: rotation', () => {
  const text = 'values:\n  x:\n    fn::rotate::swap:\n      inputs: {}\n      state: { a: "1", b: "2" }\n  y:\n    fn::rotate::swap:\n      inputs: {}\n      state: { a: "3", b: "4" }\n';

  it('rotates every rotator and returns patches for their state', async () => {
    const r = await rotateEnvironment('root', text, options());
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.patches.map((p) => [p.docPath, toJSON(p.replacement, { redact: false })]), [
      ['values.x["fn::rotate::swap"].state', { a: '2', b: '1' }],
      ['values.y["fn::rotate::swap"].state', { a: '4', b: '3' }],
    ]);
    assert.deepEqual(json(r), { x: { a: '2', b: '1' }, y: { a: '4', b: '3' } });
  });

  it('accepts rotation paths relative to values or to the document', async () => {
    for (const paths of [['x'], ['values.x'], ['["x"]']]) {
      const r = await rotateEnvironment('root', text, { ...options(), paths });
      assert.deepEqual(r.patches.map((p) => p.docPath), ['values.x["fn::rotate::swap"].state'], paths[0]);
    }
  });

  it('rotates only the selected paths', async () => {
    const r = await rotateEnvironment('root', text, { ...options(), paths: ['y'] });
    assert.deepEqual(r.patches.map((p) => p.docPath), ['values.y["fn::rotate::swap"].state']);
    assert.deepEqual(json(r), { x: { a: '1', b: '2' }, y: { a: '4', b: '3' } });
  });

  it('does not rotate when opening or checking', async () => {
    assert.deepEqual((await openEnvironment('root', text, options())).patches, []);
    assert.deepEqual((await checkEnvironment('root', text, options())).patches, []);
  });
});

describe('eval: language-service information', () => {
  it('records where interpolated properties were defined', async () => {
    const r = await checkEnvironment('root', 'imports:\n  - base\nvalues:\n  a: ${b.c}\n', options({ base: 'values:\n  b:\n    c: 1\n' }));
    const a = r.environment?.exprs.a;
    assert.ok(a?.interpolate);
    const access = a.interpolate[0].access ?? [];
    assert.deepEqual(access.map((x) => x.key), ['b', 'c']);
    assert.equal(access[1].definition?.environment, 'base');
    assert.equal(access[1].definition?.begin.line, 3);
    assert.equal(access[0].range?.begin.column, 8);
  });

  it('describes builtins and objects', async () => {
    const r = await checkEnvironment('root', 'values:\n  o:\n    k: { fn::toBase64: x }\n', options());
    const k = r.environment?.exprs.o.object?.k;
    assert.equal(k?.builtin?.name, 'fn::toBase64');
    assert.equal(k?.builtin?.nameRange?.begin.line, 3);
    assert.equal(r.environment?.exprs.o.keyRanges?.k.begin.column, 5);
  });
});

describe('eval: cancellation', () => {
  it('stops at an aborted signal and says so instead of throwing', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await checkEnvironment('root', 'values:\n  a: 1\n', { ...options(), signal: controller.signal });
    assert.equal(r.cancelled, true);
    assert.equal(r.environment, undefined);
    assert.deepEqual(summaries(r), ['evaluation cancelled']);
  });
});

describe('eval: large documents', () => {
  it('checks a 5,000-line environment quickly and correctly', async function () {
    this.timeout(30000);
    const lines = ['values:'];
    for (let i = 0; lines.length < 5000; i++) lines.push(`  k${i}:`, `    v: ${i}`, `    s: \${k${i}.v}-x`, `    l: [a, b]`);
    const t0 = Date.now();
    const r = await checkEnvironment('big', lines.join('\n') + '\n', options());
    assert.deepEqual(r.diagnostics, []);
    const out = json(r) as Record<string, { s: string }>;
    assert.equal(out.k1000.s, '1000-x');
    assert.ok(Date.now() - t0 < 10000);
  });
});
