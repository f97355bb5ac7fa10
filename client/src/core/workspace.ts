/**
 * The workspace as the core sees it: a folder with an environments root (default
 * `environments/`) and loose `*.esc.yaml` / `*.esc.yml` files; a tool folder (default `.esc/`,
 * committable) holding `workspace.json` (the workspace id and its data key's fingerprint —
 * never the key), the revision history, schedules; and `.esc/run/` (git-ignored) for locks
 * and journals. Environment names are paths under the root without the extension
 * (`environments/prod/app.yaml` → `prod/app`); loose files are named by their path from the
 * workspace folder without `.esc.yaml`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Decrypter, EnvironmentLoader, LoadedEnvironment } from '../../../shared/src/contract/plugins';
import { candidateRelativePaths, isEnvironmentName, nameFromRelativePath } from '../../../shared/src/identity/environmentName';
import { locateEnvironmentFile, readEnvironmentFile } from '../../../shared/src/identity/environmentFile';
import { createFileExclusive, writeFileAtomic } from './fs/atomic';
import { requireEnvironmentName } from './requireEnvironmentName';
import { CoreError } from './errors';
import { literal, object, optional, parseJsonFile, string } from './fs/jsonShape';
import { walkTree } from './fs/walkTree';
import { Keychain } from './keychain';
import { nodeCrypto } from './nodeCrypto';

export interface WorkspaceOptions {
  /** The workspace folder (absolute). */
  root: string;
  /** Environments root, relative to `root` (setting `esc.environmentsRoot`). Default `environments`. */
  environmentsRoot?: string;
  /** Tool folder, relative to `root` (setting for the history folder). Default `.esc`. */
  toolDir?: string;
  /** Keychain (service name from the settings). Default: service `esc-local`. */
  keychain?: Keychain;
}

export interface EnvironmentFile {
  name: string;
  file: string;
}

interface WorkspaceManifest {
  version: 1;
  id: string;
  /** Fingerprint of the data key (not the key): detects a wrong key before decrypting. */
  dataKeyId?: string;
}

const MANIFEST_SHAPE = object<WorkspaceManifest>({ version: literal(1), id: string, dataKeyId: optional(string) });

/** How deep environments are looked for, below the environments root and the workspace root. */
const ENVIRONMENT_DEPTH = 12;
/** How deep the tool folder is checked for links (history, run/locks, run/tmp are 2–3 levels). */
const TOOL_DIR_DEPTH = 16;
const SKIP_DIRS = new Set(['node_modules', '.git', '.esc', 'out', 'dist', '.vscode-test', '.hg', '.svn']);

export function dataKeyId(key: Uint8Array): string {
  return nodeCrypto().createHash('sha256').update('esc-local data key id\n').update(key).digest('hex').slice(0, 16);
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

function linkInToolDir(file: string): CoreError {
  return new CoreError('InvalidInput', `${file} is a symbolic link inside the tool folder; esc-local writes and reads its state only in real folders of the workspace`, { file }, 'replace the link by the folder or file it points to');
}

function refused(file: string, problem: string, environment?: string): CoreError {
  return new CoreError('InvalidInput', `${file} ${problem}`, { ...(environment !== undefined ? { environment } : {}), file }, problem.includes('outside') ? 'replace the link by the file itself, or point it inside the workspace' : undefined);
}


/**
 * Environments are listed in localeCompare order. For names of lowercase ASCII letters, digits,
 * `.`, `-` and `/` (the usual spelling) that is plain code-unit order, which costs nothing;
 * localeCompare's first call loads the ICU collator, a tenth of `esc-local check`'s start-up.
 */
function byNameOrder(names: readonly string[]): (a: EnvironmentFile, b: EnvironmentFile) => number {
  if (names.every((name) => /^[a-z0-9./-]*$/.test(name))) return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return (a, b) => a.name.localeCompare(b.name);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export class Workspace {
  readonly root: string;
  readonly environmentsDir: string;
  readonly toolDir: string;
  readonly runDir: string;
  readonly historyDir: string;
  readonly keychain: Keychain;

  constructor(options: WorkspaceOptions) {
    this.root = path.resolve(options.root);
    this.environmentsDir = path.resolve(this.root, options.environmentsRoot ?? 'environments');
    this.toolDir = path.resolve(this.root, options.toolDir ?? '.esc');
    this.runDir = path.join(this.toolDir, 'run');
    this.historyDir = path.join(this.toolDir, 'history');
    this.keychain = options.keychain ?? new Keychain();
  }

  // ---- environments ----

  /**
   * Every environment of the workspace, sorted by name (root files win over loose files). Links,
   * FIFOs and other non-directory entries with an environment's name are listed too, so that
   * `check` reports them instead of skipping them silently; reading them is refused.
   */
  listEnvironments(): EnvironmentFile[] {
    const byName = new Map<string, string>();
    const add = (file: string): void => {
      const name = this.nameForFile(file) === undefined ? undefined : this.identityOf(file);
      if (name !== undefined && !byName.has(name)) byName.set(name, file);
    };
    const enter = (e: fs.Dirent): boolean => !SKIP_DIRS.has(e.name) && !e.name.startsWith('.');
    walkTree(this.environmentsDir, { maxDepth: ENVIRONMENT_DEPTH, enter, visit: (e, file) => (e.isDirectory() ? undefined : add(file)) });
    walkTree(this.root, { maxDepth: ENVIRONMENT_DEPTH, enter, visit: (e, file) => (e.isDirectory() || file.startsWith(this.environmentsDir + path.sep) ? undefined : add(file)) });
    return [...byName.entries()].map(([name, file]) => ({ name, file })).sort(byNameOrder([...byName.keys()]));
  }

  /** The environment name of a file by its path (the shared rule), or undefined if the file is not an environment. */
  nameForFile(file: string): string | undefined {
    return this.nameUnder(path.resolve(this.root, file), this.root, this.environmentsDir);
  }

  private nameUnder(abs: string, root: string, environmentsDir: string): string | undefined {
    const underRoot = path.relative(environmentsDir, abs);
    if (!underRoot.startsWith('..') && !path.isAbsolute(underRoot)) {
      const name = nameFromRelativePath(toPosix(underRoot), true);
      if (name !== undefined) return name;
    }
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return nameFromRelativePath(toPosix(rel), false);
  }

  /**
   * The identity of an environment file: a link to another environment file of the workspace
   * is that environment (one file, one lock, one history); anything else is named by its path.
   */
  identityOf(file: string): string | undefined {
    const byPath = this.nameForFile(file);
    if (byPath === undefined) return undefined;
    let real: string;
    try {
      real = fs.realpathSync.native(file);
    } catch {
      return byPath;
    }
    const realRoot = realpathOrSelf(this.root);
    const realEnvironments = realpathOrSelf(this.environmentsDir);
    return this.nameUnder(real, realRoot, realEnvironments) ?? byPath;
  }

  /**
   * The file of an environment (as named, before following links), or undefined. `name` must
   * be a canonical name (see shared/src/identity): anything else is an InvalidInput error, so
   * no spelling of a name can reach another file or another lock.
   */
  fileFor(name: string): string | undefined {
    requireEnvironmentName(name);
    for (const candidate of candidateRelativePaths(name)) {
      const f = path.join(candidate.inRoot ? this.environmentsDir : this.root, ...candidate.relative.split('/'));
      try {
        fs.lstatSync(f);
        return f;
      } catch {
        // not this one
      }
    }
    return undefined;
  }

  /**
   * The real path of an environment's file, checked by the shared rule (regular file, inside
   * the workspace after links): what readers read and writers replace, so a write through an
   * inside link replaces its target, never the link.
   */
  requireFile(name: string): string {
    const f = this.fileFor(name);
    if (f === undefined) {
      throw new CoreError('EnvironmentNotFound', `no environment named "${name}" in ${this.root}`, { environment: name }, `create ${path.relative(this.root, path.join(this.environmentsDir, name))}.yaml (or ${name}.esc.yaml)`);
    }
    return this.checkedPath(f, name);
  }

  /** Where environment files may really be: the workspace folder and the (configurable) environments root. */
  confinement(): string[] {
    return [this.root, this.environmentsDir];
  }

  /** The real path of an environment file given by path; throws a located error when the rule refuses it. */
  checkedPath(file: string, environment?: string): string {
    const located = locateEnvironmentFile(file, this.confinement());
    if (!located.ok) throw refused(file, located.problem, environment);
    return located.realPath;
  }

  /** The text of an environment file, read by the shared rule (never blocks, never leaves the workspace). */
  readFile(file: string, environment?: string): string {
    const read = readEnvironmentFile(file, this.confinement());
    if (!read.ok) throw refused(file, read.problem, environment);
    return read.text;
  }

  /** An EnvironmentLoader over the files; with a decrypter, ciphertexts can be opened. */
  loader(decrypter?: Decrypter): EnvironmentLoader {
    return {
      load: async (name: string): Promise<LoadedEnvironment | undefined> => {
        if (!isEnvironmentName(name)) return undefined;
        const file = this.fileFor(name);
        if (file === undefined) return undefined;
        const text = this.readFile(file, name);
        return decrypter ? { text, decrypter } : { text };
      },
    };
  }

  // ---- identity and data key ----

  private manifestFile(): string {
    return path.join(this.toolDir, 'workspace.json');
  }

  private readManifest(): WorkspaceManifest | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.manifestFile(), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CoreError('InvalidInput', `cannot read ${this.manifestFile()}: ${(e as Error).message}`, { file: this.manifestFile() });
    }
    return parseJsonFile(text, this.manifestFile(), MANIFEST_SHAPE, 'an esc-local workspace manifest (version 1)');
  }

  /**
   * The tool folder holds no symbolic link (itself included): a committed link there could make
   * a history, schedule or journal write land outside the workspace, or a read show an outside
   * file. Checked before the folder is used; entries are listed, not stat'ed, so it stays cheap.
   */
  checkToolDir(): void {
    let isLink = false;
    try {
      isLink = fs.lstatSync(this.toolDir).isSymbolicLink();
    } catch {
      return; // not created yet: it will be a real folder
    }
    if (isLink) throw linkInToolDir(this.toolDir);
    walkTree(this.toolDir, {
      maxDepth: TOOL_DIR_DEPTH,
      visit: (e, full) => {
        if (e.isSymbolicLink()) throw linkInToolDir(full);
      },
    });
  }

  /** Creates `.esc/` with its manifest and `.gitignore` (for `run/`) if missing. */
  ensureToolDir(): WorkspaceManifest {
    this.checkToolDir();
    fs.mkdirSync(this.toolDir, { recursive: true });
    const ignore = path.join(this.toolDir, '.gitignore');
    if (!fs.existsSync(ignore)) createFileExclusive(ignore, '# locks and rotation journals are machine-local\nrun/\n');
    const existing = this.readManifest();
    if (existing) return existing;
    createFileExclusive(this.manifestFile(), JSON.stringify({ version: 1, id: nodeCrypto().randomUUID() } satisfies WorkspaceManifest, null, 2) + '\n');
    return this.readManifest()!;
  }

  workspaceId(): string {
    return this.ensureToolDir().id;
  }

  /** True once the workspace has a data key (its fingerprint is recorded), wherever the key is. */
  hasDataKey(): boolean {
    return this.readManifest()?.dataKeyId !== undefined;
  }

  /**
   * The workspace data key from the keychain. With `create`, a missing key is generated (only
   * for a workspace that never had one: otherwise the key must be imported, or the existing
   * ciphertexts would become unreadable).
   */
  async dataKey(options: { create?: boolean } = {}): Promise<Buffer> {
    const manifest = this.ensureToolDir();
    const key = await this.keychain.getDataKey(manifest.id);
    if (key) {
      if (manifest.dataKeyId !== undefined && manifest.dataKeyId !== dataKeyId(key)) {
        throw new CoreError('DataKeyMissing', `the data key found (OS keychain or ESC_LOCAL_DATA_KEY) does not match this workspace's key (id ${manifest.dataKeyId})`, { file: this.manifestFile() }, 'import the right key with `esc-local key import`');
      }
      if (manifest.dataKeyId === undefined) this.writeManifest({ ...manifest, dataKeyId: dataKeyId(key) });
      return key;
    }
    if (manifest.dataKeyId !== undefined || !options.create) {
      throw new CoreError(
        'DataKeyMissing',
        `this workspace's data key (id ${manifest.dataKeyId ?? 'none yet'}) is not in the OS keychain (service "${this.keychain.service}")`,
        { file: this.manifestFile() },
        manifest.dataKeyId !== undefined
          ? 'import it from a machine that has it (`esc-local key export` there, `esc-local key import` here), or give it in ESC_LOCAL_DATA_KEY / ESC_LOCAL_DATA_KEY_FILE'
          : 'run a command that encrypts (ESC: Encrypt Secrets in File / `esc-local encrypt`) to create one',
      );
    }
    const fresh = nodeCrypto().randomBytes(32);
    await this.keychain.setDataKey(manifest.id, fresh);
    this.writeManifest({ ...manifest, dataKeyId: dataKeyId(fresh) });
    return fresh;
  }

  /** Imports a data key (base64) exported from another machine. */
  async importDataKey(base64: string): Promise<void> {
    const key = Buffer.from(base64.trim(), 'base64');
    if (key.length !== 32) throw new CoreError('InvalidInput', 'a data key is 32 bytes, base64-encoded');
    const manifest = this.ensureToolDir();
    if (manifest.dataKeyId !== undefined && manifest.dataKeyId !== dataKeyId(key)) {
      throw new CoreError('InvalidInput', `this key (id ${dataKeyId(key)}) is not this workspace's data key (id ${manifest.dataKeyId})`);
    }
    await this.keychain.setDataKey(manifest.id, key);
    if (manifest.dataKeyId === undefined) this.writeManifest({ ...manifest, dataKeyId: dataKeyId(key) });
  }

  private writeManifest(m: WorkspaceManifest): void {
    writeFileAtomic(this.manifestFile(), JSON.stringify(m, null, 2) + '\n', 0o644);
  }
}
