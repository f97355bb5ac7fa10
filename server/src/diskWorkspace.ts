/**
 * The server's side of the workspace model: reading environment files from disk and finding
 * them (every YAML file under each environments root, every `*.esc.yaml`/`*.esc.yml` in the
 * workspace folders).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DiskReader } from '../../shared/src/language/environmentWorkspace';

/** Files larger than this are not environments anyone edits; skip them rather than stall. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test']);
const MAX_DEPTH = 12;

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

export const diskReader: DiskReader = {
  read(uri: string): string | undefined {
    const path = uriToPath(uri);
    if (path === undefined) return undefined;
    try {
      if (statSync(path).size > MAX_FILE_BYTES) return undefined;
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** URIs of the YAML files under `root` (all) or, with `escOnly`, of `*.esc.yaml`/`*.esc.yml`. */
export function findEnvironmentFiles(rootUri: string, escOnly: boolean): string[] {
  const root = uriToPath(rootUri);
  const out: string[] = [];
  if (root === undefined) return out;
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path, depth + 1);
      } else if (entry.isFile() && (escOnly ? /\.esc\.ya?ml$/.test(entry.name) : /\.ya?ml$/.test(entry.name))) {
        out.push(pathToUri(path));
      }
    }
  };
  walk(root, 0);
  return out.sort();
}
