/**
 * Revision history of each environment, under the workspace's tool folder so it can be
 * committed: `.esc/history/<environment>/<number>.json` (number zero-padded to 6 digits).
 * A revision is created with an exclusive hard link, so two writers (extension and CLI) never
 * overwrite each other: the loser takes the next number. Revisions hold key ids and the
 * definition with secrets as ciphertext — never a secret value.
 *
 * Tags name revisions (`prod-2026-11`, `before-migration`), as in ESC: they live beside the
 * revisions in `<environment>/tags.json`, changed under a short lock in `.esc/run/`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileExclusive } from '../fs/atomic';
import { environmentFolderSegments, isEnvironmentName } from '../../../../shared/src/identity/environmentName';
import { CoreError } from '../errors';
import { array, checkJsonShape, environmentName, integer, literal, object, optional, parseJsonFile, record, string } from '../fs/jsonShape';
import { requireEnvironmentName } from '../requireEnvironmentName';
import { JsonConfigFile } from '../fs/jsonConfig';
import { unifiedDiff } from './unifiedDiff';
import { redactSecrets } from '../../../../shared/src/patch/redact';

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
  /**
   * Saves of a file that holds plaintext `fn::secret` values: a keyed digest (HMAC with a key
   * derived from the workspace data key) of the file as saved, so the next save can tell whether
   * anything changed without the revision holding, or a plain hash revealing, a plaintext.
   */
  sourceDigest?: string;
}

/** A named pointer to a revision. */
export interface RevisionTag {
  name: string;
  revision: number;
  /** ISO 8601. */
  time: string;
  user: string;
}

interface TagFile {
  version: 1;
  tags: { [name: string]: Omit<RevisionTag, 'name'> };
}

/**
 * Tag names as in ESC: letters, digits, `.`, `-`, `_`, starting with a letter or digit, at most
 * 100 characters; never all digits (a reference like `3` always means revision 3) and never
 * `latest` (which always means the newest revision).
 */
export function validateTagName(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return `"${name}" is not a valid tag name (letters, digits, ".", "-", "_", starting with a letter or digit, at most 100 characters)`;
  if (/^\d+$/.test(name)) return `"${name}" is not a valid tag name: it would read as a revision number`;
  if (name === 'latest') return '"latest" is reserved: it always names the newest revision';
  return undefined;
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

const PATH_RECORD_SHAPE = object<RotatedPathRecord>({ path: string, rotator: string, oldKeyId: optional(string), newKeyId: optional(string), deletedKeyId: optional(string), error: optional(string) });

const TAG_FILE_SHAPE = object<TagFile>({
  version: literal(1),
  tags: record(object<Omit<RevisionTag, 'name'>>({ revision: integer, time: string, user: string })),
});

const REVISION_SHAPE = object<Revision>({
  environment: environmentName,
  number: integer,
  time: string,
  user: string,
  principalArn: optional(string),
  kind: literal('rotation', 'save', 'rollback', 'encrypt', 'recovery'),
  outcome: literal('succeeded', 'failed'),
  trigger: optional(string),
  message: optional(string),
  paths: array(PATH_RECORD_SHAPE),
  deletedKeys: optional(array(object<DeletedKeyRecord>({ accessKeyId: string, userArn: string, reason: literal('previous', 'orphan') }))),
  rolledBackTo: optional(integer),
  definition: optional(string),
  rotationId: optional(string),
  sourceDigest: optional(string),
});

/** The environment a history folder belongs to, or undefined when its path names none. */
function decodeSegments(segments: string[]): string | undefined {
  try {
    const name = segments.map(decodeURIComponent).join('/');
    return isEnvironmentName(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

export class HistoryStore {
  constructor(readonly dir: string) {}

  private envDir(environment: string): string {
    requireEnvironmentName(environment);
    return path.join(this.dir, ...environmentFolderSegments(environment));
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

  /** The newest revision that recorded a definition (failed rotations may not have one). */
  latestWithDefinition(environment: string): Revision | undefined {
    const ns = this.numbers(environment);
    for (let i = ns.length - 1; i >= 0; i--) {
      const r = this.get(environment, ns[i]!);
      if (r.definition !== undefined) return r;
    }
    return undefined;
  }

  get(environment: string, number: number): Revision {
    const file = path.join(this.envDir(environment), `${String(number).padStart(6, '0')}.json`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CoreError('HistoryError', `environment ${environment} has no revision ${number}`, { environment, file }, `list its revisions with \`esc-local history ${environment}\``);
      }
      throw new CoreError('HistoryError', `revision ${number} is unreadable: ${(e as Error).message}`, { environment, file });
    }
    const revision = parseJsonFile(text, file, REVISION_SHAPE, 'an esc-local revision', 'HistoryError');
    if (revision.environment !== environment || revision.number !== number) {
      throw new CoreError('HistoryError', `${file} is not an esc-local revision: it says it is revision ${revision.number} of ${revision.environment}`, { environment, file }, 'restore it from version control');
    }
    return revision;
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
      const name = decodeSegments(prefix);
      // A folder whose name is no environment's (hand-made, `..`) is not history of anything.
      if (name !== undefined && entries.some((e) => e.isFile() && FILE_RE.test(e.name))) out.push(name);
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

  /**
   * A unified diff (git-apply format) of two revisions' definitions, both redacted; `file` is
   * the environment's path relative to the workspace, for the headers. `b` defaults to the next
   * revision. Empty when the definitions are equal.
   */
  diff(environment: string, file: string, a: number, b?: number): string {
    const ra = this.get(environment, a);
    const rb = this.get(environment, b ?? a + 1);
    return unifiedDiff(file, { text: redactDefinition(ra.definition ?? ''), label: `revision ${ra.number}` }, { text: redactDefinition(rb.definition ?? ''), label: `revision ${rb.number}` });
  }

  // ------------------------------------------------------------------------------- tags

  private tagFile(environment: string): JsonConfigFile<TagFile> {
    const file = path.join(this.envDir(environment), 'tags.json');
    // The history folder is always `<tool folder>/history`; its locks live in `<tool folder>/run`.
    return new JsonConfigFile<TagFile>(file, path.join(path.dirname(this.dir), 'run'), {
      lockName: `@tags`,
      purpose: 'tag update',
      empty: () => ({ version: 1, tags: {} }),
      validate: (parsed, where) => checkJsonShape(parsed, where, TAG_FILE_SHAPE, 'an esc-local tags file (version 1, tags: {name: {revision, time, user}})'),
    });
  }

  /** The environment's tags, by name. */
  tags(environment: string): RevisionTag[] {
    const tags = this.tagFile(environment).read().tags;
    return Object.keys(tags)
      .sort()
      .map((name) => ({ name, ...tags[name]! }));
  }

  /** Creates or moves a tag to `revision` (which must exist). */
  async tag(environment: string, name: string, revision: number): Promise<RevisionTag> {
    const invalid = validateTagName(name);
    if (invalid !== undefined) throw new CoreError('InvalidInput', invalid, { environment });
    this.get(environment, revision);
    const tag: RevisionTag = { name, revision, time: new Date().toISOString(), user: osUser() };
    await this.tagFile(environment).update((data) => {
      data.tags[name] = { revision: tag.revision, time: tag.time, user: tag.user };
    });
    return tag;
  }

  /** Removes a tag; false when there was none of that name. */
  async untag(environment: string, name: string): Promise<boolean> {
    let removed = false;
    await this.tagFile(environment).update((data) => {
      removed = Object.prototype.hasOwnProperty.call(data.tags, name);
      delete data.tags[name];
    });
    return removed;
  }

  /**
   * The revision number a reference names: a number, `latest`, or a tag. Undefined when nothing
   * matches (the caller says what exists).
   */
  resolve(environment: string, ref: string): number | undefined {
    if (/^\d+$/.test(ref)) {
      const n = Number(ref);
      return this.numbers(environment).includes(n) ? n : undefined;
    }
    if (ref === 'latest') return this.numbers(environment).at(-1);
    return this.tags(environment).find((t) => t.name === ref)?.revision;
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
      onChange(parts.length > 0 ? decodeSegments(parts) : undefined);
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
