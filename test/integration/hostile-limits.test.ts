/**
 * Hostile documents against the real language server (LSP client over stdio) and the real CLI
 * (`check`, `open`, separate processes): 10,000-deep nesting (secrets, flow, block), a 1,500-long
 * reference chain, a 150,000-item list, an alias bomb, a 20 MB document and invalid UTF-8. Every
 * one must get located diagnostics (valid ones none), no crash, no stack overflow, every request
 * answered within the time budget, and memory within the stated bounds.
 *
 * Time budget: 5 s per request on an idle machine, scaled by the machine's load (load average per
 * core, at least 1) so a busy CI box does not fail the test while a real regression (seconds
 * turning into minutes, or a hang) still does. Memory: peak RSS (VmHWM) of the server process,
 * worker included, at most SERVER_PEAK_MB; of each CLI run, at most CLI_PEAK_MB (the CLI also runs
 * with a V8 heap cap, so a quadratic blow-up fails as an out-of-memory exit).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CompletionRequest, DidCloseTextDocumentNotification, DidOpenTextDocumentNotification, DocumentSymbolRequest, FoldingRangeRequest, HoverRequest, SemanticTokensRequest,
  type Diagnostic,
} from 'vscode-languageserver-protocol/node';
import { CLI_ENTRY } from './cliHarness';
import { ServerSession, TempWorkspace } from './lsp-support';

const SERVER_PEAK_MB = 1200;
const CLI_PEAK_MB = 900;
const CLI_HEAP_MB = 768;
const REQUEST_MS = 5000;

function budgetMs(): number {
  const load = os.loadavg()[0] ?? 0;
  return Math.round(REQUEST_MS * Math.max(1, load / Math.max(1, os.cpus().length)));
}

const NESTING = /nesting deeper than 500 levels/;

interface Hostile {
  name: string;
  bytes: Buffer;
  /** What the diagnostics must say: none (valid input) or a message every run must include. */
  expect: RegExp | 'valid';
}

function hostileDocuments(): Hostile[] {
  const text = (name: string, s: string, expect: Hostile['expect']): Hostile => ({ name, bytes: Buffer.from(s, 'utf8'), expect });
  let block = 'values:\n';
  for (let i = 0; i < 1500; i++) block += `${' '.repeat(2 + i)}k:\n`;
  block += `${' '.repeat(1502)}v\n`;
  let chain = 'values:\n  a0: x\n';
  for (let i = 1; i < 1500; i++) chain += `  a${i}: \${a${i - 1}}\n`;
  let bomb = 'values:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 10; i++) bomb += `  l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
  let huge = 'values:\n';
  while (huge.length < 20 * 1024 * 1024) huge += `  k${huge.length}: ${'v'.repeat(100)}\n`;
  return [
    text('deep-secrets', `values:\n  a: ${'{fn::secret: '.repeat(10_000)}x${'}'.repeat(10_000)}\n`, NESTING),
    text('deep-flow', `values:\n  a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, NESTING),
    text('deep-block', block, NESTING),
    text('chain', chain, 'valid'),
    text('big-list', `values:\n  a:\n${Array.from({ length: 150_000 }, (_, i) => `    - ${i}\n`).join('')}`, 'valid'),
    text('alias-bomb', bomb, /alias nodes are not supported/),
    text('huge', huge, /document larger than 4 Mi characters/),
    { name: 'invalid-utf8', bytes: Buffer.concat([Buffer.from('values:\n  a: x'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('\n  b: ${nope}\n')]), expect: /unknown property "nope"/ },
  ];
}

function peakMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function currentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function timed<T>(what: string, budget: number, work: Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work;
  const ms = Date.now() - started;
  assert.ok(ms <= budget, `${what} took ${ms} ms (budget ${budget} ms)`);
  return result;
}

/** Runs the CLI with a V8 heap cap, sampling its peak RSS while it runs. */
function runCliMeasured(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string; peakMb?: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${CLI_HEAP_MB}`, CLI_ENTRY, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak: number | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const sampler = setInterval(() => {
      const now = child.pid === undefined ? undefined : peakMb(child.pid);
      if (now !== undefined) peak = Math.max(peak ?? 0, now);
    }, 25);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`esc-local ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, peakMb: peak, ms: Date.now() - started });
    });
  });
}

describe('hostile documents: limits', function () {
  this.timeout(900_000);
  const documents = hostileDocuments();

  it('language server: answers every request in time with located diagnostics and bounded memory', async () => {
    const ws = new TempWorkspace('workspace');
    const server = await ServerSession.start(ws.folderUri, { diagnosticsDelayMs: 0 });
    const figures: string[] = [];
    try {
      let version = 1;
      for (const doc of documents) {
        const uri = ws.uri(`environments/${doc.name}.yaml`);
        const budget = budgetMs();
        // Over LSP the text is a string: invalid UTF-8 arrives as U+FFFD, so send lone surrogates instead.
        const text = doc.name === 'invalid-utf8' ? doc.bytes.toString('utf8').replace('\ufffd', '\ud800') : doc.bytes.toString('utf8');
        const started = Date.now();
        // Diagnostics cover parsing, the model and the full check (the largest documents' total work).
        const docVersion = version++;
        const published = server.nextDiagnostics(uri, (p) => p.version === docVersion, 10 * budget);
        await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'esc', version: docVersion, text } });
        const diagnostics: Diagnostic[] = (await published.catch((e: Error) => assert.fail(`${doc.name}: ${e.message}`))).diagnostics;
        const publishMs = Date.now() - started;
        assert.ok(publishMs <= 3 * budget, `${doc.name}: diagnostics after ${publishMs} ms (budget ${3 * budget} ms)`);
        const messages = diagnostics.map((d) => String(d.message));
        assert.ok(!messages.some((m) => /stack|internal error/i.test(m)), `${doc.name}: ${messages.join('\n')}`);
        if (doc.expect === 'valid') assert.deepEqual(messages.filter((_, i) => diagnostics[i]!.severity === 1), [], doc.name);
        else assert.ok(messages.some((m) => doc.expect !== 'valid' && doc.expect.test(m)), `${doc.name}: ${messages.join('\n')}`);
        for (const d of diagnostics) assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0, `${doc.name}: unlocated ${d.message}`);
        const textDocument = { uri };
        const position = { line: 1, character: 4 };
        await timed(`${doc.name} hover`, budget, server.connection.sendRequest(HoverRequest.type, { textDocument, position }));
        await timed(`${doc.name} completion`, budget, server.connection.sendRequest(CompletionRequest.type, { textDocument, position }));
        await timed(`${doc.name} symbols`, budget, server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument }));
        await timed(`${doc.name} folding`, budget, server.connection.sendRequest(FoldingRangeRequest.type, { textDocument }));
        await timed(`${doc.name} semantic tokens`, budget, server.connection.sendRequest(SemanticTokensRequest.type, { textDocument }));
        await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument });
        figures.push(`${doc.name} ${(doc.bytes.length / 1024).toFixed(0)} KB: diagnostics ${publishMs} ms, peak RSS ${peakMb(server.process.pid!) ?? '?'} MB`);
      }
      const peak = peakMb(server.process.pid!);
      // Every document is closed: the checker worker was recycled after the large ones.
      await new Promise((r) => setTimeout(r, 1000));
      figures.push(`after closing all: RSS ${currentMb(server.process.pid!) ?? '?'} MB`);
      console.log(`    server (budget ${budgetMs()} ms per request):\n      ${figures.join('\n      ')}`);
      if (peak !== undefined) assert.ok(peak <= SERVER_PEAK_MB, `server peak RSS ${peak} MB > ${SERVER_PEAK_MB} MB`);
      assert.equal(server.exited, undefined, 'server exited');
      assert.equal(server.stderr, '');
    } finally {
      await server.stop();
      ws.dispose();
    }
  });

  it('CLI: check and open answer every hostile document with located messages, in time and bounded memory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-hostile-'));
    fs.mkdirSync(path.join(dir, 'environments'));
    const figures: string[] = [];
    try {
      for (const doc of documents) fs.writeFileSync(path.join(dir, 'environments', `${doc.name}.yaml`), doc.bytes);
      for (const doc of documents) {
        for (const command of ['check', 'open'] as const) {
          // A process start costs about a second on a loaded machine; the 20 MB read and UTF-8 decode too.
          const budget = 3 * budgetMs();
          const run = await runCliMeasured([command, doc.name], dir, 10 * budget);
          const output = run.stdout + run.stderr;
          assert.ok(run.ms <= budget, `${command} ${doc.name} took ${run.ms} ms (budget ${budget} ms)`);
          assert.ok(!/Maximum call stack|internal error|heap out of memory|at .*\.js:\d+/i.test(output), `${command} ${doc.name}:\n${output.slice(0, 2000)}`);
          if (doc.expect === 'valid') {
            assert.equal(run.code, 0, `${command} ${doc.name}:\n${output.slice(0, 2000)}`);
          } else {
            assert.equal(run.code, 1, `${command} ${doc.name}:\n${output.slice(0, 2000)}`);
            assert.match(output, doc.expect);
            // Located: file:line:column before the message.
            assert.match(output, new RegExp(`environments/${doc.name}\\.yaml:\\d+:\\d+: error: `));
          }
          if (run.peakMb !== undefined) assert.ok(run.peakMb <= CLI_PEAK_MB, `${command} ${doc.name}: peak RSS ${run.peakMb} MB > ${CLI_PEAK_MB} MB`);
          figures.push(`${command} ${doc.name}: ${run.ms} ms, peak RSS ${run.peakMb ?? '?'} MB`);
        }
      }
      console.log(`    CLI:\n      ${figures.join('\n      ')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
