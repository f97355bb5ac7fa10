/**
 * Incremental checking must be indistinguishable from a full check: after each edit, the
 * diagnostics (and checked values) of the incremental service equal those of a fresh full check.
 */
import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { partitionText, pruneImports, topKeyOfPath, type TopLevelEntry } from '../../shared/src/language/incremental';
import { EscLanguageService } from '../../shared/src/language/service';
import { redactedJson } from '../../shared/src/language/checkedValues';
import type { Value } from '../../shared/src/value/value';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envUri, memoryWorkspace } from './language-support';
import { REPO_ROOT } from './text-markers';
import { prng } from './prng';
import type { EnvironmentChecker } from '../../shared/src/language/service';

const checker = createCheckModeChecker({ pulumi: { user: { id: 'tester' } } });
const BASE = 'values:\n  region: eu-west-1\n  app:\n    name: base-app\n    port: 8080\n';

function canonical(values: { [key: string]: Value } | undefined): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x !== null && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(values === undefined ? null : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, redactedJson(v)]))));
}

function summary(list: Diagnostic[]): string[] {
  return list.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.message)}`);
}

/** 0-based line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length - 1;
}

describe('language service: incremental checking', () => {
  const ROOT = [
    'imports:',
    '  - base',
    'values:',
    '  a:',
    '    x: 1',
    '    y: ${b.z}',
    '  b:',
    '    z: two',
    '  c:',
    '    fn::open::aws-login:',
    '      static:',
    '        accessKeyId: id',
    '        secretAccessKey: key',
    '  d: ${app.port}',
    '  e:',
    '    fn::join: ["-", ["${region}", "x"]]',
    '  f: plain',
    '  s:',
    '    fn::secret: hunter2',
    '',
  ].join('\n');

  /** Edits of entry bodies (as a user types), each applied to the previous text. */
  const EDITS: ((t: string) => string)[] = [
    (t) => t.replace('    z: two', '    z: three'),
    (t) => t.replace('  f: plain', '  f: ${nope}'), // new error in a leaf entry
    (t) => t.replace('    x: 1', '    x: 1\n    extra: 2\n    more: ${a.x}'), // lines added above others
    (t) => t.replace('        accessKeyId: id', '        accessKeyId: 12'), // schema error
    (t) => t.replace('    z: three', '    z: ${a.x}'), // b now references a, and a references b: a cycle? (a.y → b.z → a.x: no cycle of values)
    (t) => t.replace('    z: ${a.x}', '    z: ${a.y}'), // a.y → b.z → a.y: a reference cycle
    (t) => t.replace('  d: ${app.port}', '  d: ${app.missing}'),
    (t) => t.replace('    extra: 2\n', ''), // lines removed above others
    (t) => t.replace('    z: ${a.y}', '    z: fixed'),
    (t) => t.replace('  f: ${nope}', '  f: fine'),
    (t) => t.replace('        accessKeyId: 12', '        accessKeyId: ok'),
    (t) => t.replace('  f: fine', '  f:\n    fn::joim: ["-", [a]]'), // unknown builtin (own diagnostic) above a plaintext secret
    (t) => t.replace('    y: ${b.z}', '    y: ${b.z}\n    # a comment line'), // moves the warnings below
    (t) => t.replace('fn::joim', 'fn::join'),
  ];

  it('gives the same diagnostics as a full check after every edit, and checks incrementally', async () => {
    const ws = memoryWorkspace({ base: BASE, root: ROOT }, ['root'], checker);
    const uri = envUri('root');
    let text = ROOT;
    const first = await ws.service.validate(uri);
    assert.equal(first.incremental, false);
    let version = 1;
    for (const [i, edit] of EDITS.entries()) {
      const next = edit(text);
      assert.notEqual(next, text, `edit ${i} applies`);
      text = next;
      ws.workspace.changeDocument(uri, text, ++version);
      const result = await ws.service.validate(uri);
      assert.equal(result.incremental, true, `edit ${i} checked incrementally`);
      const fresh = memoryWorkspace({ base: BASE, root: text }, ['root'], checker);
      const full = await fresh.service.validate(envUri('root'), undefined, true);
      assert.deepEqual(summary(result.diagnostics), summary(full.diagnostics), `edit ${i}: ${text}`);
      // Values compare as hover shows them (redacted JSON); traces' byte offsets are not shown.
      assert.deepEqual(canonical(ws.service.valuesOf('root')), canonical(fresh.service.valuesOf('root')), `edit ${i} values`);
      // Schemas (hover): the document's nodes are those of the full check; every reference the
      // full check saw has the same schema (the merged index may also keep older references).
      const merged = ws.service.schemasOf('root');
      const exact = fresh.service.schemasOf('root');
      assert.ok(merged && exact, `edit ${i} schemas`);
      assert.deepEqual(merged.nodes, exact.nodes, `edit ${i} schema nodes`);
      for (const [key, summary] of Object.entries(exact.refs)) assert.deepEqual(merged.refs[key], summary, `edit ${i} schema of \${${key}}`);
    }
    // The cycle and the errors did show up along the way (the comparison is not vacuous).
    const withErrors = memoryWorkspace({ base: BASE, root: EDITS.slice(0, 6).reduce((t, e) => e(t), ROOT) }, ['root'], checker);
    const messages = summary(await withErrors.service.diagnostics(envUri('root'))).join('\n');
    assert.match(messages, /unknown property "nope"/);
    assert.match(messages, /expected string, got number/);
    assert.match(messages, /cyclic reference/);
    const own = summary(await ws.service.diagnostics(uri)).join('\n');
    assert.match(own, /plaintext secret/);
    assert.equal(lineOf(EDITS[2]!(ROOT), '  b:'), 8);
  });

  it('falls back to a full check when imports or imported environments change; keys added or removed stay incremental', async () => {
    const ws = memoryWorkspace({ base: BASE, root: ROOT }, ['root'], checker);
    const uri = envUri('root');
    await ws.service.validate(uri);
    const step = async (text: string): Promise<boolean> => {
      ws.workspace.changeDocument(uri, text, Date.now());
      return (await ws.service.validate(uri)).incremental;
    };
    assert.equal(await step(ROOT.replace('  - base\n', '  - base\n  - other\n')), false, 'imports changed');
    assert.equal(await step(ROOT), false, 'imports changed back');
    assert.equal(await step(ROOT.replace('  f: plain\n', '  f: plain\n  g: new\n')), true, 'key added');
    assert.equal(await step(ROOT), true, 'key removed');
    assert.equal(await step(ROOT.replace('  b:\n    z: two\n', '').replace('  f: plain\n', '  f: plain\n  b:\n    z: two\n')), false, 'keys reordered');
    ws.workspace.openDocument(envUri('base'), BASE.replace('8080', '9090'), 1);
    assert.equal(await step(ROOT.replace('  f: plain', '  f: other')), false, 'an import changed');
    assert.equal(await step(ROOT.replace('  f: plain', '  f: again')), true, 'nothing else changed');
    assert.equal(await step('values:\n  a: [1\n'), false, 'YAML error');
  });

  it('matches full checks on random in-entry edits of the conformance corpus', async function () {
    this.timeout(120000);
    const corpus = join(REPO_ROOT, '../shared/conformance/eval');
    if (!existsSync(corpus)) {
      console.log(`    conformance corpus not found at ${corpus}: corpus comparison not run`);
      this.skip();
    }
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let compared = 0;
    for (const name of readdirSync(corpus).sort()) {
      const dir = join(corpus, name);
      if (!existsSync(join(dir, 'env.yaml')) || name === 'bench') continue;
      const envs: Record<string, string> = {};
      const walk = (sub: string): void => {
        for (const f of readdirSync(join(dir, sub), { withFileTypes: true })) {
          const rel = sub ? `${sub}/${f.name}` : f.name;
          if (f.isDirectory()) walk(rel);
          else if (f.name.endsWith('.yaml')) envs[rel.replace(/\.yaml$/, '')] = readFileSync(join(dir, rel), 'utf8').replace(/[‸«»]/g, '');
        }
      };
      walk('');
      const original = envs['env']!;
      const p = partitionText(original);
      if (!p || p.entries.length < 2) continue;
      for (let n = 0; n < 8; n++) {
        const ws = memoryWorkspace(envs, ['env'], checker);
        await ws.service.validate(envUri('env'));
        // A one-character edit inside a random entry's body (not its key).
        const entry: TopLevelEntry = p.entries[Math.floor(rnd() * p.entries.length)]!;
        const lines = original.split('\n');
        const line = entry.startLine + Math.floor(rnd() * (entry.endLine - entry.startLine));
        const at = line === entry.startLine ? lines[line]!.indexOf(':') + 1 : Math.floor(rnd() * (lines[line]!.length + 1));
        const chars = ['x', '1', ' ', '$', '{', '}', '.', '"'];
        lines[line] = lines[line]!.slice(0, at) + chars[Math.floor(rnd() * chars.length)]! + lines[line]!.slice(at);
        const edited = lines.join('\n');
        ws.workspace.changeDocument(envUri('env'), edited, 2);
        const incremental = await ws.service.validate(envUri('env'));
        const fresh = memoryWorkspace({ ...envs, env: edited }, ['env'], checker);
        const full = await fresh.service.validate(envUri('env'), undefined, true);
        assert.deepEqual(summary(incremental.diagnostics), summary(full.diagnostics), `${name}, edit at ${line}:${at}:\n${edited}`);
        if (incremental.incremental) compared++;
      }
    }
    console.log(`      ${compared} incremental checks matched full checks`);
    assert.ok(compared > 40, `${compared} incremental checks compared`);
  });

  it('splits `values` into entries by indentation, and declines layouts it does not understand', () => {
    const p = partitionText('imports:\n  - a\nvalues:\n  a: 1\n  # note\n  "b c":\n    d: ${a.x} $${e}\nother: 1\n')!;
    assert.deepEqual(p.entries.map((e) => [e.key, e.startLine, e.endLine, [...e.refs]]), [['a', 3, 5, []], ['b c', 5, 7, ['a']]]);
    assert.equal(p.header, 'imports:\n  - a\nvalues:\nother: 1\n');
    assert.equal(partitionText('values: {a: 1}\n'), undefined);
    assert.equal(partitionText('values:\n  a: "multi\n  line"\n'), undefined);
    assert.equal(partitionText('values:\n  a: 1\n  a: 2\n'), undefined);
    assert.equal(partitionText('values:\n  a: ${["x"]}\n'), undefined);
  });

  it('leaves out of the reduced check the imports that define nothing the kept entries need', () => {
    const plan = { compactText: 'imports:\n  - a\n  - b\n  - c\nvalues:\n  k: ${x}\n', lineMap: [0, 1, 2, 3, 4, 9, 10], affected: new Set(['k']), kept: new Set(['k']) };
    const defined: Record<string, string[]> = { a: ['x'], b: ['y'] };
    const pruned = pruneImports(plan, new Set(['k', 'x']), (name) => (defined[name] ? new Set(defined[name]) : undefined), new Set(['k']));
    // b defines nothing needed; c is unknown (kept, to be safe).
    assert.equal(pruned.compactText, 'imports:\n  - a\n  - c\nvalues:\n  k: ${x}\n');
    assert.deepEqual(pruned.lineMap, [0, 1, 3, 4, 9, 10]);
    const longForm = { ...plan, compactText: 'imports:\n  - b:\n      merge: false\nvalues:\n  k: 1\n' };
    assert.equal(pruneImports(longForm, new Set(['k']), () => new Set()), longForm);
    // `z` is defined nowhere: its "did you mean" looks at every import, so none is dropped.
    assert.equal(pruneImports(plan, new Set(['k', 'x', 'z']), (name) => (defined[name] ? new Set(defined[name]) : undefined), new Set(['k'])), plan);
  });

  it('checks the kept entries alone, with the others as stubs only when a "did you mean" may look at every top-level name', async () => {
    const roots: string[] = [];
    const recording: EnvironmentChecker = {
      check: (name, loader, signal, only) =>
        checker.check(
          name,
          { load: async (n) => { const loaded = await loader.load(n); if (n === name && loaded) roots.push(loaded.text); return loaded; } },
          signal,
          only,
        ),
    };
    const text = 'imports:\n  - base\nvalues:\n  a: 1\n  b: ${a}\n  c: 3\n  d: 4\n  e: ${app.port}\n';
    const ws = memoryWorkspace({ base: BASE, root: text }, ['root'], recording);
    await ws.service.validate(envUri('root'));
    // An edit of `b`, which references `a`: `c`, `d` and `e` are not in the reduced check at all.
    const edited = text.replace('  b: ${a}', '  b: ${a}x');
    roots.length = 0;
    ws.workspace.changeDocument(envUri('root'), edited, 2);
    assert.equal((await ws.service.validate(envUri('root'))).incremental, true);
    // (`base` defines nothing they need: left out too.)
    assert.deepEqual(roots, ['imports:\nvalues:\n  a: 1\n  b: ${a}x']);
    // A reference to a name defined nowhere: ESC's "did you mean" looks at every top-level name
    // (of the document, when it has no imports).
    const own = text.replace('imports:\n  - base\n', '');
    const ws2 = memoryWorkspace({ root: own }, ['root'], recording);
    await ws2.service.validate(envUri('root'));
    const unknown = own.replace('  b: ${a}', '  b: ${dd}');
    roots.length = 0;
    ws2.workspace.changeDocument(envUri('root'), unknown, 2);
    const result = await ws2.service.validate(envUri('root'));
    assert.equal(result.incremental, true);
    // (`a` is kept: `b` referenced it before the edit.)
    assert.deepEqual(roots, ['values:\n  a: 1\n  b: ${dd}\n  c: {}\n  d: {}\n  e: {}']);
    const full = await memoryWorkspace({ root: unknown }, ['root'], checker).service.validate(envUri('root'), undefined, true);
    assert.deepEqual(summary(result.diagnostics), summary(full.diagnostics));
    assert.match(summary(result.diagnostics).join('\n'), /unknown property "dd"; did you mean "d"\?/);
  });

  it('partitions an edited text from the previous partition as a full partition would (seeded random edits)', () => {
    const rnd = prng(11);
    const lines = ['imports:', '  - base', 'values:'];
    for (let i = 0; i < 40; i++) lines.push(`  k${i}:`, `    name: n-${i}`, `    ref: \${k${Math.max(0, i - 1)}.name}`, '', '    # note');
    lines.push('other: 1', '');
    const pieces = ['x', ' ', '\n', ':', '#', '\t', '$', '{', '}', '"', '-', '\r', '\n  k: 1', '\nz: 1\n', '${', '${k3}', '\n    q: 1', '  '];
    const shape = (p: ReturnType<typeof partitionText>): unknown => p && [p.header, p.head, p.tail, p.entries.map((e) => [e.key, e.startLine, e.endLine, e.startOffset, e.text, [...e.refs].sort(), e.stub])];
    let compared = 0;
    for (let chain = 0; chain < 60; chain++) {
      let text = lines.join('\n');
      let previous = partitionText(text)!;
      for (let step = 0; step < 20; step++) {
        const at = Math.floor(rnd() * (text.length + 1));
        const edited = rnd() < 0.7 ? text.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)]! + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
        const whole = partitionText(edited);
        assert.deepEqual(shape(partitionText(edited, previous)), shape(whole), JSON.stringify(edited));
        compared++;
        if (whole) {
          previous = partitionText(edited, previous)!;
          text = edited;
        }
      }
    }
    assert.equal(compared, 1200);
  });

  it('reads the top-level key of a diagnostic path', () => {
    assert.equal(topKeyOfPath('values.a.b[0]'), 'a');
    assert.equal(topKeyOfPath('values["x y"].c'), 'x y');
    assert.equal(topKeyOfPath('values.a-b'), 'a-b');
    assert.equal(topKeyOfPath('imports[0]'), undefined);
    assert.equal(topKeyOfPath('values'), undefined);
  });

  it('is what the service does by default (EscLanguageService.diagnostics)', async () => {
    const ws = memoryWorkspace({ root: 'values:\n  a: 1\n  b: ${a}\n' }, ['root'], checker);
    assert.ok(ws.service instanceof EscLanguageService);
    await ws.service.diagnostics(envUri('root'));
    ws.workspace.changeDocument(envUri('root'), 'values:\n  a: 1\n  b: ${c}\n', 2);
    assert.match(summary(await ws.service.diagnostics(envUri('root'))).join('\n'), /^2:7-2:8 unknown property "c"/);
  });
});
