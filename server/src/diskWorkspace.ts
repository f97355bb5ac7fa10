/**
 * The server's side of the workspace model: reading environment files from disk and finding
 * them (every YAML file under each environments root, every `*.esc.yaml`/`*.esc.yml` in the
 * workspace folders). Which of them are environments, and their names, is the shared rule's call.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DiskReader } from '../../shared/src/language/environmentWorkspace';
import { readEnvironmentFile } from '../../shared/src/identity/environmentFile';

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

/**
 * Reads environment files by the one rule (shared/src/identity): regular files whose real path
 * is inside a workspace folder (`roots()`; with no folder, the file's own directory). Links
 * leaving it, FIFOs, devices and directories are never opened, so no hover or diagnostic can
 * show an outside file and no read can block the server.
 */
export function createDiskReader(roots: () => readonly string[]): DiskReader {
  return {
    read(uri: string): string | undefined {
      const path = uriToPath(uri);
      if (path === undefined) return undefined;
      const folders = roots();
      const read = readEnvironmentFile(path, folders.length > 0 ? folders : [dirname(path)], MAX_FILE_BYTES);
      return read.ok ? read.text : undefined;
    },
  };
}

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
      } else if ((entry.isFile() || entry.isSymbolicLink()) && (escOnly ? /\.esc\.ya?ml$/.test(entry.name) : /\.ya?ml$/.test(entry.name))) {
        out.push(pathToUri(path));
      }
    }
  };
  walk(root, 0);
  return out.sort();
}
