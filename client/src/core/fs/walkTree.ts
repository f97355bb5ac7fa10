/**
 * The one folder walk of the core (environments listing, the tool folder's link check): depth
 * first, down to a fixed depth, so a deep or looping tree (a folder link is an entry, never
 * followed) costs a bounded walk; a folder that cannot be read is skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WalkOptions {
  /** Folders deeper than this many levels below the root are not read. */
  maxDepth: number;
  /** Which sub-folders are walked (default: all). */
  enter?: (entry: fs.Dirent) => boolean;
  /** Called for every entry read, folders included, before a folder is walked. */
  visit: (entry: fs.Dirent, full: string) => void;
}

export function walkTree(root: string, options: WalkOptions): void {
  const walk = (dir: string, depth: number): void => {
    if (depth > options.maxDepth) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      options.visit(entry, full);
      if (entry.isDirectory() && (options.enter?.(entry) ?? true)) walk(full, depth + 1);
    }
  };
  walk(root, 0);
}
