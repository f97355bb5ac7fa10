/**
 * The architecture's invariants (ARCHITECTURE.md, "Invariants"), checked on the import graph of
 * the real sources; and the checker itself, run on small synthetic graphs, failing when a
 * violation is added.
 */
import * as assert from 'assert';
import { forbiddenReaches, importCycles, importsOutside, layerViolations, readImportGraph, type ImportGraph } from './import-graph';
import { REPO_ROOT } from './text-markers';

/** shared/src's layers from the bottom up; folders in one entry are siblings and may not import each other. */
const SHARED_LAYERS = [
  ['syntax', 'identity'],
  ['ast', 'value'],
  ['schema'],
  ['contract'],
  ['catalog', 'crypt', 'patch', 'eval'],
  ['language'],
];
/** Everything editor-bound: the VS Code API and the client library that needs it. */
const VSCODE = ['vscode', 'vscode-languageclient'];
/** The code that holds data keys or decrypts, and the OS keychain. */
const DECRYPTION = ['shared/src/crypt', 'client/src/core/keychain.ts', 'keytar'];

describe('architecture: the import graph', () => {
  const graph = readImportGraph(REPO_ROOT, ['shared', 'server', 'client']);

  it('reads the real sources', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files read`);
    assert.ok(graph.get('shared/src/language/service.ts')?.size, 'the language service\'s imports were not read');
  });

  it('shared/src: imports only go down the layer order', () => {
    assert.deepStrictEqual(layerViolations(graph, 'shared/src', SHARED_LAYERS), []);
  });

  it('no import circles in shared/, server/ or client/', () => {
    assert.deepStrictEqual(importCycles(graph, ['shared', 'server', 'client']), []);
  });

  it('nothing under shared/, client/src/core (the rotation core) or client/src/cli reaches vscode', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['shared', 'client/src/core', 'client/src/cli'], VSCODE), []);
  });

  it('the language server never reaches the decryption code or the keychain', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['server'], DECRYPTION), []);
  });

  it('shared/ never imports client/ or server/', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['shared'], ['client', 'server']), []);
  });

  it('the rotation core uses only itself and shared/; the CLI only itself, the core and shared/', () => {
    assert.deepStrictEqual(importsOutside(graph, 'client/src/core', ['shared']), []);
    assert.deepStrictEqual(importsOutside(graph, 'client/src/cli', ['client/src/core', 'client/src/output', 'shared']), []);
  });
});

describe('architecture: the checker fails on a violation', () => {
  const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([file, targets]) => [file, new Set(targets)]));
  const layers = [['low'], ['mid', 'side'], ['top']];
  const clean = {
    'r/low/a.ts': [],
    'r/mid/b.ts': ['r/low/a.ts', 'r/mid/c.ts'],
    'r/mid/c.ts': ['node:fs'],
    'r/side/d.ts': ['r/low/a.ts'],
    'r/top/e.ts': ['r/mid/b.ts', 'r/side/d.ts', 'r/low/a.ts'],
  };

  it('accepts a graph that keeps every rule', () => {
    const g = graphOf(clean);
    assert.deepStrictEqual(layerViolations(g, 'r', layers), []);
    assert.deepStrictEqual(importCycles(g, ['r']), []);
    assert.deepStrictEqual(forbiddenReaches(g, ['r'], ['vscode', 'r/secret']), []);
  });

  it('an import up a layer, between siblings, or from an undeclared place', () => {
    assert.deepStrictEqual(layerViolations(graphOf({ ...clean, 'r/low/a.ts': ['r/top/e.ts'] }), 'r', layers), [
      'r/low/a.ts -> r/top/e.ts: layer low may not import top (a higher layer)',
    ]);
    assert.deepStrictEqual(layerViolations(graphOf({ ...clean, 'r/side/d.ts': ['r/mid/c.ts'] }), 'r', layers), [
      'r/side/d.ts -> r/mid/c.ts: layer side may not import mid (a sibling)',
    ]);
    assert.deepStrictEqual(layerViolations(graphOf({ ...clean, 'r/new/f.ts': [], 'r/g.ts': [] }), 'r', layers), [
      'r/new/f.ts is in no declared layer of r',
      'r/g.ts is in no declared layer of r',
    ]);
  });

  it('a circle of two files, a longer circle, and a file importing itself', () => {
    assert.deepStrictEqual(importCycles(graphOf({ ...clean, 'r/low/a.ts': ['r/mid/b.ts'] }), ['r']), [['r/low/a.ts', 'r/mid/b.ts']]);
    assert.deepStrictEqual(importCycles(graphOf({ ...clean, 'r/low/a.ts': ['r/top/e.ts'] }), ['r']), [
      ['r/low/a.ts', 'r/mid/b.ts', 'r/side/d.ts', 'r/top/e.ts'],
    ]);
    assert.deepStrictEqual(importCycles(graphOf({ ...clean, 'r/mid/c.ts': ['r/mid/c.ts'] }), ['r']), [['r/mid/c.ts']]);
    // Only the folders asked about count.
    assert.deepStrictEqual(importCycles(graphOf({ ...clean, 'r/low/a.ts': ['r/mid/b.ts'] }), ['r/top']), []);
  });

  it('a forbidden module or folder reached directly or through other files, with the chain', () => {
    const direct = graphOf({ ...clean, 'r/mid/c.ts': ['vscode'] });
    assert.deepStrictEqual(forbiddenReaches(direct, ['r/mid'], ['vscode']), ['r/mid/b.ts -> r/mid/c.ts -> vscode', 'r/mid/c.ts -> vscode']);
    const deep = graphOf({ ...clean, 'r/low/a.ts': ['r/secret/key.ts'], 'r/secret/key.ts': [] });
    assert.deepStrictEqual(forbiddenReaches(deep, ['r/top'], ['r/secret']), ['r/top/e.ts -> r/low/a.ts -> r/secret/key.ts']);
    // A subpath of a forbidden module counts; a module that only shares its prefix does not.
    assert.strictEqual(forbiddenReaches(graphOf({ 'r/a.ts': ['vscode/x'] }), ['r'], ['vscode']).length, 1);
    assert.strictEqual(forbiddenReaches(graphOf({ 'r/a.ts': ['vscode-uri'] }), ['r'], ['vscode']).length, 0);
  });

  it('an import of a project file outside the allowed folders', () => {
    const g = graphOf(clean);
    assert.deepStrictEqual(importsOutside(g, 'r/top', ['r/mid', 'r/side']), ['r/top/e.ts -> r/low/a.ts']);
    assert.deepStrictEqual(importsOutside(g, 'r/top', ['r/mid', 'r/side', 'r/low']), []);
    // Bare modules are not project files.
    assert.deepStrictEqual(importsOutside(g, 'r/mid', ['r/low']), []);
  });
});
