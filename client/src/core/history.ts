/**
 * Revision history of each environment, under the workspace's tool folder so it can be
 * committed: `.esc/history/<environment>/<number>.json` (number zero-padded to 6 digits).
 * A revision is created with an exclusive hard link, so two writers (extension and CLI) never
 * overwrite each other: the loser takes the next number. Revisions hold key ids and the
 * definition with secrets as ciphertext — never a secret value.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileExclusive } from './atomic';
import { CoreError } from './errors';
import { diffLines, formatDiff } from './diff';
import { redactSecrets } from '../../../shared/src/patch/redact';

export type RevisionKind = 'rotation' | 'save' | 'rollback' | 'encrypt' | 'recovery';

export interface RotatedPathRecord {
  /** ESC property path of the `fn::rotate` node, e.g. `values.iam`. */
  path: string;
  rotator: string;
  /** The credential that was current: a key id, or a user name for the database rotators. */
  oldKeyId?: string;
  newKeyId?: string;
  deletedKeyId?: string;
  /** Set when rotating this path failed (message has no secrets). */
  error?: string;
}

/** An access key this tool deleted in AWS: the retired `previous`, or an orphan of its own lost CreateAccessKey. */
export interface DeletedKeyRecord {
  accessKeyId: string;
  userArn: string;
  reason: 'previous' | 'orphan';
}

/** Rotators whose records name users (two-user strategy: rotations switch users), not key ids. */
export function switchesUsers(rotator: string): boolean {
  return rotator === 'postgres' || rotator === 'mysql';
}

/** What changed at a rotated path, for humans: `user switched a → b`, or `old → new` for keys. */
export function describeCredentialChange(record: RotatedPathRecord, none = '(none)'): string | undefined {
  if (record.oldKeyId === undefined && record.newKeyId === undefined) return undefined;
  const change = `${record.oldKeyId ?? none} → ${record.newKeyId ?? none}`;
  return switchesUsers(record.rotator) ? `user switched ${change}` : change;
}

export interface Revision {
  environment: string;
  number: number;
  /** ISO 8601. */
  time: string;
  /** OS user who made it. */
  user: string;
  /** The AWS principal that rotated (GetCallerIdentity of the managing credentials). */
  principalArn?: string;
  kind: RevisionKind;
  outcome: 'succeeded' | 'failed';
  /** What started it: `extension`, `cli`, `schedule`, … */
  trigger?: string;
  message?: string;
  paths: RotatedPathRecord[];
  /** Every access key the rotation deleted in AWS. */
  deletedKeys?: DeletedKeyRecord[];
  /** Rollbacks: the revision rolled back to. */
  rolledBackTo?: number;
  /** The environment definition as it then stood (secrets as ciphertext), if recorded. */
  definition?: string;
  /** Identifies the rotation run that recorded it (recovery never records a run twice). */
  rotationId?: string;
}

export type NewRevision = Omit<Revision, 'number' | 'time' | 'user' | 'environment'> & { time?: string; user?: string };

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

const FILE_RE = /^(\d{6,})\.json$/;

/**
 * A definition for display: every `fn::secret` value (plaintext or ciphertext) replaced by a
 * placeholder, found on the parsed YAML; a definition that does not parse is cut before its
 * first possible secret (see the patch module's `redactSecrets`).
 */
export function redactDefinition(text: string): string {
  return redactSecrets(text);
}

export class HistoryStore {
  constructor(readonly dir: string) {}

  private envDir(environment: string): string {
    return path.join(this.dir, ...environment.split('/').map(encodeURIComponent));
  }

  private numbers(environment: string): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.envDir(environment));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.map((n) => FILE_RE.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** Appends a revision and returns it with its number. */
  append(environment: string, rev: NewRevision): Revision {
    const dir = this.envDir(environment);
    fs.mkdirSync(dir, { recursive: true });
    for (let attempt = 0; attempt < 1000; attempt++) {
      const existing = this.numbers(environment);
      const number = (existing[existing.length - 1] ?? 0) + 1;
      const full: Revision = { environment, number, time: rev.time ?? new Date().toISOString(), user: rev.user ?? osUser(), ...rev } as Revision;
      full.number = number;
      full.environment = environment;
      if (createFileExclusive(path.join(dir, `${String(number).padStart(6, '0')}.json`), JSON.stringify(full, null, 2) + '\n')) return full;
    }
    throw new CoreError('HistoryError', 'could not allocate a revision number', { environment, file: dir });
  }

  /** Revisions of an environment, oldest first, without definitions (cheap for trees). */
  list(environment: string): Revision[] {
    return this.numbers(environment).map((n) => {
      const { definition: _omit, ...meta } = this.get(environment, n);
      void _omit;
      return meta;
    });
  }

  latest(environment: string): Revision | undefined {
    const ns = this.numbers(environment);
    return ns.length === 0 ? undefined : this.get(environment, ns[ns.length - 1]!);
  }

  get(environment: string, number: number): Revision {
    const file = path.join(this.envDir(environment), `${String(number).padStart(6, '0')}.json`);
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Revision;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CoreError('HistoryError', `environment ${environment} has no revision ${number}`, { environment, file }, `list its revisions with \`esc-local history ${environment}\``);
      }
      throw new CoreError('HistoryError', `revision ${number} is unreadable: ${(e as Error).message}`, { environment, file });
    }
  }

  /** Environments that have history (names), sorted. */
  environments(): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string[]): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      if (entries.some((e) => e.isFile() && FILE_RE.test(e.name))) out.push(prefix.map(decodeURIComponent).join('/'));
      for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name), [...prefix, e.name]);
    };
    walk(this.dir, []);
    return out.sort();
  }

  /** A revision for display: the definition redacted. */
  show(environment: string, number: number): Revision {
    const r = this.get(environment, number);
    return r.definition === undefined ? r : { ...r, definition: redactDefinition(r.definition) };
  }

  /** A unified diff of two revisions' definitions (redacted). `b` defaults to the next revision. */
  diff(environment: string, a: number, b?: number): string {
    const ra = this.get(environment, a);
    const rb = this.get(environment, b ?? a + 1);
    return formatDiff(diffLines(redactDefinition(ra.definition ?? ''), redactDefinition(rb.definition ?? '')), `${environment} revision ${ra.number}`, `${environment} revision ${rb.number}`);
  }

  /**
   * Calls `onChange(environment)` when revisions are added (by this or another process), so a
   * view can refresh. Returns a disposer. Uses fs.watch, with a polling fallback.
   */
  watch(onChange: (environment: string | undefined) => void, pollMs = 2000): () => void {
    fs.mkdirSync(this.dir, { recursive: true });
    let watcher: fs.FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    const notify = (file: string | null): void => {
      if (!file || !file.endsWith('.json')) return onChange(undefined);
      const parts = file.split(path.sep);
      parts.pop();
      onChange(parts.length > 0 ? parts.map(decodeURIComponent).join('/') : undefined);
    };
    try {
      watcher = fs.watch(this.dir, { recursive: true }, (_event, file) => notify(file ? file.toString() : null));
    } catch {
      let last = this.snapshot();
      timer = setInterval(() => {
        const now = this.snapshot();
        if (now !== last) {
          last = now;
          onChange(undefined);
        }
      }, pollMs);
    }
    return () => {
      watcher?.close();
      if (timer) clearInterval(timer);
    };
  }

  private snapshot(): string {
    return this.environments()
      .map((e) => `${e}:${this.numbers(e).at(-1) ?? 0}`)
      .join(',');
  }
}
