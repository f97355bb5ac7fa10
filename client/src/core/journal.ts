/**
 * The write-ahead journal of one environment's rotation. Every step that changes something
 * outside the environment file (AWS) is recorded before it is attempted (intent) and after it
 * succeeded (outcome), so a rotation killed at any point is completed by the next run: a
 * created key's secret is in the journal before anything else happens, a deleted key is known
 * to be deleted, an orphan key created just before a crash is recognised as ours.
 *
 * File: `<workspace>/.esc/run/journal/<environment>.json`, mode 0600, rewritten atomically on
 * every append. Secrets inside are sealed with the workspace data key (AES-256-GCM, the
 * environment name and entry kind bound as associated data), never stored in plaintext.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { writeFileAtomic, removeFileDurably } from './atomic';
import { CoreError } from './errors';
import type { NewRevision } from './history';

export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

export type JournalEntry =
  | { kind: 'iam-begin'; userArn: string; current?: string; previous?: string; at: string }
  | { kind: 'iam-delete-intent'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'iam-deleted'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'iam-create-intent'; userArn: string; at: string }
  | { kind: 'iam-orphan-deleted'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'iam-created'; userArn: string; accessKeyId: string; secret: Sealed; createdAt: string; at: string }
  | { kind: 'iam-verified'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'principal'; arn: string; at: string };

export type JournalPhase = 'rotating' | 'writing' | 'history-recorded';

/** What the driver is about to write (recorded before the file is replaced). No secrets. */
export interface PendingWrite {
  /** sha256 of the new file text: after a crash, the file has it iff the write happened. */
  textSha256: string;
  /** Unique id carried into the revision, so recovery never records it twice. */
  rotationId: string;
  /** The revision to record (definition with secrets as ciphertext only). */
  revision: NewRevision;
  /** Users whose rotation this write completes (their journal entries are then done). */
  completedUsers: string[];
}

export interface JournalData {
  version: 1;
  environment: string;
  /** The document paths requested (undefined = every fn::rotate in the environment). */
  paths?: string[];
  startedAt: string;
  pid: number;
  host: string;
  phase: JournalPhase;
  /** The revision recorded for this rotation, once recorded. */
  revision?: number;
  pendingWrite?: PendingWrite;
  entries: JournalEntry[];
}

export function journalFile(runDir: string, environment: string): string {
  return path.join(runDir, 'journal', `${encodeURIComponent(environment)}.json`);
}

export class Journal {
  private constructor(
    readonly file: string,
    private readonly dataKey: Buffer,
    private data: JournalData,
  ) {}

  get environment(): string {
    return this.data.environment;
  }
  get phase(): JournalPhase {
    return this.data.phase;
  }
  get paths(): string[] | undefined {
    return this.data.paths;
  }
  get revision(): number | undefined {
    return this.data.revision;
  }
  get startedAt(): string {
    return this.data.startedAt;
  }
  get entries(): readonly JournalEntry[] {
    return this.data.entries;
  }

  /** Reads the journal left by an earlier run, if any. */
  static open(runDir: string, environment: string, dataKey: Buffer): Journal | undefined {
    const file = journalFile(runDir, environment);
    let raw: string;
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let data: JournalData;
    try {
      data = JSON.parse(raw) as JournalData;
    } catch {
      throw new CoreError('Drift', 'the rotation journal is not valid JSON', { environment, file }, 'it was written atomically, so this means it was edited by hand; inspect it, then delete it to continue');
    }
    if (data.version !== 1 || data.environment !== environment) {
      throw new CoreError('Drift', 'the rotation journal belongs to another environment or version', { environment, file }, 'delete it if no rotation is in progress');
    }
    return new Journal(file, dataKey, data);
  }

  static begin(runDir: string, environment: string, dataKey: Buffer, paths: string[] | undefined): Journal {
    const data: JournalData = {
      version: 1,
      environment,
      ...(paths ? { paths } : {}),
      startedAt: new Date().toISOString(),
      pid: process.pid,
      host: os.hostname(),
      phase: 'rotating',
      entries: [],
    };
    const j = new Journal(journalFile(runDir, environment), dataKey, data);
    j.flush();
    return j;
  }

  append(entry: JournalEntry): void {
    this.data.entries.push(entry);
    this.flush();
  }

  get pendingWrite(): PendingWrite | undefined {
    return this.data.pendingWrite;
  }

  /** Records the write about to happen (phase `writing`). */
  beginWrite(pending: PendingWrite): void {
    this.data.phase = 'writing';
    this.data.pendingWrite = pending;
    this.flush();
  }

  /** The write did not complete (or failed): back to `rotating`, so the next run redoes it. */
  abandonWrite(): void {
    this.data.phase = 'rotating';
    delete this.data.pendingWrite;
    this.flush();
  }

  historyRecorded(revision: number): void {
    this.data.phase = 'history-recorded';
    this.data.revision = revision;
    this.flush();
  }

  /**
   * After a partly failed rotation was written: forget what is done (the completed users'
   * entries) and keep the rest for the next run, restricted to the paths still to rotate.
   * Returns false (and removes the journal) when nothing is left to recover.
   */
  keepUnfinished(completedUsers: readonly string[], remainingPaths: string[]): boolean {
    const done = new Set(completedUsers);
    this.data.entries = this.data.entries.filter((e) => !('userArn' in e) || !done.has(e.userArn));
    const unfinished = this.data.entries.some((e) => e.kind === 'iam-create-intent' || e.kind === 'iam-created' || e.kind === 'iam-delete-intent');
    if (!unfinished) {
      this.remove();
      return false;
    }
    this.data.phase = 'rotating';
    delete this.data.pendingWrite;
    this.data.paths = remainingPaths;
    this.flush();
    return true;
  }

  /** Ends the journal: the rotation is complete (file written, revision recorded). */
  remove(): void {
    removeFileDurably(this.file);
  }

  entriesFor(userArn: string): JournalEntry[] {
    return this.data.entries.filter((e) => 'userArn' in e && e.userArn === userArn);
  }

  principal(): string | undefined {
    for (let i = this.data.entries.length - 1; i >= 0; i--) {
      const e = this.data.entries[i]!;
      if (e.kind === 'principal') return e.arn;
    }
    return undefined;
  }

  seal(plaintext: string, purpose: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, iv);
    cipher.setAAD(Buffer.from(`${this.data.environment}\n${purpose}`));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  unseal(sealed: Sealed, purpose: string): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.dataKey, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(`${this.data.environment}\n${purpose}`));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CoreError('DataKeyMissing', 'a secret in the rotation journal cannot be decrypted with this workspace\'s data key', { environment: this.data.environment, file: this.file }, 'use the data key the interrupted rotation used (the same OS keychain entry)');
    }
  }

  private flush(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, JSON.stringify(this.data, null, 2) + '\n', 0o600);
  }
}
