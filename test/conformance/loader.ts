/** Loads a corpus case's environments from its folder: `foo/bar.yaml` is environment `foo/bar`. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentLoader, LoadedEnvironment } from '../../shared/src/contract/plugins';
import { TestDecrypter } from './providers';

export class FolderLoader implements EnvironmentLoader {
  private readonly decrypter = new TestDecrypter();

  constructor(private readonly dir: string) {}

  async load(name: string): Promise<LoadedEnvironment | undefined> {
    const file = path.join(this.dir, ...name.split('/')) + '.yaml';
    if (!path.resolve(file).startsWith(path.resolve(this.dir) + path.sep)) return undefined;
    try {
      return { text: await fs.readFile(file, 'utf8'), decrypter: this.decrypter };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
