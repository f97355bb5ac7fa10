/**
 * Evaluator benchmark: check and open of the corpus `bench` case (one environment importing 26
 * others) and of a generated 5,000-line environment, against the bare `yaml` parse of the same
 * bytes. Prints ms per run (p50/p95 over N runs) and the check/parse ratio (goal: ≤ 3×).
 *
 *   import { benchEvaluator } from './evaluator'; await benchEvaluator({ runs: 20 });
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { checkEnvironment, openEnvironment, type EvalOptions } from '../../shared/src/eval/index';
import type { EnvironmentLoader, LoadedEnvironment } from '../../shared/src/contract/plugins';
import { TEST_CONTEXT, TestDecrypter, TestProviders } from '../conformance/providers';
import { quantiles } from './quantiles';

export interface Timing {
  p50: number;
  p95: number;
  mean: number;
}

export interface BenchFigures {
  name: string;
  lines: number;
  parse: Timing;
  check: Timing;
  open: Timing;
  /** check p50 / bare parse p50 (all files of the case). */
  checkToParse: number;
}

function timing(samples: number[]): Timing {
  const at = quantiles(samples);
  return { p50: at(0.5), p95: at(0.95), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Times `fn(run)`; the run number lets a measurement make every run's input new. */
async function measure(runs: number, fn: (run: number) => unknown): Promise<Timing> {
  for (let i = 0; i < 3; i++) await fn(-1 - i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return timing(samples);
}

/**
 * Loads environments from memory (so I/O does not count). Each text is prefixed with a comment
 * naming the current run: the evaluator caches parses by text, and a benchmark that fed it the
 * same bytes every run would measure cache hits, not evaluation.
 */
class MemoryLoader implements EnvironmentLoader {
  run = 0;
  constructor(private readonly files: Map<string, string>) {}
  async load(name: string): Promise<LoadedEnvironment | undefined> {
    const text = this.files.get(name);
    return text === undefined ? undefined : { text: fresh(text, this.run), decrypter: new TestDecrypter() };
  }
}

function fresh(text: string, run: number): string {
  return `# run ${run}\n${text}`;
}

async function readCase(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await fs.readdir(dir)) {
    if (entry.endsWith('.yaml')) files.set(entry.slice(0, -5), await fs.readFile(path.join(dir, entry), 'utf8'));
  }
  return files;
}

/** A generated environment of about `lines` lines: nested objects, lists, interpolations, secrets, builtins. */
export function generateEnvironment(lines: number): string {
  const out = ['values:'];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `  group${i}:`,
      `    name: service-${i}`,
      `    port: ${1000 + i}`,
      `    enabled: ${i % 2 === 0}`,
      `    url: https://\${group${i}.name}.example.com:\${group${i}.port}`,
      `    password: { fn::secret: "pw-${i}" }`,
      `    tags:`,
      `      - team-${i % 7}`,
      `      - tier-${i % 3}`,
      `    joined: { fn::join: [",", "\${group${i}.tags}"] }`,
      `    encoded: { fn::toBase64: "\${group${i}.name}" }`,
      i > 0 ? `    previous: \${group${i - 1}.name}` : `    previous: none`,
    );
    i++;
  }
  return out.join('\n') + '\n';
}

async function benchCase(name: string, root: string, files: Map<string, string>, runs: number): Promise<BenchFigures> {
  const loader = new MemoryLoader(files);
  const options: EvalOptions = {
    loader,
    providers: new TestProviders({ benchDelayMs: 0 }),
    context: TEST_CONTEXT,
    decrypter: new TestDecrypter(),
  };
  const text = files.get(root) ?? '';
  const all = [...files.values()];
  const parse = await measure(runs, (run) => { for (const t of all) parseDocument(fresh(t, run)); });
  const check = await measure(runs, (run) => checkEnvironment(name, fresh(text, (loader.run = run)), options));
  const open = await measure(runs, (run) => openEnvironment(name, fresh(text, (loader.run = run)), options));
  const lines = all.reduce((n, t) => n + t.split('\n').length, 0);
  return { name, lines, parse, check, open, checkToParse: check.p50 / parse.p50 };
}

function print(f: BenchFigures): void {
  const ms = (t: Timing): string => `p50 ${t.p50.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms`;
  console.log(`${f.name} (${f.lines} lines)`);
  console.log(`  bare yaml parse: ${ms(f.parse)}`);
  console.log(`  check:           ${ms(f.check)}  (${f.checkToParse.toFixed(2)}x bare parse)`);
  console.log(`  open:            ${ms(f.open)}`);
}

/** Runs the evaluator benchmarks and prints the figures. `dir` defaults to the corpus next to the repo. */
export async function benchEvaluator(options: { dir?: string; runs?: number } = {}): Promise<BenchFigures[]> {
  const runs = Math.max(20, options.runs ?? 20);
  const dir = options.dir ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'conformance', 'eval', 'bench');
  const figures: BenchFigures[] = [];
  if (existsSync(path.join(dir, 'env.yaml'))) {
    const files = await readCase(dir);
    figures.push(await benchCase('corpus bench (26 imports)', 'env', files, runs));
  } else {
    console.log(`corpus bench case not found at ${dir}; skipping it`);
  }
  const generated = generateEnvironment(5000);
  figures.push(await benchCase('generated 5,000-line environment', 'generated', new Map([['generated', generated]]), runs));
  for (const f of figures) print(f);
  return figures;
}

if (require.main === module) {
  benchEvaluator().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
