/**
 * The editor-speed benchmark of issue 10, side by side with yaml-language-server 2.x on the same
 * files, each through a real LSP client over stdio (median of `runs` runs, printed as a table):
 *   - last key → diagnostics after a typing burst at 20 ms a key on a 20,000-line environment:
 *     `x`, backspace, then 20 characters inside a value; and a new top-level entry typed line;
 *   - completion and hover sent right after a one-character edit, at 5,000 and 20,000 lines;
 *   - CPU the server spends in the 1.5 s after an incremental result (the confirming full
 *     re-check, if any) against the CPU of one full check;
 *   - opening 1,000 environment files (until each has diagnostics; the servers take turns run by
 *     run) with the server's CPU time until then, and RSS after, then closing
 *     them all and RSS after;
 *   - in-process: a check against a bare `yaml` parse of the same bytes, 1k to 100k lines: the
 *     evaluator's check alone, repeated on one text (its caches warm), and what `esc-local check`
 *     does — the language service's diagnostics (document model + evaluator) of a text no cache
 *     has seen.
 * `ESC_BENCH_BEFORE=<dist/server.js of another build>` adds that build's column ("before").
 * `ESC_BENCH_ONLY=burst,entry,requests,cpu,open,ratio` runs only those groups (default: all;
 * `ESC_BENCH_ONLY=open` runs only the 1,000-file scenario, `node out/test/bench/typing.js`);
 * `ESC_BENCH_NO_PEER=1` leaves the peer out (quick runs while working; report with the peer).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import {
  CompletionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  type PublishDiagnosticsParams,
  type Range,
} from 'vscode-languageserver-protocol/node';
import { ServerSession, REPO_ROOT, SERVER_MAIN } from '../integration/lsp-support';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';
import { EscLanguageService } from '../../shared/src/language/service';
import { quantiles } from './quantiles';

const PEER_MAIN = join(REPO_ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');
const KEY_INTERVAL_MS = 20;

type Row = { scenario: string; target: string; values: Map<string, number | undefined>; unit: string };

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (samples: number[]): number => Number(quantiles(samples)(0.5).toFixed(1));

/** A realistic environment of about `targetLines` lines: nested maps, imports, interpolations, block scalars. */
export function realisticEnvironment(targetLines: number, imports = 5): string {
  const lines = ['imports:'];
  for (let i = 0; i < imports; i++) lines.push(`  - bench/imp-${i}`);
  lines.push('values:');
  let group = 0;
  while (lines.length < targetLines - 6) {
    const imp = group % imports;
    lines.push(
      `  group${group}:`,
      `    name: group-${group}`,
      `    region: \${imp${imp}.region}`,
      `    url: https://\${imp${imp}.name}.example.com/\${group${group}.name}`,
      `    port: ${8000 + (group % 1000)}`,
      `    enabled: ${group % 2 === 0}`,
      `    script: |`,
      `      #!/bin/sh`,
      `      echo "deploying group ${group} to \${group${group}.region}"`,
      `      exit 0`,
      `    nested:`,
      `      key: \${imp${imp}.key${group % 5}}`,
      `      joined:`,
      `        fn::join: ["-", ["\${group${group}.name}", x]]`,
    );
    group++;
  }
  lines.push('  environmentVariables:', '    REGION: ${group0.region}', '    URL: ${group1.url}');
  return lines.join('\n') + '\n';
}

function writeImports(dir: string, imports = 5): void {
  for (let i = 0; i < imports; i++) {
    const lines = ['values:', `  imp${i}:`, `    region: us-east-${i % 4}`, `    name: import-${i}`];
    for (let k = 0; k < 5; k++) lines.push(`    key${k}: value-${i}-${k}`);
    write(join(dir, 'environments/bench', `imp-${i}.yaml`), lines.join('\n') + '\n');
  }
}

/** CPU time of process `pid` (or of its thread `tid`), in ms. */
function cpuMs(pid: number, tid?: number): number {
  const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 Hz ticks
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Number((kb / 1024).toFixed(0));
}

/** A client session on one server (ours or the peer), with versioned range edits. */
class Editor {
  private version = 1;
  private lines: string[] = [];
  constructor(
    readonly session: ServerSession,
    readonly uri: string,
    private readonly versioned: boolean,
  ) {}

  static async start(serverMain: string, folder: string): Promise<ServerSession> {
    return ServerSession.start(pathToFileURL(folder).href, {}, ['--stdio'], serverMain);
  }

  get pid(): number {
    return this.session.process.pid!;
  }

  /** The next diagnostics of this document for the version after the next edit (any, for a peer without versions). */
  diagnosticsOfNextEdit(timeoutMs = 60000): Promise<PublishDiagnosticsParams> {
    return this.diagnosticsOf(this.version + 1, timeoutMs);
  }

  diagnosticsOf(version: number, timeoutMs = 60000): Promise<PublishDiagnosticsParams> {
    return this.session.nextDiagnostics(this.uri, (p) => !this.versioned || p.version === undefined || p.version === null || p.version === version, timeoutMs);
  }

  async open(text: string, languageId: string): Promise<void> {
    this.lines = text.split('\n');
    const published = this.diagnosticsOf(this.version);
    await this.session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: this.uri, languageId, version: this.version, text } });
    await published;
  }

  lineText(line: number): string {
    return this.lines[line]!;
  }

  /** Replaces `range` (one line only, or an insertion of a line break) by `text`. */
  async edit(range: Range, text: string): Promise<void> {
    const line = this.lines[range.start.line]!;
    if (text === '\n') this.lines.splice(range.start.line, 1, line.slice(0, range.start.character), line.slice(range.start.character));
    else this.lines[range.start.line] = line.slice(0, range.start.character) + text + line.slice(range.end.character);
    this.version++;
    await this.session.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: this.uri, version: this.version }, contentChanges: [{ range, text }] });
  }

  async type(line: number, character: number, text: string): Promise<void> {
    await this.edit({ start: { line, character }, end: { line, character } }, text);
  }

  async backspace(line: number, character: number): Promise<void> {
    await this.edit({ start: { line, character: character - 1 }, end: { line, character } }, '');
  }
}

interface ServerUnderTest {
  name: string;
  main: string;
  peer: boolean;
}

/** Last key → diagnostics (ms) for the burst `keys` (each an edit) sent KEY_INTERVAL_MS apart. */
async function burst(editor: Editor, keys: (() => Promise<void>)[]): Promise<number> {
  for (const [i, key] of keys.entries()) {
    if (i > 0) await sleep(KEY_INTERVAL_MS);
    if (i === keys.length - 1) {
      const start = performance.now();
      const published = editor.diagnosticsOfNextEdit();
      await key();
      await published;
      return performance.now() - start;
    }
    await key();
  }
  return NaN;
}

async function withEditor<T>(server: ServerUnderTest, lines: number, fn: (editor: Editor) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'esc-bench-typing-'));
  try {
    writeImports(dir);
    const path = join(dir, 'environments/bench/root.yaml');
    const text = realisticEnvironment(lines);
    write(path, text);
    const session = await Editor.start(server.main, dir);
    try {
      const editor = new Editor(session, pathToFileURL(path).href, true);
      await editor.open(text, server.peer ? 'yaml' : 'esc');
      await sleep(300);
      return await fn(editor);
    } finally {
      await session.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The line of `  groupN:`'s `name:` value around the middle of the document, and its end column. */
function middleValue(editor: Editor, lines: number): { line: number; end: number } {
  for (let line = Math.floor(lines / 2); ; line++) {
    const text = editor.lineText(line);
    if (text.startsWith('    name: group-')) return { line, end: text.length };
  }
}

function middleEntryStart(editor: Editor, lines: number): number {
  for (let line = Math.floor(lines / 2); ; line++) if (/^ {2}group\d+:$/.test(editor.lineText(line))) return line;
}

async function typingBurst(server: ServerUnderTest, lines: number): Promise<number> {
  return withEditor(server, lines, async (editor) => {
    const { line, end } = middleValue(editor, lines);
    const keys: (() => Promise<void>)[] = [() => editor.type(line, end, 'x'), () => editor.backspace(line, end + 1)];
    for (let i = 0; i < 20; i++) keys.push(() => editor.type(line, end + i, 'abcdefghijklmnopqrst'[i]!));
    return burst(editor, keys);
  });
}

async function newEntryBurst(server: ServerUnderTest, lines: number): Promise<number> {
  return withEditor(server, lines, async (editor) => {
    const at = middleEntryStart(editor, lines);
    const entry = '  fresh: ${group1.name}-x';
    const keys: (() => Promise<void>)[] = [() => editor.type(at, 0, '\n')];
    // The new line is `at`; the entry starts out as the indentation.
    keys.push(() => editor.type(at, 0, '  '));
    for (let i = 2; i < entry.length; i++) keys.push(() => editor.type(at, i, entry[i]!));
    return burst(editor, keys);
  });
}

/** Completion and hover, each sent right after a one-character edit (median of 5). */
async function requestsAfterEdit(server: ServerUnderTest, lines: number): Promise<{ completion: number; hover: number }> {
  return withEditor(server, lines, async (editor) => {
    const completion: number[] = [];
    const hover: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { line, end } = middleValue(editor, lines);
      const urlLine = line + 2; // `    url: https://${impN.name}…`
      const character = editor.lineText(urlLine).indexOf('${imp') + 7;
      await editor.type(line, end, 'y');
      let start = performance.now();
      await editor.session.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: editor.uri }, position: { line: urlLine, character } });
      completion.push(performance.now() - start);
      await editor.type(line, end + 1, 'z');
      start = performance.now();
      await editor.session.connection.sendRequest(HoverRequest.type, { textDocument: { uri: editor.uri }, position: { line: urlLine, character: character - 2 } });
      hover.push(performance.now() - start);
      await sleep(400);
    }
    return { completion: median(completion), hover: median(hover) };
  });
}

/** CPU (ms) in the 1.5 s after an incremental result, and CPU of one full check (a header edit). */
async function followUpCpu(server: ServerUnderTest, lines: number): Promise<{ after: number; full: number }> {
  return withEditor(server, lines, async (editor) => {
    const { line, end } = middleValue(editor, lines);
    let published = editor.diagnosticsOfNextEdit();
    await editor.type(line, end, 'q');
    await published;
    const before = cpuMs(editor.pid);
    await sleep(1500);
    const after = cpuMs(editor.pid) - before;
    const fullStart = cpuMs(editor.pid);
    published = editor.diagnosticsOfNextEdit();
    await editor.type(0, 0, '# header\n');
    await published;
    await sleep(200);
    return { after, full: cpuMs(editor.pid) - fullStart };
  });
}

function generateManyEnvironments(dir: string, count: number): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const project = `p${Math.floor(i / 50)}`;
    const lines: string[] = [];
    if (i % 50 !== 0) lines.push('imports:', `  - ${project}/env${Math.floor(i / 50) * 50}`);
    lines.push('values:', '  shared: 1', `  env${i}:`, `    name: env-${i}`, `    region: us-west-${i % 3}`);
    for (let k = 0; k < 20; k++) lines.push(`    key${k}: \${shared}-${k}`);
    lines.push('  notes: |', `    environment ${i}`, '    of the bench workspace');
    const path = join(dir, 'environments', project, `env${i}.yaml`);
    write(path, lines.join('\n') + '\n');
    paths.push(path);
  }
  return paths;
}

/** When the process's CPU time stops moving (two 250 ms polls without a 10 ms tick): ms since `start`. */
async function idleSince(pid: number, start: number): Promise<number> {
  let quiet = 0;
  let lastCpu = cpuMs(pid);
  let quietFrom = performance.now();
  while (quiet < 2) {
    await sleep(250);
    const cpu = cpuMs(pid);
    if (cpu - lastCpu <= 10) quiet++;
    else {
      quiet = 0;
      quietFrom = performance.now();
    }
    lastCpu = cpu;
  }
  return quietFrom - start;
}

/**
 * Opening `count` files: ms until each has diagnostics, ms until the server is idle (every
 * evaluation done; esc-local publishes a background document's own diagnostics first and its
 * evaluated ones after), RSS then, and RSS 3 s after closing them all.
 */
interface OpenResult {
  ms: number;
  /**
   * CPU time of the server's main thread (the path every message takes: on a busy machine the
   * wall time also holds its waits for a core) and of the whole process, from the first opening
   * to the last first diagnostics.
   */
  mainCpuMs: number;
  cpuMs: number;
  idleMs: number;
  openMb: number;
  closedMb: number;
}

async function openMany(server: ServerUnderTest, count = 1000): Promise<OpenResult> {
  const dir = mkdtempSync(join(tmpdir(), 'esc-bench-many-'));
  try {
    const paths = generateManyEnvironments(dir, count);
    const session = await Editor.start(server.main, dir);
    try {
      const uris = paths.map((p) => pathToFileURL(p).href);
      const start = performance.now();
      const pid = session.process.pid!;
      const cpuStart = cpuMs(pid);
      const mainCpuStart = cpuMs(pid, pid);
      const all = Promise.all(uris.map((uri) => session.nextDiagnostics(uri, () => true, 300000)));
      for (const [i, uri] of uris.entries()) {
        await session.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: server.peer ? 'yaml' : 'esc', version: 1, text: readFileSync(paths[i]!, 'utf8') } });
      }
      await all;
      const ms = performance.now() - start;
      const cpu = cpuMs(pid) - cpuStart;
      const mainCpu = cpuMs(pid, pid) - mainCpuStart;
      const idleMs = await idleSince(session.process.pid!, start);
      const openMb = rssMb(session.process.pid!);
      for (const uri of uris) await session.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
      await sleep(3000);
      return { ms, mainCpuMs: mainCpu, cpuMs: cpu, idleMs, openMb, closedMb: rssMb(session.process.pid!) };
    } finally {
      await session.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In-process: check time / bare `yaml` parse time of the same bytes. */
async function checkVsParse(lines: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'esc-bench-parse-'));
  try {
    writeImports(dir);
    const text = realisticEnvironment(lines);
    const loader = { load: async (name: string) => (name === 'bench/root' ? { text } : { text: readFileSync(join(dir, 'environments', `${name}.yaml`), 'utf8') }) };
    const checker = createCheckModeChecker({});
    const ratios: number[] = [];
    for (let i = 0; i < 3; i++) {
      let start = performance.now();
      parseDocument(text);
      const parse = performance.now() - start;
      start = performance.now();
      await checker.check('bench/root', loader);
      ratios.push((performance.now() - start) / parse);
    }
    return Number(median(ratios).toFixed(2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * In-process, as `esc-local check` runs: the language service's diagnostics (document model and
 * evaluator) of a text no cache has seen (its keys renamed per run) ÷ a bare `yaml` parse of it.
 */
async function serviceCheckVsParse(lines: number): Promise<number> {
  const imports = new Map<string, string>();
  for (let i = 0; i < 5; i++) {
    const body = ['values:', `  imp${i}:`, `    region: us-east-${i % 4}`, `    name: import-${i}`];
    for (let k = 0; k < 5; k++) body.push(`    key${k}: value-${i}-${k}`);
    imports.set(`file:///bench/environments/bench/imp-${i}.yaml`, body.join('\n') + '\n');
  }
  const ratios: number[] = [];
  for (let i = 0; i < 3; i++) {
    const text = realisticEnvironment(lines).replace(/group/g, `g${process.pid}r${i}x${Date.now()}`);
    const rootUri = 'file:///bench/environments/bench/root.yaml';
    const files = new Map([...imports, [rootUri, text]]);
    const workspace = new EnvironmentWorkspace({ read: (uri) => files.get(uri) });
    workspace.setFolders([{ uri: 'file:///bench', rootUri: 'file:///bench/environments' }]);
    for (const uri of files.keys()) workspace.addFile(uri);
    const service = new EscLanguageService(workspace, createCheckModeChecker({}));
    let start = performance.now();
    parseDocument(text);
    const parse = performance.now() - start;
    start = performance.now();
    await service.diagnostics(rootUri);
    ratios.push((performance.now() - start) / parse);
  }
  return Number(median(ratios).toFixed(2));
}

async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await fn());
  return median(samples);
}

/** Progress on stderr (the table comes at the end). */
function progress(server: string, what: string, value: unknown): void {
  process.stderr.write(`  ${server}: ${what} ${JSON.stringify(value)}\n`);
}

export async function benchTyping(options: { runs?: number } = {}): Promise<Row[]> {
  const runs = options.runs ?? 3;
  const servers: ServerUnderTest[] = [];
  if (process.env.ESC_BENCH_BEFORE) servers.push({ name: 'before', main: process.env.ESC_BENCH_BEFORE, peer: false });
  servers.push({ name: 'esc-local', main: SERVER_MAIN, peer: false });
  if (process.env.ESC_BENCH_NO_PEER !== '1') servers.push({ name: 'yaml-ls 2', main: PEER_MAIN, peer: true });
  const only = new Set((process.env.ESC_BENCH_ONLY ?? 'burst,entry,requests,cpu,open,ratio').split(','));
  const rows: Row[] = [];
  const row = (scenario: string, target: string, unit: string): Row => {
    const r: Row = { scenario, target, unit, values: new Map() };
    rows.push(r);
    return r;
  };
  const burstRow = row('20k lines: x, ⌫, 20 chars → diagnostics', '≤ 100', 'ms');
  const entryRow = row('20k lines: new top-level entry → diagnostics', '≤ 100', 'ms');
  const c5 = row('5k lines: completion after a 1-char edit', '≤ 20', 'ms');
  const h5 = row('5k lines: hover after a 1-char edit', '≤ 20', 'ms');
  const c20 = row('20k lines: completion after a 1-char edit', '≤ 50', 'ms');
  const h20 = row('20k lines: hover after a 1-char edit', '≤ 50', 'ms');
  const cpuAfter = row('20k lines: CPU in 1.5 s after an incremental result', '≤ 10% of full', 'ms');
  const cpuFull = row('20k lines: CPU of one full check', '', 'ms');
  const openRow = row('open 1,000 files → all diagnostics', '≤ peer', 'ms');
  const idleRow = row('open 1,000 files → server idle (all evaluated)', '', 'ms');
  const openRss = row('RSS with 1,000 files open (when idle)', '≤ 250', 'MB');
  const closedRss = row('RSS after closing them', '≤ 100', 'MB');
  const openMainCpu = row('open 1,000 files: server main thread CPU until then', '', 'ms');
  const openCpu = row('open 1,000 files: server CPU (all threads) until then', '', 'ms');
  const onlyOpen = process.env.ESC_BENCH_ONLY === 'open';
  for (const server of servers) if (!onlyOpen) await editorScenarios(server);
  // The servers take turns run by run: a load that drifts (other work on a shared machine)
  // weighs on each of them alike.
  const many = new Map<string, OpenResult[]>(servers.map((server) => [server.name, []]));
  for (let i = 0; i < (only.has('open') ? runs : 0); i++) for (const server of servers) many.get(server.name)!.push(await openMany(server));
  for (const server of servers) {
    const samples = many.get(server.name)!;
    if (samples.length > 0) {
      openRow.values.set(server.name, median(samples.map((s) => s.ms)));
      openMainCpu.values.set(server.name, median(samples.map((s) => s.mainCpuMs)));
      openCpu.values.set(server.name, median(samples.map((s) => s.cpuMs)));
      idleRow.values.set(server.name, median(samples.map((s) => s.idleMs)));
      openRss.values.set(server.name, median(samples.map((s) => s.openMb)));
      closedRss.values.set(server.name, median(samples.map((s) => s.closedMb)));
    }
    for (const r of rows) if (r.values.has(server.name)) progress(server.name, r.scenario, r.values.get(server.name));
  }
  for (const lines of only.has('ratio') ? [1000, 10000, 100000] : []) {
    const r = row(`${lines / 1000}k lines: check ÷ bare yaml parse (in-process)`, '≤ 1.5', '×');
    r.values.set('esc-local', await checkVsParse(lines));
    const cli = row(`${lines / 1000}k lines: model + check, fresh text ÷ bare yaml parse (as esc-local check)`, '≤ 1.5', '×');
    cli.values.set('esc-local', await serviceCheckVsParse(lines));
  }
  printTable(onlyOpen ? [openRow, openMainCpu, openCpu, idleRow, openRss, closedRss] : rows, servers.map((s) => s.name), runs);
  return rows;

  async function editorScenarios(server: ServerUnderTest): Promise<void> {
    if (only.has('burst')) burstRow.values.set(server.name, await medianOf(runs, () => typingBurst(server, 20000)));
    if (only.has('entry')) entryRow.values.set(server.name, await medianOf(runs, () => newEntryBurst(server, 20000)));
    for (const [lines, c, h] of only.has('requests') ? ([[5000, c5, h5], [20000, c20, h20]] as const) : []) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await requestsAfterEdit(server, lines));
      c.values.set(server.name, median(samples.map((s) => s.completion)));
      h.values.set(server.name, median(samples.map((s) => s.hover)));
    }
    const cpu = [];
    for (let i = 0; i < (only.has('cpu') ? runs : 0); i++) cpu.push(await followUpCpu(server, 20000));
    if (cpu.length > 0) {
      cpuAfter.values.set(server.name, median(cpu.map((s) => s.after)));
      cpuFull.values.set(server.name, median(cpu.map((s) => s.full)));
    }
  }
}

function printTable(rows: Row[], columns: string[], runs: number): void {
  const width = Math.max(...rows.map((r) => r.scenario.length));
  const cell = (s: string): string => s.padStart(11);
  console.log(`editor speed (median of ${runs} runs; peer: yaml-language-server ${peerVersion()} on the same files)`);
  console.log(`${'scenario'.padEnd(width)} ${columns.map(cell).join('')}${cell('target')}  unit`);
  for (const r of rows) {
    console.log(`${r.scenario.padEnd(width)} ${columns.map((c) => cell(r.values.get(c) === undefined ? '–' : String(r.values.get(c)))).join('')}${cell(r.target)}  ${r.unit}`);
  }
}

function peerVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/yaml-language-server/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

if (require.main === module) {
  benchTyping({ runs: Number(process.env.ESC_BENCH_RUNS ?? 3) }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
