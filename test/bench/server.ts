/**
 * Language-server benchmark, through the real server process and a real LSP client over stdio:
 *   - didChange → publishDiagnostics latency on a generated 5,000-line environment with 20
 *     imports, editing one value per change (default settings: what a user waits for — an edit
 *     inside one entry is checked incrementally);
 *   - completion and hover latency on that environment;
 *   - server RSS with 1,000 environment files in the workspace model (all parsed: a
 *     find-references over the workspace reads every one).
 * Goals: diagnostics ≤ 50 ms p95, completion/hover ≤ 10 ms p95, RSS ≤ 150 MB.
 *
 *   import { benchServer } from './server'; await benchServer();
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CompletionRequest, HoverRequest, ReferencesRequest, type CompletionList } from 'vscode-languageserver-protocol/node';
import { ServerSession } from '../integration/lsp-support';
import { parseEscDocument } from '../../shared/src/language/model';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { quantiles } from './quantiles';

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface ServerBenchFigures {
  lines: number;
  imports: number;
  diagnostics: Percentiles;
  /** didChange → publishDiagnostics for an edit outside `values` entries (a full check). */
  fullDiagnostics: Percentiles;
  completion: Percentiles;
  hover: Percentiles;
  /** Resident set size in MB with 1,000 environment files, after the workspace was fully read. */
  rssMb: number;
  /** RSS right after initialization (files found, none parsed yet). */
  rssIdleMb: number;
  /** In-process breakdown of one validation: the language model's parse and the evaluator's check. */
  modelParse: Percentiles;
  evaluatorCheck: Percentiles;
  environments: number;
}

function percentiles(samples: number[]): Percentiles {
  const at = quantiles(samples);
  return { p50: Number(at(0.5).toFixed(2)), p95: Number(at(0.95).toFixed(2)) };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** 20 imported environments (`bench/imp-NN`) and a 5,000-line root importing them all. */
function generateLargeWorkspace(dir: string, imports = 20, targetLines = 5000): { rootPath: string; text: string } {
  for (let i = 0; i < imports; i++) {
    const id = String(i).padStart(2, '0');
    const lines = ['values:', `  imp${id}:`, `    region: us-east-${i % 4}`, `    name: import-${id}`];
    for (let k = 0; k < 20; k++) lines.push(`    key${k}: value-${id}-${k}`);
    lines.push(`  shared:`, `    from: imp${id}`);
    write(join(dir, 'environments/bench', `imp-${id}.yaml`), lines.join('\n') + '\n');
  }
  const lines = ['imports:'];
  for (let i = 0; i < imports; i++) lines.push(`  - bench/imp-${String(i).padStart(2, '0')}`);
  lines.push('values:');
  let group = 0;
  while (lines.length < targetLines - 12) {
    const imp = String(group % imports).padStart(2, '0');
    lines.push(
      `  group${group}:`,
      `    name: group-${group}`,
      `    region: \${imp${imp}.region}`,
      `    url: https://\${imp${imp}.name}.example.com/\${group${group}.name}`,
      `    port: ${8000 + (group % 1000)}`,
      `    enabled: ${group % 2 === 0}`,
      `    tags: [a, b, c]`,
      `    nested:`,
      `      key: \${imp${imp}.key${group % 20}}`,
      `      joined:`,
      `        fn::join: ["-", ["\${group${group}.name}", x]]`,
    );
    group++;
  }
  lines.push('  environmentVariables:', '    REGION: ${group0.region}', '    URL: ${group1.url}');
  lines.push('  login:', '    fn::open::aws-login:', '      oidc:', '        roleArn: arn:aws:iam::123456789012:role/esc', '        sessionName: bench');
  const text = lines.join('\n') + '\n';
  const rootPath = join(dir, 'environments/bench/root.yaml');
  write(rootPath, text);
  return { rootPath, text };
}

function generateManyEnvironments(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const project = `p${Math.floor(i / 50)}`;
    const lines: string[] = [];
    if (i % 50 !== 0) lines.push('imports:', `  - ${project}/env${Math.floor(i / 50) * 50}`);
    lines.push('values:', '  shared: 1', `  env${i}:`, `    name: env-${i}`, `    region: us-west-${i % 3}`);
    for (let k = 0; k < 20; k++) lines.push(`    key${k}: \${shared}-${k}`);
    lines.push('  secret:', '    fn::secret:', '      ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ==');
    write(join(dir, 'environments', project, `env${i}.yaml`), lines.join('\n') + '\n');
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Number((kb / 1024).toFixed(1));
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Server RSS with `count` environment files, after a find-references read every one of them. */
export async function measureWorkspaceRss(count = 1000): Promise<{ idleMb: number; loadedMb: number }> {
  const manyDir = mkdtempSync(join(tmpdir(), 'esc-ls-bench-many-'));
  try {
    generateManyEnvironments(manyDir, count);
    const many = await ServerSession.start(pathToFileURL(manyDir).href);
    try {
      const idleMb = rssMb(many.process.pid!);
      const first = pathToFileURL(join(manyDir, 'environments/p0/env1.yaml')).href;
      const firstText = readFileSync(join(manyDir, 'environments/p0/env1.yaml'), 'utf8');
      await many.open(first, firstText, 1);
      // `shared` is referenced by every environment: references reads and resolves all of them.
      const sharedLine = firstText.split('\n').findIndex((l) => l.startsWith('  shared:'));
      const refs = await many.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: first }, position: { line: sharedLine, character: 3 }, context: { includeDeclaration: false } });
      if (!refs || refs.length < 20) throw new Error(`expected references across the workspace, got ${refs?.length ?? 0}`);
      return { idleMb, loadedMb: rssMb(many.process.pid!) };
    } finally {
      await many.stop();
    }
  } finally {
    rmSync(manyDir, { recursive: true, force: true });
  }
}

export async function benchServer(options: { changes?: number; requests?: number } = {}): Promise<ServerBenchFigures> {
  const changes = options.changes ?? 40;
  const requests = options.requests ?? 200;
  const dir = mkdtempSync(join(tmpdir(), 'esc-ls-bench-'));
  try {
    const { rootPath, text } = generateLargeWorkspace(dir);
    const uri = pathToFileURL(rootPath).href;
    const server = await ServerSession.start(pathToFileURL(dir).href);
    let diagnostics: Percentiles;
    let fullDiagnostics: Percentiles;
    let completion: Percentiles;
    let hover: Percentiles;
    try {
      await server.open(uri, text, 1);
      // didChange → publishDiagnostics: edit one scalar per change, as typing does.
      const samples: number[] = [];
      let version = 1;
      for (let i = 0; i < changes + 3; i++) {
        version++;
        const edited = text.replace('    port: 8000\n', `    port: ${9000 + i}\n`);
        const ms = await timed(() => server.replace(uri, edited, version));
        if (i >= 3) samples.push(ms); // warm-up
      }
      diagnostics = percentiles(samples);
      // An edit of the header (a comment above `imports`) needs a full check.
      const fullSamples: number[] = [];
      for (let i = 0; i < 12; i++) {
        version++;
        const ms = await timed(() => server.replace(uri, `# revision ${i}\n${text}`, version));
        if (i >= 2) fullSamples.push(ms);
      }
      fullDiagnostics = percentiles(fullSamples);
      const latest = text.replace('    port: 8000\n', `    port: ${9000 + changes + 2}\n`);
      await server.replace(uri, latest, ++version);
      const latestLines = latest.split('\n');
      // Completion inside `${imp07.` (a member of an import) and hover on a reference, spread over the file.
      const urlLines = latestLines.map((l, n) => (l.includes('    url: https://${imp') ? n : -1)).filter((n) => n >= 0);
      const completionSamples: number[] = [];
      const hoverSamples: number[] = [];
      for (let i = 0; i < requests + 5; i++) {
        const line = urlLines[(i * 37) % urlLines.length]!;
        const character = latestLines[line]!.indexOf('${imp') + 8; // after `${imp07.`
        let items = 0;
        const c = await timed(async () => {
          const list = (await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })) as CompletionList;
          items = list.items.length;
        });
        if (items === 0) throw new Error(`no completion items at ${line}:${character}`);
        const h = await timed(() => server.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: character - 2 } }));
        if (i >= 5) {
          completionSamples.push(c);
          hoverSamples.push(h);
        }
      }
      completion = percentiles(completionSamples);
      hover = percentiles(hoverSamples);
    } finally {
      await server.stop();
    }

    // Where validation time goes, in-process: the language service's YAML model and the evaluator.
    const parseSamples: number[] = [];
    const checkSamples: number[] = [];
    const checker = createCheckModeChecker({});
    const importsDir = join(dir, 'environments');
    const loader = { load: async (name: string) => ({ text: readFileSync(join(importsDir, `${name}.yaml`), 'utf8') }) };
    for (let i = 0; i < 13; i++) {
      const parse = await timed(async () => parseEscDocument('bench', 'bench/root', text));
      const check = await timed(() => checker.check('bench/root', loader));
      if (i >= 3) {
        parseSamples.push(parse);
        checkSamples.push(check);
      }
    }

    // RSS with 1,000 environment files in the workspace.
    const { idleMb: rssIdle, loadedMb: rss } = await measureWorkspaceRss(1000);
    const figures: ServerBenchFigures = { lines: text.split('\n').length - 1, imports: 20, diagnostics, fullDiagnostics, completion, hover, rssMb: rss, rssIdleMb: rssIdle, environments: 1000, modelParse: percentiles(parseSamples), evaluatorCheck: percentiles(checkSamples) };
    console.log(`language server (${figures.lines}-line environment, ${figures.imports} imports):`);
    console.log(`  didChange → publishDiagnostics  p50 ${diagnostics.p50} ms  p95 ${diagnostics.p95} ms  (goal ≤ 50 ms p95)`);
    console.log(`  (edit outside values entries: full check p50 ${fullDiagnostics.p50} ms  p95 ${fullDiagnostics.p95} ms)`);
    console.log(`    of which (in-process p50): language model parse ${figures.modelParse.p50} ms, evaluator check ${figures.evaluatorCheck.p50} ms`);
    console.log(`  completion                      p50 ${completion.p50} ms  p95 ${completion.p95} ms  (goal ≤ 10 ms p95)`);
    console.log(`  hover                           p50 ${hover.p50} ms  p95 ${hover.p95} ms  (goal ≤ 10 ms p95)`);
    console.log(`  RSS with ${figures.environments} environment files: ${rss} MB after reading all (${rssIdle} MB idle)  (goal ≤ 150 MB)`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchServer().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
