/**
 * A workspace configuration file in JSON under `.esc/` (schedules, webhooks): read with
 * located errors (a missing file is the empty configuration), and changed under a short lock
 * in `.esc/run/` so concurrent edits never lose one another, then written atomically.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic';
import { CoreError } from '../errors';
import { parseJsonFile } from './jsonShape';
import { acquireEnvironmentLock } from './lock';

export interface JsonConfigSpec<T> {
  /** The lock's name in `.esc/run/` (starts with `@`, so no environment can take it). */
  lockName: string;
  /** What the lock is held for (shown to whoever waits for it). */
  purpose: string;
  /** The configuration when the file does not exist yet. */
  empty: () => T;
  /** Checks the parsed JSON; throws a CoreError naming `file` when it is not this configuration. */
  validate: (parsed: unknown, file: string) => T;
}

export class JsonConfigFile<T> {
  constructor(
    readonly file: string,
    private readonly runDir: string,
    private readonly spec: JsonConfigSpec<T>,
  ) {}

  read(): T {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.spec.empty();
      throw new CoreError('InvalidInput', `cannot read ${this.file}: ${(e as Error).message}`, { file: this.file });
    }
    return this.spec.validate(parseJsonFile(text, this.file, (v) => v, 'JSON'), this.file);
  }

  /** Re-reads the file under the lock, applies `change` and writes the result. */
  async update(change: (data: T) => void): Promise<void> {
    const lock = await acquireEnvironmentLock(this.runDir, this.spec.lockName, { waitMs: 10_000, purpose: this.spec.purpose });
    try {
      const data = this.read();
      change(data);
      writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', 0o644);
    } finally {
      lock.release();
    }
  }
}
