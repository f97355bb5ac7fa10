/**
 * CLI start-up benchmark: the built executable (dist/cli.js, what `esc-local` runs) spawned again
 * and again, against a bare `node -e 0` on the same machine at the same moment. The three are
 * interleaved (one of each per round), so a load change on the machine hits all of them alike.
 *   - `esc-local --version`;
 *   - `esc-local check` of a small environment (one file, a few values, a secret, an import).
 * Goal: both ≤ 1.5× `node -e 0` (median wall time).
 *
 *   import { benchStartup } from './startup'; await benchStartup();
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { quantiles } from './quantiles';

const CLI = resolve(__dirname, '../../../dist/cli.js');

export interface StartupFigures {
  nodeMs: number;
  versionMs: number;
  checkMs: number;
}

function timeSpawn(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr.toString('utf8')}`);
  return elapsed;
}

function smallWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'esc-bench-startup-'));
  mkdirSync(join(dir, 'environments', 'app'), { recursive: true });
  writeFileSync(join(dir, 'environments', 'app', 'base.yaml'), 'values:\n  region: eu-west-1\n');
  writeFileSync(
    join(dir, 'environments', 'app', 'dev.yaml'),
    'imports:\n  - app/base\nvalues:\n  name: dev\n  url: https://${name}.example.com/${region}\n  environmentVariables:\n    APP_URL: ${url}\n',
  );
  return dir;
}

export async function benchStartup(rounds = 25): Promise<StartupFigures> {
  const workspace = smallWorkspace();
  try {
    const node: number[] = [];
    const version: number[] = [];
    const check: number[] = [];
    timeSpawn([CLI, 'check', '--workspace', workspace, 'app/dev']); // warm the file cache
    for (let i = 0; i < rounds; i++) {
      node.push(timeSpawn(['-e', '0']));
      version.push(timeSpawn([CLI, '--version']));
      check.push(timeSpawn([CLI, 'check', '--workspace', workspace, 'app/dev']));
    }
    const median = (samples: number[]): number => quantiles(samples)(0.5);
    const figures = { nodeMs: median(node), versionMs: median(version), checkMs: median(check) };
    const ratio = (ms: number): string => `${(ms / figures.nodeMs).toFixed(2)}× node -e 0`;
    console.log(`node -e 0                          median ${figures.nodeMs.toFixed(1)} ms (${rounds} runs)`);
    console.log(`esc-local --version                median ${figures.versionMs.toFixed(1)} ms, ${ratio(figures.versionMs)} (goal ≤ 1.5×)`);
    console.log(`esc-local check (2 small files)    median ${figures.checkMs.toFixed(1)} ms, ${ratio(figures.checkMs)} (goal ≤ 1.5×)`);
    return figures;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
