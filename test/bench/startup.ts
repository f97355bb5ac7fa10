/**
 * CLI start-up benchmark: the built executable (dist/cli.js, what `esc-local` runs) spawned again
 * and again, against a bare `node -e 0` on the same machine at the same moment. All cases are
 * interleaved (one of each per round), so a load change on the machine hits all of them alike.
 *   - `esc-local --version`;
 *   - `esc-local check` of a small environment (one file, a few values, an import);
 *   - `esc-local check` of a 1,000-line environment (200 entries with interpolations).
 * Goal: `--version` and the small check ≤ 1.5× `node -e 0` (median wall time).
 *
 * NODE_EXTRA_CA_CERTS makes every Node process parse that certificate file at start (on a machine
 * where it names the system bundle, most of `node -e 0`): the same milliseconds added to both
 * sides flatter the ratios. When it is set, each case is also run without it, which is how most
 * users run the CLI, and both sets of figures are printed.
 *
 *   import { benchStartup } from './startup'; await benchStartup();
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantiles } from './quantiles';

const CLI = resolve(__dirname, '../../../dist/cli.js');

export interface StartupFigures {
  nodeMs: number;
  versionMs: number;
  checkMs: number;
  checkLargeMs: number;
}

function timeSpawn(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString('utf8')}`);
  return elapsed;
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'esc-bench-startup-'));
  mkdirSync(join(dir, 'environments', 'app'), { recursive: true });
  writeFileSync(join(dir, 'environments', 'app', 'base.yaml'), 'values:\n  region: eu-west-1\n');
  writeFileSync(
    join(dir, 'environments', 'app', 'dev.yaml'),
    'imports:\n  - app/base\nvalues:\n  name: dev\n  url: https://${name}.example.com/${region}\n  environmentVariables:\n    APP_URL: ${url}\n',
  );
  let large = 'imports:\n  - app/base\nvalues:\n';
  for (let i = 0; i < 200; i++) large += `  svc${i}:\n    host: svc${i}.example.com\n    url: https://\${svc${i}.host}/\${region}\n    port: ${1000 + i}\n    tags: [a, b, c]\n`;
  writeFileSync(join(dir, 'environments', 'app', 'large.yaml'), large);
  return dir;
}

function measure(ws: string, env: NodeJS.ProcessEnv, rounds: number): StartupFigures {
  const cases = {
    nodeMs: ['-e', '0'],
    versionMs: [CLI, '--version'],
    checkMs: [CLI, 'check', '--workspace', ws, 'app/dev'],
    checkLargeMs: [CLI, 'check', '--workspace', ws, 'app/large'],
  };
  const samples = new Map<keyof StartupFigures, number[]>();
  for (const [name, args] of Object.entries(cases) as [keyof StartupFigures, string[]][]) {
    timeSpawn(args, env); // warm the file cache
    samples.set(name, []);
  }
  for (let i = 0; i < rounds; i++) for (const [name, args] of Object.entries(cases) as [keyof StartupFigures, string[]][]) samples.get(name)!.push(timeSpawn(args, env));
  const median = (name: keyof StartupFigures): number => quantiles(samples.get(name)!)(0.5);
  return { nodeMs: median('nodeMs'), versionMs: median('versionMs'), checkMs: median('checkMs'), checkLargeMs: median('checkLargeMs') };
}

function print(title: string, figures: StartupFigures, rounds: number): void {
  const ratio = (ms: number): string => `${(ms / figures.nodeMs).toFixed(2)}× node -e 0`;
  console.log(`${title} (${rounds} runs each, interleaved; load average ${loadavg()[0].toFixed(1)})`);
  console.log(`  node -e 0                          median ${figures.nodeMs.toFixed(1)} ms`);
  console.log(`  esc-local --version                median ${figures.versionMs.toFixed(1)} ms, ${ratio(figures.versionMs)} (goal ≤ 1.5×)`);
  console.log(`  esc-local check (2 small files)    median ${figures.checkMs.toFixed(1)} ms, ${ratio(figures.checkMs)} (goal ≤ 1.5×)`);
  console.log(`  esc-local check (1,000 lines)      median ${figures.checkLargeMs.toFixed(1)} ms, ${ratio(figures.checkLargeMs)}`);
}

/** Figures as the environment runs them; `withoutExtraCaCerts` is set when NODE_EXTRA_CA_CERTS was. */
export async function benchStartup(rounds = 25): Promise<{ asRun: StartupFigures; withoutExtraCaCerts?: StartupFigures }> {
  const ws = workspace();
  try {
    const asRun = measure(ws, process.env, rounds);
    print('as this environment runs Node', asRun, rounds);
    if (process.env.NODE_EXTRA_CA_CERTS === undefined) return { asRun };
    const plain = { ...process.env };
    delete plain.NODE_EXTRA_CA_CERTS;
    const withoutExtraCaCerts = measure(ws, plain, rounds);
    print('without NODE_EXTRA_CA_CERTS (Node parses none of its certificates at start)', withoutExtraCaCerts, rounds);
    return { asRun, withoutExtraCaCerts };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
