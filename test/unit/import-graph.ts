/**
 * The import graph of the project's TypeScript sources, and the checks ARCHITECTURE.md's
 * invariants are made of. Reading uses the TypeScript compiler's own pre-processor
 * (`ts.preProcessFile`), which sees every `import`, `export … from`, `import type`, dynamic
 * `import()` and `require()` without being fooled by strings or comments. The checks are pure
 * functions over a graph, so architecture.test.ts also runs them on small synthetic graphs to show
 * that each one fails when a violation is added.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** file (repo-relative, `/`-separated) → what it imports: repo-relative files, or bare module names (`vscode`, `node:fs`). */
export type ImportGraph = Map<string, Set<string>>;

/** Every `.ts` file under the given repo-relative folders, with its imports resolved. */
export function readImportGraph(repoRoot: string, folders: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const folder of folders) {
    for (const file of sourceFiles(path.join(repoRoot, folder))) {
      const text = fs.readFileSync(file, 'utf8');
      const targets = new Set<string>();
      for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
        targets.add(resolveSpecifier(repoRoot, file, ref.fileName));
      }
      graph.set(toRepoPath(repoRoot, file), targets);
    }
  }
  return graph;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'out' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

/** A relative specifier becomes the repo-relative file it names (as `tsc` with node10 resolution finds it); a bare one stays as written. */
function resolveSpecifier(repoRoot: string, fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return toRepoPath(repoRoot, candidate);
  }
  throw new Error(`${toRepoPath(repoRoot, fromFile)}: cannot resolve import '${specifier}'`);
}

function toRepoPath(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

/** Whether a graph node lies in a folder (`shared/src/crypt`) or is a bare module (`vscode`, `vscode/x`). */
export function isUnder(node: string, folderOrModule: string): boolean {
  return node === folderOrModule || node.startsWith(`${folderOrModule}/`);
}

/**
 * Layer order inside one folder: `layers` lists its sub-folders from the bottom up; the folders in
 * one entry are siblings, which may not import each other. A file may import its own folder and
 * folders of lower entries only. A file directly in `root`, or in a folder no entry names, is a
 * violation too: a new folder has to be given its place.
 */
export function layerViolations(graph: ImportGraph, root: string, layers: string[][]): string[] {
  const rank = new Map<string, number>();
  layers.forEach((siblings, i) => siblings.forEach((folder) => rank.set(folder, i)));
  const layerOf = (file: string): string | undefined => (isUnder(file, root) ? file.slice(root.length + 1).split('/')[0] : undefined);
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (from === undefined) continue;
    const fromRank = rank.get(from);
    if (fromRank === undefined || !file.slice(root.length + 1).includes('/')) {
      problems.push(`${file} is in no declared layer of ${root}`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to === undefined || to === from) continue;
      const toRank = rank.get(to);
      if (toRank === undefined || toRank >= fromRank) {
        problems.push(`${file} -> ${target}: layer ${from} may not import ${to} (${toRank === undefined ? 'undeclared' : toRank === fromRank ? 'a sibling' : 'a higher layer'})`);
      }
    }
  }
  return problems;
}

/** The import circles among files in the given folders: each strongly connected component of more than one file, or a file importing itself. */
export function importCycles(graph: ImportGraph, folders: string[]): string[][] {
  const inScope = (node: string): boolean => graph.has(node) && folders.some((f) => isUnder(node, f));
  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of graph.keys()) {
    if (!inScope(start) || index.has(start)) continue;
    const work: Array<{ node: string; next: Iterator<string> }> = [];
    const visit = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: (graph.get(node) ?? new Set<string>()).values() });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const step = frame.next.next();
      if (!step.done) {
        const target = step.value;
        if (!inScope(target)) continue;
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || graph.get(frame.node)!.has(frame.node)) cycles.push(component.sort());
    }
  }
  return cycles;
}

/**
 * Files in `from` that reach a forbidden node, directly or through any chain of imports, each with
 * the chain that gets there (`a.ts -> b.ts -> vscode`).
 */
export function forbiddenReaches(graph: ImportGraph, from: string[], forbidden: string[]): string[] {
  const isForbidden = (node: string): boolean => forbidden.some((f) => isUnder(node, f));
  const problems: string[] = [];
  for (const file of graph.keys()) {
    if (!from.some((f) => isUnder(file, f))) continue;
    const chain = pathTo(graph, file, isForbidden);
    if (chain !== undefined) problems.push(chain.join(' -> '));
  }
  return problems;
}

/**
 * Imports from files in `from` of project files outside `allowed` (bare modules do not count):
 * `from` may use only itself and what `allowed` names. Direct imports suffice: when every import
 * stays inside the allowed folders, so does every chain.
 */
export function importsOutside(graph: ImportGraph, from: string, allowed: string[]): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    if (!isUnder(file, from)) continue;
    for (const target of targets) {
      if (graph.has(target) && !isUnder(target, from) && !allowed.some((a) => isUnder(target, a))) problems.push(`${file} -> ${target}`);
    }
  }
  return problems;
}

/** Breadth-first: the shortest import chain from `start` to a node satisfying `goal`. */
function pathTo(graph: ImportGraph, start: string, goal: (node: string) => boolean): string[] | undefined {
  const cameFrom = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    if (node !== start && goal(node)) {
      const chain: string[] = [];
      for (let n: string | undefined = node; n !== undefined; n = cameFrom.get(n)) chain.unshift(n);
      return chain;
    }
    for (const target of graph.get(node) ?? []) {
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, node);
      queue.push(target);
    }
  }
  return undefined;
}
