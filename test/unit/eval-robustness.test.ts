/**
 * Malformed input of any kind yields located diagnostics, never an exception: deterministic
 * mutations (truncation, byte flips, inserted YAML punctuation) of sample environments are parsed,
 * checked and opened.
 */
import { strict as assert } from 'node:assert';
import {
  checkEnvironment, openEnvironment, parseEnvironment, rotateEnvironment, type EvalOptions,
} from '../../shared/src/eval/index';
import type { Diagnostic } from '../../shared/src/syntax/diagnostic';
import type { EnvironmentLoader, LoadedEnvironment } from '../../shared/src/contract/plugins';
import { TEST_CONTEXT, TestDecrypter, TestProviders } from '../conformance/providers';

const SAMPLES = [
  'imports:\n  - a\n  - b: { merge: false }\nvalues:\n  x: ${a.y}\n  s: { fn::secret: hunter2 }\n  o: { fn::open::test: { k: "${x}" } }\n',
  'values:\n  j: { fn::join: [",", ["${l[0]}", b]] }\n  l: [1, 2, 3]\n  t: { fn::toJSON: { a: [1, { b: 2 }] } }\n  f: { fn::fromJSON: "${t}" }\n',
  'values:\n  r:\n    fn::rotate::swap:\n      inputs: {}\n      state: { a: x, b: y }\n  e: ${environments.p.e.v}\n  c: ${context.pulumi.user.id}\n',
  'values:\n  m: |\n    multi ${line}\n    text\n  q: "quoted ${q2}"\n  q2: \'single\'\n  u: ${["日本"].x}\n  "日本": { x: y }\n',
  'values:\n  c: { fn::secret: { ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ== } }\n  b: { fn::fromBase64: "${c}" }\n  v: { fn::validate: { schema: { type: number }, value: "${c}" } }\n',
];

const PUNCTUATION = [':', '-', '[', ']', '{', '}', '"', "'", '$', '${', '}', '\n', '  ', '\t', '&', '*', '!', '|', '>', '#', '%', '@', '`', ',', '?', '\\', '\u0000', '日'];

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    switch (Math.floor(rnd() * 4)) {
      case 0: s = s.slice(0, at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 5)); break;
      default: s = s.slice(0, at) + PUNCTUATION[Math.floor(rnd() * PUNCTUATION.length)] + s.slice(at);
    }
  }
  return s;
}

class MemoryLoader implements EnvironmentLoader {
  constructor(private readonly files: Record<string, string>) {}
  async load(name: string): Promise<LoadedEnvironment | undefined> {
    const text = this.files[name];
    return text === undefined ? undefined : { text, decrypter: new TestDecrypter() };
  }
}

function assertLocated(d: Diagnostic, text: string): void {
  assert.ok(d.severity === 1 || d.severity === 2);
  assert.equal(typeof d.summary, 'string');
  assert.ok(d.summary.length > 0);
  assert.ok(!d.summary.startsWith('internal error'), `internal error for ${JSON.stringify(text)}: ${d.summary}`);
  assert.ok(d.range.begin.line >= 1 && d.range.begin.column >= 1, `unlocated ${JSON.stringify(d)} for ${JSON.stringify(text)}`);
}

describe('eval: malformed input never throws', () => {
  it('survives 600 mutated documents in parse, check, open and rotate', async () => {
    const rnd = random(42);
    const files = { a: 'values:\n  y: 1\n', b: 'imports:\n  - a\n', 'p/e': 'values:\n  v: 2\n' };
    const options: EvalOptions = { loader: new MemoryLoader(files), providers: new TestProviders(), context: TEST_CONTEXT, decrypter: new TestDecrypter() };
    let withDiagnostics = 0;
    for (let i = 0; i < 600; i++) {
      const text = mutate(SAMPLES[i % SAMPLES.length], rnd);
      const parsed = parseEnvironment('m', text);
      parsed.diagnostics.forEach((d) => assertLocated(d, text));
      const mode = i % 3;
      const r = mode === 0 ? await checkEnvironment('m', text, options)
        : mode === 1 ? await openEnvironment('m', text, options)
        : await rotateEnvironment('m', text, options);
      r.diagnostics.forEach((d) => assertLocated(d, text));
      if (r.diagnostics.length + r.loadDiagnostics.length > 0) withDiagnostics++;
    }
    assert.ok(withDiagnostics > 100, `only ${withDiagnostics} mutated documents had diagnostics`);
  });

  it('handles imported environments that are malformed, missing or not objects', async () => {
    const files = { bad: 'values: [', list: '- a\n- b\n', scalar: 'just text\n', empty: '' };
    const options: EvalOptions = { loader: new MemoryLoader(files), providers: new TestProviders(), context: TEST_CONTEXT };
    const r = await checkEnvironment('root', 'imports:\n  - bad\n  - list\n  - scalar\n  - empty\n  - missing\nvalues:\n  a: 1\n', options);
    assert.deepEqual(r.environment?.properties.a.value, 1);
    const byEnv = r.diagnostics.map((d) => [d.range.environment, d.summary]);
    assert.deepEqual(byEnv.filter(([e]) => e === 'list'), [['list', 'environment must be an object']]);
    assert.ok(byEnv.some(([e, s]) => e === 'bad' && String(s).startsWith('yaml: ')));
    assert.ok(byEnv.some(([, s]) => s === 'environment "missing" not found'));
  });
});
