/**
 * Evaluator benchmark: check and open of the corpus `bench` case (one environment importing 26
 * others) and of a generated 5,000-line environment, against the bare `yaml` parse of the same
 * bytes. Prints ms per run (p50/p95 over N runs) and the check/parse ratio (goal: ≤ 3×). Then
 * check vs parse on realistic environments (block scalars, imports, nested maps,
 * interpolations) of 1k, 10k and 100k lines, interleaved, medians (goal, issue 10: ≤ 1.5×).
 *
 *   import { benchEvaluator } from './evaluator'; await benchEvaluator({ runs: 20 });
 *   node out/test/bench/evaluator.js check-vs-parse [LINES…]   # the realistic table alone
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

/**
 * A realistic environment of about `lines` lines, as teams write them: imports, nested maps of
 * services, interpolations, block scalars (literal and folded: certificates, scripts, JSON
 * policies), lists, secrets, builtins and comments.
 */
export function generateRealisticEnvironment(lines: number): string {
  const out = ['# Generated for the check-vs-parse benchmark.', 'imports:', '  - shared/base', 'values:', '  region: eu-west-1', '  domain: example.com'];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `  service${i}:`,
      `    # service ${i} of the fleet`,
      `    name: svc-${i}`,
      `    owner: team-${i % 9}`,
      `    port: ${2000 + (i % 5000)}`,
      `    url: https://svc-${i}.\${domain}/api`,
      `    endpoint: "\${service${i}.url}/v\${service${i}.version}"`,
      `    version: ${1 + (i % 4)}`,
      `    replicas: ${1 + (i % 6)}`,
      `    limits:`,
      `      cpu: "${250 + (i % 4) * 250}m"`,
      `      memory: ${256 * (1 + (i % 8))}Mi`,
      `    labels:`,
      `      app: svc-${i}`,
      `      tier: ${['web', 'api', 'worker'][i % 3]}`,
      `      region: \${region}`,
      `    certificate: |`,
      `      -----BEGIN CERTIFICATE-----`,
      `      MIIBszCCAVmgAwIBAgIU${i}AbCdEfGhIjKlMnOpQrStUvWxYz0wCgYIKoZIzj0E`,
      `      AwIwFzEVMBMGA1UEAwwMc3ZjLSR7aX0uZXhhbXBsZTAeFw0yNDAxMDEwMDAwMDBa`,
      `      -----END CERTIFICATE-----`,
      `    startup: >-`,
      `      exec /usr/bin/svc --port ${2000 + (i % 5000)}`,
      `      --log-level info --region eu-west-1`,
      `    hosts:`,
      `      - svc-${i}-a.internal`,
      `      - svc-${i}-b.internal`,
      `    password:`,
      `      fn::secret: pw-${i}-${(i * 7919) % 100000}`,
      `    dsn: postgres://svc:\${service${i}.password}@db-${i % 3}.internal:5432/svc${i}`,
      `    hostsCsv:`,
      `      fn::join: [",", "\${service${i}.hosts}"]`,
      `    policy:`,
      `      fn::toJSON:`,
      `        Version: "2012-10-17"`,
      `        Statement:`,
      `          - Effect: Allow`,
      `            Action: ["s3:GetObject"]`,
      `            Resource: arn:aws:s3:::bucket-${i}/*`,
      i > 0 ? `    upstream: \${service${i - 1}.endpoint}` : `    upstream: none`,
    );
    i++;
  }
  return out.join('\n') + '\n';
}

/** The environment the realistic ones import. */
const REALISTIC_BASE = 'values:\n  domain: example.org\n  team: platform\n';

/**
 * Check of a realistic environment against the bare `yaml` parse (parseDocument) of the same
 * bytes, one of each per round (interleaved, so load changes on the machine hit both alike), on
 * fresh text every run (no parse cache hit). Goal (issue 10): check ≤ 1.5× the parse.
 */
async function benchCheckVsParse(lines: number, rounds: number): Promise<{ lines: number; parseMs: number; checkMs: number }> {
  const text = generateRealisticEnvironment(lines);
  const loader = new MemoryLoader(new Map([['shared/base', REALISTIC_BASE]]));
  const options: EvalOptions = { loader, providers: new TestProviders({ benchDelayMs: 0 }), context: TEST_CONTEXT, decrypter: new TestDecrypter() };
  const parse: number[] = [];
  const check: number[] = [];
  for (let run = -3; run < rounds; run++) {
    const parseText = fresh(text, run);
    let t0 = performance.now();
    parseDocument(parseText);
    const parseMs = performance.now() - t0;
    const checkText = fresh(text, run + rounds + 10);
    t0 = performance.now();
    const result = await checkEnvironment('realistic', checkText, options);
    const checkMs = performance.now() - t0;
    if ([...result.loadDiagnostics, ...result.diagnostics].some((d) => d.severity === 1)) throw new Error(`the realistic environment has errors: ${[...result.loadDiagnostics, ...result.diagnostics].map((d) => d.summary).join('; ')}`);
    if (run >= 0) {
      parse.push(parseMs);
      check.push(checkMs);
    }
  }
  const median = (samples: number[]): number => quantiles(samples)(0.5);
  return { lines: text.split('\n').length - 1, parseMs: median(parse), checkMs: median(check) };
}

/** Prints the check ÷ parse table for realistic files from 1k to 100k lines. */
export async function benchCheckVsParseTable(sizes: readonly number[] = [1000, 10000, 100000]): Promise<void> {
  console.log('realistic environment (imports, nested maps, block scalars, interpolations): check vs bare yaml parseDocument, medians');
  console.log('   lines   parse ms   check ms   check/parse (goal ≤ 1.5×)');
  for (const lines of sizes) {
    const f = await benchCheckVsParse(lines, lines >= 100000 ? 5 : lines >= 10000 ? 11 : 31);
    console.log(`${String(f.lines).padStart(8)} ${f.parseMs.toFixed(1).padStart(10)} ${f.checkMs.toFixed(1).padStart(10)}   ${(f.checkMs / f.parseMs).toFixed(2)}×`);
  }
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
  await benchCheckVsParseTable();
  return figures;
}

if (require.main === module) {
  (process.argv[2] === 'check-vs-parse' ? benchCheckVsParseTable(process.argv.slice(3).map(Number).filter((n) => n > 0).length > 0 ? process.argv.slice(3).map(Number) : undefined) : benchEvaluator().then(() => undefined)).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
