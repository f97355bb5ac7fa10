/**
 * The write-ahead journal of one environment's rotation. Every step that changes something
 * outside the environment file (AWS) is recorded before it is attempted (intent) and after it
 * succeeded (outcome), so a rotation killed at any point is completed by the next run: a
 * created key's secret is in the journal before anything else happens, a deleted key is known
 * to be deleted, an orphan key created just before a crash is recognised as ours.
 *
 * File: `<workspace>/.esc/run/journal/<environment>.json`, mode 0600, rewritten atomically on
 * every append. Secrets inside are sealed with the workspace data key by the product's cipher
 * (AES-256-GCM, `shared/src/crypt`), the environment name and purpose bound as associated data,
 * never stored in plaintext.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { writeFileAtomic, removeFileDurably } from '../fs/atomic';
import { environmentFileStem } from '../../../../shared/src/identity/environmentName';
import { CoreError } from '../errors';
import { array, boolean, environmentName, integer, literal, object, optional, parseJsonFile, string, type Shape } from '../fs/jsonShape';
import type { NewRevision } from '../history/historyStore';
import { AesGcmCipher, CipherError, NONCE_BYTES, TAG_BYTES } from '../../../../shared/src/crypt/aesgcm';

/**
 * A sealed secret: the cipher's payload (nonce ‖ ciphertext ‖ tag) kept as its three parts,
 * base64, the layout journals have always had (a journal left by an earlier version still opens).
 */
export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

function toSealed(payload: Uint8Array): Sealed {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    iv: bytes.subarray(0, NONCE_BYTES).toString('base64'),
    tag: bytes.subarray(bytes.length - TAG_BYTES).toString('base64'),
    data: bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES).toString('base64'),
  };
}

/** The payload of a sealed secret, or undefined when its parts have the wrong sizes (edited by hand). */
function fromSealed(sealed: Sealed): Uint8Array | undefined {
  const [iv, data, tag] = [sealed.iv, sealed.data, sealed.tag].map((part) => Buffer.from(typeof part === 'string' ? part : '', 'base64')) as [Buffer, Buffer, Buffer];
  if (iv.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return undefined;
  return new Uint8Array(Buffer.concat([iv, data, tag]));
}

export type JournalEntry =
  | { kind: 'iam-begin'; userArn: string; current?: string; previous?: string; at: string }
  | { kind: 'iam-delete-intent'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'iam-deleted'; userArn: string; accessKeyId: string; at: string }
  /** A CreateAccessKey call is about to be sent; `deadlineMs` bounds how long it can run. */
  | { kind: 'iam-create-intent'; userArn: string; at: string; attempt?: string; deadlineMs?: number }
  /** The call failed. `certain`: AWS answered with a 4xx, so it created nothing; else it may have. */
  | { kind: 'iam-create-failed'; userArn: string; attempt: string; certain: boolean; at: string }
  /** An uncertain attempt settled against ListAccessKeys: its key (`orphan`, deleted) or none. */
  | { kind: 'iam-create-settled'; userArn: string; attempt: string; orphan?: string; at: string }
  | { kind: 'iam-orphan-deleted'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'iam-created'; userArn: string; accessKeyId: string; secret: Sealed; createdAt: string; at: string; attempt?: string }
  | { kind: 'iam-verified'; userArn: string; accessKeyId: string; at: string }
  | { kind: 'principal'; arn: string; at: string }
  // Database rotators (rotators/db.ts): `userArn` holds the rotation's target id (engine://host:port/db?users=u1,u2).
  | { kind: 'db-begin'; userArn: string; current?: string; at: string }
  | { kind: 'db-password-intent'; userArn: string; user: string; secret: Sealed; at: string }
  | { kind: 'db-password-set'; userArn: string; user: string; at: string }
  | { kind: 'db-password-failed'; userArn: string; user: string; at: string }
  | { kind: 'db-verified'; userArn: string; user: string; at: string };

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
  /** Deleted key ids already listed in a recorded revision. */
  reported?: string[];
}

/** Journals written before create intents carried their deadline: the SDK defaults of then. */
const LEGACY_CREATE_DEADLINE_MS = 20_000;

const SEALED_SHAPE = object<Sealed>({ iv: string, tag: string, data: string });

/** Each entry kind with its fields: recovery acts on these, so none may be missing or mistyped. */
const ENTRY_FIELDS: { [K in JournalEntry['kind']]: Shape<unknown> } = {
  'iam-begin': object({ userArn: string, current: optional(string), previous: optional(string), at: string }),
  'iam-delete-intent': object({ userArn: string, accessKeyId: string, at: string }),
  'iam-deleted': object({ userArn: string, accessKeyId: string, at: string }),
  'iam-create-intent': object({ userArn: string, at: string, attempt: optional(string), deadlineMs: optional(integer) }),
  'iam-create-failed': object({ userArn: string, attempt: string, certain: boolean, at: string }),
  'iam-create-settled': object({ userArn: string, attempt: string, orphan: optional(string), at: string }),
  'iam-orphan-deleted': object({ userArn: string, accessKeyId: string, at: string }),
  'iam-created': object({ userArn: string, accessKeyId: string, secret: SEALED_SHAPE, createdAt: string, at: string, attempt: optional(string) }),
  'iam-verified': object({ userArn: string, accessKeyId: string, at: string }),
  principal: object({ arn: string, at: string }),
  'db-begin': object({ userArn: string, current: optional(string), at: string }),
  'db-password-intent': object({ userArn: string, user: string, secret: SEALED_SHAPE, at: string }),
  'db-password-set': object({ userArn: string, user: string, at: string }),
  'db-password-failed': object({ userArn: string, user: string, at: string }),
  'db-verified': object({ userArn: string, user: string, at: string }),
};

const ENTRY_SHAPE: Shape<JournalEntry> = (value, at) => {
  const kind = object<{ kind: JournalEntry['kind'] }>({ kind: literal(...(Object.keys(ENTRY_FIELDS) as JournalEntry['kind'][])) })(value, at).kind;
  ENTRY_FIELDS[kind](value, at);
  return value as JournalEntry;
};

const JOURNAL_SHAPE = object<JournalData>({
  version: literal(1),
  environment: environmentName,
  paths: optional(array(string)),
  startedAt: string,
  pid: integer,
  host: string,
  phase: literal('rotating', 'writing', 'history-recorded'),
  revision: optional(integer),
  pendingWrite: optional(object<PendingWrite>({ textSha256: string, rotationId: string, revision: (v, at) => object<{ kind: string }>({ kind: string })(v, at) as PendingWrite['revision'], completedUsers: array(string) })),
  entries: array(ENTRY_SHAPE),
  reported: optional(array(string)),
});

export function journalFile(runDir: string, environment: string): string {
  return path.join(runDir, 'journal', `${environmentFileStem(environment)}.json`);
}

export class Journal {
  private constructor(
    readonly file: string,
    private readonly cipher: AesGcmCipher,
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
  static open(runDir: string, environment: string, dataKey: Uint8Array): Journal | undefined {
    const file = journalFile(runDir, environment);
    let raw: string;
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    // A journal that is not one is never "completed" by deleting it: stop with its name.
    const data = parseJsonFile(raw, file, JOURNAL_SHAPE, 'an esc-local rotation journal (version 1); it was written atomically, so it was edited by hand: inspect it, then delete it to continue', 'Drift');
    if (data.environment !== environment) {
      throw new CoreError('Drift', 'the rotation journal belongs to another environment or version', { environment, file }, 'delete it if no rotation is in progress');
    }
    return new Journal(file, new AesGcmCipher(dataKey), data);
  }

  static begin(runDir: string, environment: string, dataKey: Uint8Array, paths: string[] | undefined): Journal {
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
    const j = new Journal(journalFile(runDir, environment), new AesGcmCipher(dataKey), data);
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
    const users = new Set(this.data.entries.flatMap((e) => ('userArn' in e ? [e.userArn] : [])));
    const unfinished = [...users].some((u) => this.unsettledCreates(u).length > 0 || this.entriesFor(u).some((e) => e.kind === 'iam-created') || this.pendingDbPassword(u) !== undefined);
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

  /**
   * The database password last sealed for a rotation target (rotators/db.ts), unless the server
   * refused setting it since: such a password may be live, so it must not be forgotten.
   */
  pendingDbPassword(target: string): Extract<JournalEntry, { kind: 'db-password-intent' }> | undefined {
    const entries = this.entriesFor(target);
    const i = entries.map((e) => e.kind).lastIndexOf('db-password-intent');
    if (i < 0 || entries.slice(i + 1).some((e) => e.kind === 'db-password-failed')) return undefined;
    return entries[i] as Extract<JournalEntry, { kind: 'db-password-intent' }>;
  }

  /**
   * CreateAccessKey attempts of a user whose outcome is unknown: no key came back, AWS did not
   * certainly refuse, and they were not settled against ListAccessKeys yet. Each may have
   * created one key, within `[from, until]` (ms since the epoch, this machine's clock).
   */
  unsettledCreates(userArn: string): Array<{ attempt: string; from: number; until: number }> {
    const entries = this.entriesFor(userArn);
    const out: Array<{ attempt: string; from: number; until: number }> = [];
    for (const e of entries) {
      if (e.kind !== 'iam-create-intent') continue;
      const attempt = e.attempt ?? e.at;
      const from = Date.parse(e.at);
      let until = from + (e.deadlineMs ?? LEGACY_CREATE_DEADLINE_MS);
      let open = true;
      for (const r of entries) {
        if (!('attempt' in r) || r.attempt !== attempt || r === e) continue;
        if (r.kind === 'iam-created' || r.kind === 'iam-create-settled' || (r.kind === 'iam-create-failed' && r.certain)) open = false;
        else if (r.kind === 'iam-create-failed') until = Date.parse(r.at);
      }
      if (open) out.push({ attempt, from, until });
    }
    return out;
  }

  /** True when the interrupted run may have changed something in AWS (deleted or created a key). */
  hasExternalEffects(): boolean {
    return this.data.entries.some((e) => e.kind === 'iam-delete-intent' || e.kind === 'iam-create-intent' || e.kind === 'iam-created' || e.kind === 'db-password-intent');
  }

  /** Deletions not yet listed in a revision. */
  unreportedDeletions(): ReturnType<Journal['deletedKeyIds']> {
    const reported = new Set(this.data.reported ?? []);
    return this.deletedKeyIds().filter((d) => !reported.has(d.accessKeyId));
  }

  markReported(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.data.reported = [...new Set([...(this.data.reported ?? []), ...ids])];
    this.flush();
  }

  /** Access keys this tool deleted in AWS during this rotation (its own orphans included). */
  deletedKeyIds(): Array<{ userArn: string; accessKeyId: string; reason: 'previous' | 'orphan' }> {
    return this.data.entries.flatMap((e): Array<{ userArn: string; accessKeyId: string; reason: 'previous' | 'orphan' }> =>
      e.kind === 'iam-deleted' ? [{ userArn: e.userArn, accessKeyId: e.accessKeyId, reason: 'previous' as const }] : e.kind === 'iam-orphan-deleted' ? [{ userArn: e.userArn, accessKeyId: e.accessKeyId, reason: 'orphan' as const }] : [],
    );
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

  /** What a sealed secret is bound to: it opens only for the same environment and purpose. */
  private associatedData(purpose: string): Uint8Array {
    return Buffer.from(`${this.data.environment}\n${purpose}`, 'utf8');
  }

  seal(plaintext: string, purpose: string): Sealed {
    return toSealed(this.cipher.seal(Buffer.from(plaintext, 'utf8'), this.associatedData(purpose)));
  }

  unseal(sealed: Sealed, purpose: string): string {
    const plaintext = this.openSealed(sealed, purpose);
    if (plaintext === undefined) {
      throw new CoreError('DataKeyMissing', 'a secret in the rotation journal cannot be decrypted with this workspace\'s data key', { environment: this.data.environment, file: this.file }, 'use the data key the interrupted rotation used (the same OS keychain entry)');
    }
    return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString('utf8');
  }

  /** The plaintext, or undefined when the key, the binding or the sealed parts are wrong. */
  private openSealed(sealed: Sealed, purpose: string): Uint8Array | undefined {
    const payload = fromSealed(sealed);
    if (payload === undefined) return undefined;
    try {
      return this.cipher.open(payload, this.associatedData(purpose));
    } catch (e) {
      if (e instanceof CipherError) return undefined;
      throw e;
    }
  }

  private flush(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, JSON.stringify(this.data, null, 2) + '\n', 0o600);
  }
}
