/**
 * Differential test of incremental checking: a chain of random edits (characters typed and
 * deleted inside entries, `x` typed and taken back, entries added and removed, references made
 * and broken) is checked incrementally, each check building on the previous one as it does in
 * the server, and after every edit the result must equal a fresh full check of the same text —
 * diagnostics and checked values alike. This equality is why the server no longer confirms an
 * incremental result with a full check. Both sides parse by segment, re-using segments (the
 * model from the previous version, the evaluator from its shared cache): after every edit both
 * parses must also equal a whole parse of the text.
 */
import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { partitionText } from '../../shared/src/language/incremental';
import { parseEscDocument } from '../../shared/src/language/model';
import { parseYaml } from '../../shared/src/syntax/yaml';
import { CancelledError, FULL_CHECK_PAUSE_MS, type EnvironmentChecker } from '../../shared/src/language/service';
import { redactedJson } from '../../shared/src/language/checkedValues';
import type { Value } from '../../shared/src/value/value';
import { envUri, memoryWorkspace } from './language-support';
import { prng } from './prng';

const checker = createCheckModeChecker({ pulumi: { user: { id: 'tester' } } });

const BASE = 'values:\n  region: eu-west-1\n  shadowed: from-base\n  app:\n    name: base-app\n    port: 8080\n';
const OTHER = 'values:\n  other: 1\n';

const ROOT = [
  'imports:',
  '  - base',
  '  - other',
  'values:',
  '  a:',
  '    x: 1',
  '    y: ${b.z}',
  '  b:',
  '    z: two',
  '  shadowed: mine',
  '  c:',
  '    fn::open::aws-login:',
  '      static:',
  '        accessKeyId: id',
  '        secretAccessKey: key',
  '  d: ${app.port}',
  '  e:',
  '    fn::join: ["-", ["${region}", "${shadowed}"]]',
  '  f: plain',
  '  notes:',
  '    fn::fromBase64: aGVsbG8=',
  '  block: |',
  '    line one ${a.x}',
  '    line two',
  '  s:',
  '    fn::secret: hunter2',
  '',
].join('\n');

/** Values a random edit may write: literals, references (good, bad, cyclic), builtins. */
const VALUES = ['1', 'text', '${a.x}', '${b.z}', '${nope}', '${shadowed}', '${app.port}', '${k0}', '${k1.q}', '${region}', '[1, 2]', '{q: ${a.y}}', '"quoted ${d}"', '${notes}'];
/** Characters typed: mostly harmless ones, some that break the YAML or a reference. */
const CHARS = ['x', 'x', 'y', '1', '2', ' ', '.', '_', 'x', '$', '{', '}', '"', ':', '-'];

function canonical(values: { [key: string]: Value } | undefined): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x !== null && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(values === undefined ? null : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, redactedJson(v)]))));
}

function summary(list: Diagnostic[]): string[] {
  return list.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${String(d.code)} ${String(d.message)}`);
}

/** One random edit of `text`; a name saying what it did (for failure messages). */
function randomEdit(text: string, lastGood: string, rnd: () => number, serial: number): { text: string; what: string } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const lines = text.split('\n');
  const p = partitionText(text);
  // A layout the partition declines (a YAML error, a duplicate key) is undone, as a user would.
  if (!p) return { text: lastGood, what: 'undo' };
  const entries = p.entries;
  const kind = rnd();
  if (entries.length === 0 || kind < 0.1) return { text, what: 'x typed and taken back' };
  const entry = pick(entries);
  if (kind < 0.4) {
    // A character typed inside an entry's body (after its key's colon on the first line).
    const line = entry.startLine + Math.floor(rnd() * (entry.endLine - entry.startLine));
    const current = lines[line]!;
    const at = line === entry.startLine ? current.indexOf(':') + 1 + Math.floor(rnd() * (current.length - current.indexOf(':'))) : Math.floor(rnd() * (current.length + 1));
    const ch = pick(CHARS);
    lines[line] = current.slice(0, at) + ch + current.slice(at);
    return { text: lines.join('\n'), what: `typed ${JSON.stringify(ch)} at ${line}:${at}` };
  }
  if (kind < 0.55) {
    // A character deleted inside an entry's body.
    const line = entry.startLine + 1 + Math.floor(rnd() * Math.max(1, entry.endLine - entry.startLine - 1));
    const current = lines[Math.min(line, entry.endLine - 1)]!;
    if (current.length <= 4) return { text, what: 'nothing to delete' };
    const at = 4 + Math.floor(rnd() * (current.length - 4));
    lines[Math.min(line, entry.endLine - 1)] = current.slice(0, at) + current.slice(at + 1);
    return { text: lines.join('\n'), what: `deleted at ${line}:${at}` };
  }
  if (kind < 0.75) {
    // A new top-level entry, before a random entry (or at the end of `values`).
    const key = pick([`k${serial % 3}`, `new${serial}`, 'shadowed', 'region', 'other', 'app']);
    const body = rnd() < 0.5 ? [`  ${key}: ${pick(VALUES)}`] : [`  ${key}:`, `    q: ${pick(VALUES)}`, `    r: ${pick(VALUES)}`];
    const at = rnd() < 0.2 ? entries[entries.length - 1]!.endLine : entry.startLine;
    lines.splice(at, 0, ...body);
    return { text: lines.join('\n'), what: `added ${key} at ${at}` };
  }
  if (kind < 0.9) {
    // An entry removed.
    lines.splice(entry.startLine, entry.endLine - entry.startLine);
    return { text: lines.join('\n'), what: `removed ${entry.key}` };
  }
  // An entry's value replaced (a reference made or broken).
  lines.splice(entry.startLine, entry.endLine - entry.startLine, `  ${entry.key}: ${pick(VALUES)}`);
  return { text: lines.join('\n'), what: `replaced ${entry.key}` };
}

describe('language service: incremental checking equals a full check (differential, random edits)', () => {
  it('after every edit of many seeded random chains, diagnostics and values equal a fresh full check', async function () {
    this.timeout(300000);
    let incremental = 0;
    let edits = 0;
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = prng(seed);
      const ws = memoryWorkspace({ base: BASE, other: OTHER, root: ROOT }, ['root'], checker);
      const uri = envUri('root');
      await ws.service.validate(uri);
      let text = ROOT;
      let lastGood = ROOT;
      for (let step = 0; step < 30; step++) {
        if (partitionText(text)) lastGood = text;
        const edit = randomEdit(text, lastGood, rnd, step);
        text = edit.text;
        ws.workspace.changeDocument(uri, text, step + 2);
        const result = await ws.service.validate(uri);
        edits++;
        if (result.incremental) {
          incremental++;
          kinds.add(edit.what.split(' ')[0]!);
        }
        const fresh = memoryWorkspace({ base: BASE, other: OTHER, root: text }, ['root'], checker);
        const full = await fresh.service.validate(envUri('root'), undefined, true);
        const where = `seed ${seed}, step ${step} (${edit.what}, ${result.incremental ? 'incremental' : 'full'}):\n${text}`;
        assert.deepEqual(summary(result.diagnostics), summary(full.diagnostics), where);
        // (A text that cannot be evaluated has no values; hover keeps the last ones then.)
        const exact = fresh.service.valuesOf('root');
        if (exact) assert.equal(canonical(ws.service.valuesOf('root')), canonical(exact), `values, ${where}`);
        // The segment re-use under both: the evaluator's parse and the editor's model.
        assert.equal(JSON.stringify(parseYaml('root', text)), JSON.stringify(parseYaml('root', text, { fastPath: false })), `evaluator's parse, ${where}`);
        const model = ws.workspace.document(uri)!;
        const whole = parseEscDocument(uri, 'root', text, 0, undefined, false);
        assert.deepEqual(
          [model.imports, model.properties.map((p) => [p.path, p.keySpan, p.span]), model.builtins.map((b) => [b.name, b.nameSpan, b.span]), model.interpolations, model.syntaxErrors],
          [whole.imports, whole.properties.map((p) => [p.path, p.keySpan, p.span]), whole.builtins.map((b) => [b.name, b.nameSpan, b.span]), whole.interpolations, whole.syntaxErrors],
          `model, ${where}`,
        );
      }
    }
    // Not vacuous: many edits took the incremental path (the others broke the YAML, which takes a
    // full check), of every kind.
    assert.ok(incremental > 150, `${incremental} of ${edits} edits checked incrementally`);
    for (const kind of ['x', 'typed', 'deleted', 'added', 'removed', 'replaced']) assert.ok(kinds.has(kind), `an incremental "${kind}" edit was compared (${[...kinds].join(', ')})`);
  });

  it('a key half typed (no colon yet) starts no full check while typing goes on; the basis stands', async () => {
    let checks = 0;
    const counting: EnvironmentChecker = {
      check: (name, loader, signal) => {
        checks++;
        return checker.check(name, loader, signal);
      },
    };
    const ws = memoryWorkspace({ base: BASE, other: OTHER, root: ROOT }, ['root'], counting);
    ws.service.fullCheckPauseMs = FULL_CHECK_PAUSE_MS;
    const uri = envUri('root');
    await ws.service.validate(uri);
    checks = 0;
    // `  fres` before its colon: the incremental check declines (broken YAML).
    ws.workspace.changeDocument(uri, ROOT.replace('  f: plain\n', '  f: plain\n  fres\n'), 2);
    const controller = new AbortController();
    const pending = ws.service.validate(uri, controller.signal);
    // The next key comes 20 ms later: the check waiting for a pause is cancelled, never started.
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await assert.rejects(pending, /cancelled/);
    assert.equal(checks, 0, 'no check was started for the half-typed key');
    ws.workspace.changeDocument(uri, ROOT.replace('  f: plain\n', '  f: plain\n  fresh: 1\n'), 3);
    assert.equal((await ws.service.validate(uri)).incremental, true);
    // Without a following key, the full check does run (after the pause) and reports ESC's error.
    ws.workspace.changeDocument(uri, ROOT.replace('  f: plain\n', '  f: plain\n  fres\n'), 4);
    const broken = await ws.service.validate(uri);
    assert.equal(broken.incremental, false);
    assert.ok(broken.diagnostics.some((d) => /yaml/i.test(String(d.message)) || d.severity === 1), 'the YAML error is reported');
  });

  it('a cancelled check keeps the basis: the next edit is still checked incrementally', async () => {
    // Like the server's worker checker: an aborted check rejects with CancelledError.
    const cancellable: EnvironmentChecker = {
      check: async (name, loader, signal) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (signal?.aborted) throw new CancelledError();
        return checker.check(name, loader, signal);
      },
    };
    const ws = memoryWorkspace({ base: BASE, other: OTHER, root: ROOT }, ['root'], cancellable);
    const uri = envUri('root');
    await ws.service.validate(uri);
    // A header edit needs a full check; it is cancelled before it ends.
    ws.workspace.changeDocument(uri, `# header\n${ROOT}`, 2);
    const controller = new AbortController();
    const cancelled = ws.service.validate(uri, controller.signal);
    controller.abort();
    await assert.rejects(cancelled, /cancelled/);
    // Back to the checked text plus an edit inside one entry: incremental from the kept basis.
    ws.workspace.changeDocument(uri, ROOT.replace('  f: plain', '  f: plainer'), 3);
    assert.equal((await ws.service.validate(uri)).incremental, true);
  });
});
