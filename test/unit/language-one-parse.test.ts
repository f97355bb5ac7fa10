/**
 * One parse per document version: the editor's model and the evaluator read the same tree
 * (shared/src/syntax/literalTree.ts), so checking a version — what the CLI's `check` and the
 * in-process language service do — parses each text (whole, or each segment) once. Counted by
 * wrapping the two parsers every parse goes through: the `yaml` package's `parseDocument`, and
 * the fast path (syntax/simpleYaml.ts) where it takes the text; every text is made unique, so
 * no cache of an earlier test can hide a second parse.
 */
import * as assert from 'node:assert/strict';
import yaml = require('yaml');
import simpleYaml = require('../../shared/src/syntax/simpleYaml');
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { checkedSourceLines } from '../../client/src/cli/commands/checkCommand';
import { envUri, memoryWorkspace } from './language-support';

let run = 0;

/** The texts `parseDocument` was given while `action` ran, in order. */
async function parsesDuring(action: () => Promise<unknown>): Promise<string[]> {
  const original = yaml.parseDocument;
  const originalFast = simpleYaml.parseSimpleYaml;
  const seen: string[] = [];
  const counting = ((source: string, ...rest: unknown[]) => {
    seen.push(source);
    return (original as (...args: unknown[]) => unknown)(source, ...rest);
  }) as typeof yaml.parseDocument;
  yaml.parseDocument = counting;
  // A text the fast path declines goes on to `parseDocument`: only the fast path's trees count.
  simpleYaml.parseSimpleYaml = (source, options) => {
    const tree = originalFast(source, options);
    if (tree !== undefined) seen.push(source);
    return tree;
  };
  try {
    await action();
  } finally {
    yaml.parseDocument = original;
    simpleYaml.parseSimpleYaml = originalFast;
  }
  return seen;
}

function duplicates(texts: string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([t, n]) => `${n}× ${JSON.stringify(t.slice(0, 60))}`);
}

/** A root importing `lib`, every line unique to this call. */
function fixture(head = ''): { root: string; lib: string } {
  const u = `u${process.pid}x${run++}x${Date.now()}`;
  const lib = `values: # ${u}\n  ${u}lib:\n    region: us-east-1\n    port: 8080\n`;
  const root = `${head}imports:\n  - lib\nvalues:\n  ${u}a:\n    name: "${u}"\n    region: \${${u}lib.region}\n    enabled: true\n  ${u}b:\n    script: |\n      echo ${u}\n    port: \${${u}lib.port}\n  ${u}c: [1, 0x1F, .inf, ~]\n`;
  return { root, lib };
}

describe('one parse per document version (model and evaluator share the tree)', () => {
  it('a check of closed files (as the CLI runs it) parses each text once: a small first version whole, an import by segment', async () => {
    const { root, lib } = fixture();
    const { service } = memoryWorkspace({ root, lib }, [], createCheckModeChecker());
    let diagnostics: unknown[] = [];
    const texts = await parsesDuring(async () => (diagnostics = await service.diagnostics(envUri('root'))));
    assert.deepEqual(diagnostics, []);
    assert.equal(texts.filter((t) => t === root).length, 1, 'the root, whole (one yaml document, not one per segment)');
    assert.ok(texts.length >= 3, `lib's segments parsed: ${texts.length - 1}`);
    assert.deepEqual(duplicates(texts), []);
  });

  it('a check with diagnostics and its source excerpts, secrets masked (as `esc-local check` prints them), parses the text once', async () => {
    const { root, lib } = fixture();
    const secret = `hunter${run}`;
    const withSecret = `${root}  broken: \${nowhere.at.all}\n  pw:\n    fn::secret: ${secret}\n`;
    const { service } = memoryWorkspace({ root: withSecret, lib }, [], createCheckModeChecker());
    const noDisk = { read: (): string | undefined => assert.fail('the excerpts read the disk again') };
    let lines: string[] = [];
    const texts = await parsesDuring(async () => {
      const diagnostics = await service.diagnostics(envUri('root'));
      assert.ok(diagnostics.length >= 2, JSON.stringify(diagnostics));
      lines = checkedSourceLines(service, envUri('root'), noDisk);
    });
    assert.deepEqual(duplicates(texts), []);
    // Not the whole text again either (the model parsed it by segments): each character once.
    const parsed = texts.reduce((n, t) => n + t.length, 0);
    assert.ok(parsed <= withSecret.length + lib.length, `${parsed} characters parsed for ${withSecret.length + lib.length}`);
    assert.equal(lines.length, withSecret.split('\n').length);
    assert.ok(!lines.join('\n').includes(secret), lines.join('\n'));
    assert.ok(lines.includes('    fn::secret: [secret]'), lines.join('\n'));
  });

  it('a file the evaluator read as an import, then checked itself (as `check` of a workspace does), is parsed once', async () => {
    const { root, lib } = fixture();
    const { service } = memoryWorkspace({ root, lib }, [], createCheckModeChecker());
    const texts = await parsesDuring(async () => {
      assert.deepEqual(await service.diagnostics(envUri('root')), []);
      assert.deepEqual(await service.diagnostics(envUri('lib')), []);
    });
    assert.deepEqual(duplicates(texts), []);
  });

  it('a document parsed whole (a layout the segmenter declines) is parsed once', async () => {
    const { root, lib } = fixture('---\n');
    const { service } = memoryWorkspace({ root, lib }, ['root'], createCheckModeChecker());
    let diagnostics: unknown[] = [];
    const texts = await parsesDuring(async () => (diagnostics = await service.diagnostics(envUri('root'))));
    assert.deepEqual(diagnostics, []);
    assert.equal(texts.filter((t) => t === root).length, 1, 'the root, whole, once');
    assert.deepEqual(duplicates(texts), []);
  });

  it('broken YAML: the model\'s error-tolerant tree is the one the evaluator reports from, parsed once', async () => {
    const { root, lib } = fixture();
    const broken = root.replace('enabled: true', 'enabled: [true');
    const { service } = memoryWorkspace({ root: broken, lib }, ['root'], createCheckModeChecker());
    let diagnostics: unknown[] = [];
    const texts = await parsesDuring(async () => (diagnostics = await service.diagnostics(envUri('root'))));
    assert.ok(diagnostics.length > 0);
    assert.equal(texts.filter((t) => t === broken).length, 1);
    assert.deepEqual(duplicates(texts), []);
  });

  it('each edited version of an open document is parsed once, and after the first edit only its edited segment', async () => {
    const { root, lib } = fixture();
    const { service, workspace } = memoryWorkspace({ root, lib }, ['root'], createCheckModeChecker());
    await service.diagnostics(envUri('root'));
    // The first version was small, so parsed whole: the first edit parses each segment once.
    const first = root.replace('echo ', 'echo -n ');
    workspace.changeDocument(envUri('root'), first, 2);
    const firstTexts = await parsesDuring(() => service.validate(envUri('root'), undefined, true));
    assert.ok(firstTexts.length >= 4 && !firstTexts.includes(first), `segments parsed: ${firstTexts.length}`);
    assert.deepEqual(duplicates(firstTexts), []);
    const edited = first.replace('port: 8080', 'port: 8081').replace('enabled: true', 'enabled: false');
    workspace.changeDocument(envUri('root'), edited, 3);
    // A full check (the incremental one parses a reduced document of its own: incremental.ts).
    const texts = await parsesDuring(() => service.validate(envUri('root'), undefined, true));
    assert.equal(texts.length, 1, `parsed: ${texts.map((t) => JSON.stringify(t.slice(0, 40))).join(', ')}`);
  });
});
