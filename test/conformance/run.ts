/**
 * The conformance runner: runs every `eval/` and `parse/` case of an ESC corpus folder and prints
 * `PASS name` / `FAIL name: first difference`, then `N passed, M failed`. Exit code 1 when any case
 * failed; 0 (without claiming passes) when the corpus folder is absent.
 *
 *   node out/test/conformance/run.js [--dir DIR] [--filter SUBSTRING]
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  checkEnvironment, environmentJSON, openEnvironment, parseEnvironment, rotateEnvironment, toJSON,
  type EvalOptions, type EvalResult,
} from '../../shared/src/eval/index';
import { diagnosticsDifference, jsonDifference, type ExpectedDiagnostic } from './compare';
import { FolderLoader } from './loader';
import { TEST_CONTEXT, TestDecrypter, TestProviders } from './providers';

interface Overrides {
  showSecrets?: boolean;
  rootEnvironment?: string;
  rotate?: boolean;
  rotatePaths?: string[];
}

interface ExpectedPatch {
  DocPath: string;
  Replacement: unknown;
}

interface ExpectedEval {
  loadDiags?: ExpectedDiagnostic[] | null;
  checkDiags?: ExpectedDiagnostic[] | null;
  evalDiags?: ExpectedDiagnostic[] | null;
  rotateDiags?: ExpectedDiagnostic[] | null;
  checkJson?: unknown;
  evalJsonRedacted?: unknown;
  evalJSONRevealed?: unknown;
  rotateJson?: unknown;
  rotatePatches?: ExpectedPatch[] | null;
}

/** The plain JSON of an expected Replacement (an esc.Value as Go marshals it: {value, secret, unknown, trace}). */
function goValueJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as { value?: unknown; unknown?: boolean };
  if (o.unknown) return '[unknown]';
  const d = o.value;
  if (Array.isArray(d)) return d.map(goValueJson);
  if (d !== null && typeof d === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [k, x] of Object.entries(d)) out[k] = goValueJson(x);
    return out;
  }
  return d === undefined ? null : d;
}

function resultJson(r: EvalResult, redact: boolean): unknown {
  return r.environment === undefined ? null : environmentJSON(r.environment, { redact });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

/** Runs one eval case; returns the first difference or undefined. */
export async function runEvalCase(dir: string): Promise<string | undefined> {
  const expected = await readJson<ExpectedEval>(path.join(dir, 'expected.json'));
  if (expected === undefined) return 'no expected.json';
  const overrides = (await readJson<Overrides>(path.join(dir, 'overrides.json'))) ?? {};
  const name = overrides.rootEnvironment ?? path.basename(dir);
  const text = await fs.readFile(path.join(dir, 'env.yaml'), 'utf8');
  const options: EvalOptions = {
    loader: new FolderLoader(dir),
    providers: new TestProviders(),
    context: TEST_CONTEXT,
    decrypter: new TestDecrypter(),
    showSecrets: overrides.showSecrets ?? false,
  };

  const checked = await checkEnvironment(name, text, options);
  let diff = diagnosticsDifference(expected.loadDiags, checked.loadDiagnostics);
  if (diff !== undefined) return `loadDiags: ${diff}`;
  diff = diagnosticsDifference(expected.checkDiags, checked.diagnostics);
  if (diff !== undefined) return `checkDiags: ${diff}`;
  // The reference always redacts checkJson, even when the check showed secrets.
  diff = jsonDifference(expected.checkJson ?? null, resultJson(checked, true));
  if (diff !== undefined) return `checkJson: ${diff}`;

  const opened = await openEnvironment(name, text, options);
  diff = diagnosticsDifference(expected.evalDiags, opened.diagnostics);
  if (diff !== undefined) return `evalDiags: ${diff}`;
  diff = jsonDifference(expected.evalJsonRedacted ?? null, resultJson(opened, true));
  if (diff !== undefined) return `evalJsonRedacted: ${diff}`;
  diff = jsonDifference(expected.evalJSONRevealed ?? null, resultJson(opened, false));
  if (diff !== undefined) return `evalJSONRevealed: ${diff}`;

  if (overrides.rotate) {
    const rotated = await rotateEnvironment(name, text, { ...options, paths: overrides.rotatePaths });
    diff = diagnosticsDifference(expected.rotateDiags, rotated.diagnostics);
    if (diff !== undefined) return `rotateDiags: ${diff}`;
    diff = jsonDifference(expected.rotateJson ?? null, resultJson(rotated, true));
    if (diff !== undefined) return `rotateJson: ${diff}`;
    const wantPatches = (expected.rotatePatches ?? []).map((p) => ({ docPath: p.DocPath, replacement: goValueJson(p.Replacement) }));
    const gotPatches = rotated.patches.map((p) => ({ docPath: p.docPath, replacement: toJSON(p.replacement, { redact: false }) }));
    diff = jsonDifference(wantPatches, gotPatches);
    if (diff !== undefined) return `rotatePatches: ${diff}`;
  }
  return undefined;
}

/** Runs one parse case. */
export async function runParseCase(dir: string): Promise<string | undefined> {
  const expected = await readJson<{ diags?: ExpectedDiagnostic[] | null }>(path.join(dir, 'expected.json'));
  if (expected === undefined) return 'no expected.json';
  const text = await fs.readFile(path.join(dir, 'env.yaml'), 'utf8');
  const parsed = parseEnvironment(path.basename(dir), text);
  const diff = diagnosticsDifference(expected.diags, parsed.diagnostics);
  return diff === undefined ? undefined : `diags: ${diff}`;
}

async function caseDirs(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)).sort();
}

async function main(argv: string[]): Promise<number> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..');
  let dir = path.resolve(repoRoot, '..', 'shared', 'conformance');
  let filter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dir' && argv[i + 1] !== undefined) dir = path.resolve(argv[++i]);
    else if (argv[i] === '--filter' && argv[i + 1] !== undefined) filter = argv[++i];
  }
  if (!existsSync(dir)) {
    console.log(`conformance corpus not found at ${dir}; nothing to run`);
    return 0;
  }
  let passed = 0;
  let failed = 0;
  const groups: [string, (d: string) => Promise<string | undefined>][] = [['eval', runEvalCase], ['parse', runParseCase]];
  for (const [group, run] of groups) {
    for (const caseDir of await caseDirs(path.join(dir, group))) {
      const name = `${group}/${path.basename(caseDir)}`;
      if (filter !== undefined && !name.includes(filter)) continue;
      // Load cases (no expected.json, e.g. `bench`) are not correctness cases.
      if (!existsSync(path.join(caseDir, 'expected.json'))) continue;
      let diff: string | undefined;
      try {
        diff = await run(caseDir);
      } catch (err) {
        diff = `exception: ${(err as Error).stack ?? String(err)}`;
      }
      if (diff === undefined) {
        passed++;
        console.log(`PASS ${name}`);
      } else {
        failed++;
        console.log(`FAIL ${name}: ${diff}`);
      }
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
