/**
 * Robustness: at least 10,000 mutated documents (byte flips, truncations, deleted lines of the
 * conformance corpus files) through the real server process. Every document is validated
 * (its diagnostics are awaited) and gets completion, hover, definition, symbols, folding and
 * semantic-token requests at a random position: the server must answer every request, never
 * log a failed handler and never exit. Seeded, so a failure names a reproducible document.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  LogMessageNotification,
  SemanticTokensRequest,
  type LogMessageParams,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT, ServerSession, TempWorkspace } from './lsp-support';
import { prng } from '../unit/prng';

const CORPUS = join(REPO_ROOT, '../shared/conformance');
const DOCUMENTS = 10_000;
const SEED = 0x5eed_e5c;

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const SIGNIFICANT = [':', '-', ' ', '\n', '\t', '{', '}', '[', ']', '$', '#', '"', "'", '|', '>', '&', '*', '!', '.', '\\', '\u00e9', '\ud83d\ude00', '\u0000'];

function mutate(text: string, rnd: () => number, maxSteps = 3): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let out = text;
  const steps = 1 + Math.floor(rnd() * maxSteps);
  for (let s = 0; s < steps; s++) {
    const kind = rnd();
    if (kind < 0.45 && out.length > 0) {
      // Byte flip: replace one character with a YAML-significant one or a random code unit.
      const at = Math.floor(rnd() * out.length);
      const ch = rnd() < 0.7 ? pick(SIGNIFICANT) : String.fromCharCode(Math.floor(rnd() * 0x250));
      out = out.slice(0, at) + ch + out.slice(at + 1);
    } else if (kind < 0.7) {
      out = out.slice(0, Math.floor(rnd() * (out.length + 1)));
    } else if (kind < 0.9) {
      const lines = out.split('\n');
      lines.splice(Math.floor(rnd() * lines.length), 1 + Math.floor(rnd() * 2));
      out = lines.join('\n');
    } else {
      // Duplicate a line (keys, indentation clashes).
      const lines = out.split('\n');
      const at = Math.floor(rnd() * lines.length);
      lines.splice(at, 0, lines[at] ?? '');
      out = lines.join('\n');
    }
  }
  return out;
}

describe('language server fuzz', function () {
  this.timeout(180000);

  it(`answers every request for ${DOCUMENTS} mutated corpus documents without a failure`, async function () {
    if (!existsSync(CORPUS)) {
      // The corpus sits beside the project (../shared/conformance); without it there is nothing to mutate.
      console.log(`    conformance corpus not found at ${CORPUS}: fuzz test not run`);
      this.skip();
    }
    const corpus = corpusFiles(CORPUS).map((path) => readFileSync(path, 'utf8'));
    assert.ok(corpus.length > 20, 'corpus has files');
    const ws = new TempWorkspace('workspace');
    const server = await ServerSession.start(ws.folderUri, { diagnosticsDelayMs: 0 });
    const failures: string[] = [];
    // The evaluator turns its own exceptions into an "internal error" diagnostic: a crash all the same.
    const internalErrors: string[] = [];
    server.connection.onNotification(LogMessageNotification.type, (p: LogMessageParams) => {
      if (/failed|uncaught|unhandled/.test(p.message)) failures.push(p.message);
    });
    const rnd = prng(SEED);
    const uri = ws.uri('environments/fuzz.yaml');
    const started = Date.now();
    let answered = 0;
    let lastText = '';
    try {
      await server.open(uri, 'values: {}\n', 1);
      for (let n = 0; n < DOCUMENTS; n++) {
        const version = n + 2;
        // Half the time, a small edit of the previous document (as typing does: incremental
        // checks), otherwise a fresh mutation of a corpus file.
        const text = n > 0 && rnd() < 0.5 ? mutate(lastText, rnd, 1) : mutate(corpus[Math.floor(rnd() * corpus.length)]!, rnd);
        lastText = text;
        const lines = text.split('\n');
        const line = Math.floor(rnd() * (lines.length + 1));
        const position = { line, character: Math.floor(rnd() * ((lines[line]?.length ?? 0) + 2)) };
        const textDocument = { uri };
        const published = server.replace(uri, text, version).then((diagnostics) => {
          for (const d of diagnostics ?? []) if (String(d.message).startsWith('internal error')) internalErrors.push(`${String(d.message)}\n--- document:\n${text}`);
        });
        const requests: Promise<unknown>[] = [
          server.connection.sendRequest(CompletionRequest.type, { textDocument, position }),
          server.connection.sendRequest(HoverRequest.type, { textDocument, position }),
          server.connection.sendRequest(DefinitionRequest.type, { textDocument, position }),
        ];
        if (n % 4 === 0) {
          requests.push(
            server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument }),
            server.connection.sendRequest(FoldingRangeRequest.type, { textDocument }),
            server.connection.sendRequest(SemanticTokensRequest.type, { textDocument }),
          );
        }
        await Promise.all([published, ...requests]);
        answered += requests.length + 1;
        if (failures.length > 0 || server.exited !== undefined) break;
      }
    } finally {
      const seconds = (Date.now() - started) / 1000;
      console.log(`    ${answered} requests/publishes answered for ${DOCUMENTS} documents in ${seconds.toFixed(1)} s`);
      await server.stop();
      ws.dispose();
    }
    assert.deepEqual(failures, [], `failures (seed ${SEED}); last document:\n${lastText}`);
    assert.deepEqual(internalErrors.slice(0, 3), [], `${internalErrors.length} internal errors (seed ${SEED})`);
    assert.equal(server.stderr, '');
  });
});
