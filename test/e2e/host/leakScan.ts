/**
 * After a run, every file the run produced (VS Code's logs including the ESC output channel, the
 * workspace copies with their environments, history, journals and schedules, the language
 * server's logs) is searched for the secret values the run handled. The local AWS endpoint's
 * state file is excluded: it is "AWS" and holds its keys by design.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Workspace } from '../../../client/src/core/workspace';
import { AesGcmCipher, decryptCiphertext } from '../../../shared/src/crypt';

export interface LeakScanResult {
  filesScanned: number;
  hits: Array<{ file: string; secretIndex: number }>;
}

function* files(dir: string, skip: (file: string) => boolean): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    if (entry.isDirectory()) yield* files(full, skip);
    else if (entry.isFile()) yield full;
  }
}

export function scanForSecrets(roots: string[], secrets: string[], skip: (file: string) => boolean): LeakScanResult {
  const needles = secrets.filter(s => s.length >= 8).map(s => Buffer.from(s, 'utf8'));
  const result: LeakScanResult = { filesScanned: 0, hits: [] };
  for (const root of roots) {
    for (const file of files(root, skip)) {
      const data = fs.readFileSync(file);
      result.filesScanned++;
      needles.forEach((needle, secretIndex) => {
        if (data.includes(needle)) result.hits.push({ file, secretIndex });
      });
    }
  }
  return result;
}

/**
 * The plaintexts of every ciphertext in a workspace (environment files and history), decrypted
 * with the workspace's data key from the keychain: the rotated secrets the run produced.
 */
export async function secretsOfWorkspace(root: string): Promise<string[]> {
  const workspace = new Workspace({ root });
  let cipher: AesGcmCipher;
  try {
    cipher = new AesGcmCipher(await workspace.dataKey());
  } catch {
    return []; // no data key: nothing was encrypted in this workspace
  }
  const found = new Set<string>();
  const pattern = /ciphertext["']?\s*:\s*["']?([A-Za-z0-9+/=]{16,})/g;
  for (const file of files(root, f => f.includes(`${path.sep}run${path.sep}`))) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) {
      try {
        found.add(await decryptCiphertext(cipher, match[1]!));
      } catch {
        // not this workspace's ciphertext (or not a ciphertext): nothing to look for
      }
    }
  }
  return [...found];
}
