/**
 * The architecture's invariants (ARCHITECTURE.md, "Invariants"), checked on the import graph of
 * the real sources; and the checker itself, run on small synthetic graphs, failing when a
 * violation is added.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { forbiddenReaches, importCycles, importsOutside, layerViolations, readImportGraph, type ImportGraph } from './import-graph';
import { REPO_ROOT } from './text-markers';

/**
 * Default imports of Node built-in modules in `text` (`import fs from 'node:fs'`). The CLI's
 * bundles give a built-in's namespace as the module itself (scripts/bundle.mjs,
 * builtinsUncopied), where a default import would read a `default` it does not have.
 */
function builtinDefaultImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^import\s+(?!type\b)([\w$]+)\s*(?:,\s*\{[^}]*\}\s*)?from\s+'([^']+)'/gm)) {
    if (m[2].startsWith('node:') || builtinModules.includes(m[2])) found.push(m[0]);
  }
  return found;
}

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** shared/src's layers from the bottom up; folders in one entry are siblings and may not import each other. */
const SHARED_LAYERS = [
  ['syntax', 'identity'],
  ['ast', 'value'],
  ['schema'],
  ['contract'],
  ['catalog', 'crypt', 'patch', 'eval'],
  ['language'],
];
/**
 * client/src's layers from the bottom up: the vscode-free rotation core and the output formats
 * (siblings: neither imports the other), then the two programs over them, the CLI and the
 * extension, which never import each other.
 */
const CLIENT_LAYERS = [['core', 'output'], ['cli', 'extension']];
/** Names several folders may use, each for the same role: a folder's public face, a program's entry point. */
const SHARED_ROLE_NAMES = new Set(['index.ts', 'main.ts']);
/**
 * Files under `scope` whose name another file uses (SHARED_ROLE_NAMES excepted), or whose name is
 * not camelCase (`fooBar.ts`, `fooBar.d.ts`).
 */
function nameProblems(files: string[], scope: string): string[] {
  const byName = new Map<string, string[]>();
  for (const file of files) byName.set(path.posix.basename(file), [...(byName.get(path.posix.basename(file)) ?? []), file]);
  return files
    .filter((file) => file.startsWith(scope))
    .flatMap((file) => {
      const name = path.posix.basename(file);
      const others = (byName.get(name) ?? []).filter((other) => other !== file);
      return [
        ...(others.length > 0 && !SHARED_ROLE_NAMES.has(name) ? [`${file}: same name as ${others.join(', ')}`] : []),
        ...(/^[a-z][a-zA-Z0-9]*(\.d)?\.ts$/.test(name) ? [] : [`${file}: not camelCase`]),
      ];
    });
}
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

  it('client/src: imports only go down core · output → cli · extension', () => {
    assert.deepStrictEqual(layerViolations(graph, 'client/src', CLIENT_LAYERS), []);
  });

  it('no import circles in shared/, server/ or client/', () => {
    assert.deepStrictEqual(importCycles(graph, ['shared', 'server', 'client']), []);
  });

  it('nothing under shared/, client/src/core (the rotation core), client/src/output or client/src/cli reaches vscode', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['shared', 'client/src/core', 'client/src/output', 'client/src/cli'], VSCODE), []);
  });

  it('the language server never reaches the decryption code or the keychain', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['server'], DECRYPTION), []);
  });

  it('shared/ never imports client/ or server/', () => {
    assert.deepStrictEqual(forbiddenReaches(graph, ['shared'], ['client', 'server']), []);
  });

  it('the rotation core and the output formats use only themselves and shared/; the CLI and the extension only themselves, those two and shared/', () => {
    assert.deepStrictEqual(importsOutside(graph, 'client/src/core', ['shared']), []);
    assert.deepStrictEqual(importsOutside(graph, 'client/src/output', ['shared']), []);
    assert.deepStrictEqual(importsOutside(graph, 'client/src/cli', ['client/src/core', 'client/src/output', 'shared']), []);
    assert.deepStrictEqual(importsOutside(graph, 'client/src/extension', ['client/src/core', 'client/src/output', 'shared']), []);
  });

  it('names: a client/ file shares its name with no other file under client/, server/ or shared/ (index.ts, main.ts excepted), and is camelCase', () => {
    assert.deepStrictEqual(nameProblems([...graph.keys()], 'client/'), []);
  });

  it('client/src and shared/src import Node built-ins as namespaces or by name, never as a default', () => {
    const files = ['client/src', 'shared/src'].flatMap((dir) => sourcesUnder(path.join(REPO_ROOT, dir)));
    assert.ok(files.length > 50, 'the real sources are read');
    const found = files.flatMap((file) => builtinDefaultImports(fs.readFileSync(file, 'utf8')).map((line) => `${path.relative(REPO_ROOT, file)}: ${line}`));
    assert.deepStrictEqual(found, []);
    assert.deepStrictEqual(builtinDefaultImports("import Module from 'node:module';\nimport fs, { readFileSync } from 'fs';\nimport * as path from 'node:path';\nimport type Os from 'node:os';\nimport yaml from 'yaml';\n"), ["import Module from 'node:module'", "import fs, { readFileSync } from 'fs'"]);
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

  it('a client/ name used twice, or not camelCase', () => {
    const files = ['client/src/a/fooBar.ts', 'client/src/a/index.ts', 'client/src/b/index.ts', 'shared/src/x/main.ts', 'client/src/c/main.ts'];
    assert.deepStrictEqual(nameProblems(files, 'client/'), []);
    assert.deepStrictEqual(nameProblems([...files, 'shared/src/y/fooBar.ts', 'client/src/d/foo-bar.ts'], 'client/'), [
      'client/src/a/fooBar.ts: same name as shared/src/y/fooBar.ts',
      'client/src/d/foo-bar.ts: not camelCase',
    ]);
  });
});
