/**
 * The workspace model: which files are environments, what each is called, and the text the
 * language service should see for each (open documents win over disk). File I/O is injected
 * (`DiskReader`) so the model runs in-process in tests and in the server alike.
 *
 * Naming is the one rule of shared/src/identity: a file under an environments root is named by
 * its path under the root without the extension (`environments/credentials/aws-creds.yaml` →
 * `credentials/aws-creds`); any other `*.esc.yaml` / `*.esc.yml` file is named by its path
 * under its workspace folder without that suffix (`app/dev.esc.yaml` → `app/dev`).
 */
import { isEnvironmentName, nameFromRelativePath } from '../identity/environmentName';
import { parseEscDocument, type EscDocument } from './model';

export interface DiskReader {
  /** The file's current text, or undefined if it cannot be read. */
  read(uri: string): string | undefined;
}

export interface WorkspaceFolder {
  /** The folder's URI, without trailing slash. */
  uri: string;
  /** The environments root's URI, without trailing slash. */
  rootUri: string;
}

interface OpenDocument {
  text: string;
  version: number;
}

interface Known {
  name: string;
  /** Parsed document cache (cleared when the text changes). */
  parsed?: EscDocument;
  /** An open document's model of its previous version: the next parse re-uses its unchanged segments. */
  previous?: EscDocument;
  /** Disk text cache for closed documents. */
  diskText?: string;
  /** Import names and `environments.*` references, kept even when the parse is evicted. */
  dependencies?: Set<string>;
}

const ESC_SUFFIX = /\.esc\.ya?ml$/;
const YAML_SUFFIX = /\.ya?ml$/;

function trimSlash(uri: string): string {
  return uri.endsWith('/') ? uri.slice(0, -1) : uri;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export class EnvironmentWorkspace {
  private folders: WorkspaceFolder[] = [];
  private readonly open = new Map<string, OpenDocument>();
  private readonly known = new Map<string, Known>();
  private readonly byName = new Map<string, string>();
  /** Parsed closed documents kept in memory; older ones are dropped to bound memory. */
  private readonly parsedDiskOrder: string[] = [];
  private static readonly MAX_PARSED_DISK = 64;
  /**
   * Parsed open documents, least recently used first: with many documents open, the parses of
   * the ones nobody looked at for a while are dropped (parsed again when asked for), so memory
   * follows what the user works on, not how many tabs are open.
   */
  private readonly parsedOpenOrder = new Map<string, true>();
  private static readonly MAX_PARSED_OPEN = 64;
  /**
   * Files whose disk text (or its absence) was read since they were last opened: only those can
   * have shaped another document's results, so only their opening needs comparing with the disk.
   */
  private readonly diskTextRead = new Set<string>();

  constructor(private readonly disk: DiskReader) {}

  setFolders(folders: WorkspaceFolder[]): void {
    this.folders = folders.map((f) => ({ uri: trimSlash(f.uri), rootUri: trimSlash(f.rootUri) }));
    const uris = [...this.known.keys()];
    this.known.clear();
    this.byName.clear();
    for (const uri of uris) this.addFile(uri);
    for (const uri of this.open.keys()) this.addFile(uri, true);
  }

  getFolders(): readonly WorkspaceFolder[] {
    return this.folders;
  }

  /** The environment name of a file, or undefined if it is not an environment. */
  nameOf(uri: string): string | undefined {
    const known = this.known.get(uri);
    if (known) return known.name;
    return this.deriveName(uri);
  }

  /** The name by the one rule (shared/src/identity); a file outside every folder is named after itself. */
  private deriveName(uri: string): string | undefined {
    for (const folder of this.folders) {
      if (uri.startsWith(folder.rootUri + '/')) {
        const name = nameFromRelativePath(decode(uri.slice(folder.rootUri.length + 1)), true);
        if (name !== undefined) return name;
      }
    }
    for (const folder of this.folders) {
      if (uri.startsWith(folder.uri + '/')) return nameFromRelativePath(decode(uri.slice(folder.uri.length + 1)), false);
    }
    return nameFromRelativePath(decode(uri.slice(uri.lastIndexOf('/') + 1)), false);
  }

  /**
   * Registers a file found on disk or opened; returns its environment name. `anyName`: a
   * document the editor says is ESC (language id `esc`) is an environment even outside the
   * root, named after its file.
   */
  addFile(uri: string, anyName = false): string | undefined {
    const existing = this.known.get(uri);
    if (existing) return existing.name;
    const name = this.deriveName(uri) ?? (anyName ? decode(uri.slice(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf(':')) + 1).replace(ESC_SUFFIX, '').replace(YAML_SUFFIX, '')) || uri : undefined);
    if (name === undefined) return undefined;
    this.known.set(uri, { name });
    // The first file claiming a name keeps it (e.g. `a.yaml` and `a.yml` both exist).
    if (!this.byName.has(name)) this.byName.set(name, uri);
    return name;
  }

  removeFile(uri: string): void {
    const known = this.known.get(uri);
    if (!known || this.open.has(uri)) {
      if (known) this.invalidate(uri);
      return;
    }
    this.known.delete(uri);
    if (this.byName.get(known.name) === uri) {
      this.byName.delete(known.name);
      for (const [other, k] of this.known) if (k.name === known.name) this.byName.set(known.name, other);
    }
  }

  /** A file changed on disk. */
  fileChanged(uri: string): void {
    if (!this.known.has(uri)) this.addFile(uri);
    else this.invalidate(uri);
  }

  /**
   * Whether anything may have seen the file's text on disk (or that it has none) since it was
   * last opened: its disk text was read, or the file was not known (a lookup by its name found
   * nothing). When false, opening it changes nothing any other result was computed from, and the
   * disk need not be read to compare. Opening the document resets this.
   */
  diskTextSeen(uri: string): boolean {
    return this.diskTextRead.has(uri) || !this.known.has(uri);
  }

  openDocument(uri: string, text: string, version: number, isEsc = true): string | undefined {
    this.diskTextRead.delete(uri);
    this.open.set(uri, { text, version });
    const name = this.addFile(uri, isEsc);
    this.invalidate(uri);
    return name;
  }

  changeDocument(uri: string, text: string, version: number): void {
    this.open.set(uri, { text, version });
    if (!this.known.has(uri)) this.addFile(uri, true);
    const known = this.known.get(uri);
    if (known?.parsed) known.previous = known.parsed;
    this.invalidate(uri);
  }

  closeDocument(uri: string): void {
    this.open.delete(uri);
    this.invalidate(uri);
  }

  isOpen(uri: string): boolean {
    return this.open.has(uri);
  }

  private invalidate(uri: string): void {
    this.parsedOpenOrder.delete(uri);
    const known = this.known.get(uri);
    if (!known) return;
    known.parsed = undefined;
    if (!this.open.has(uri)) known.previous = undefined;
    known.diskText = undefined;
    known.dependencies = undefined;
  }

  /** The URI a file would have if `uri`'s environment were called `name` (same root and extension). */
  uriForName(uri: string, name: string): string | undefined {
    if (!isEnvironmentName(name)) return undefined;
    const encoded = name.split('/').map(encodeURIComponent).join('/');
    const esc = ESC_SUFFIX.exec(uri)?.[0];
    for (const folder of this.folders) {
      if (uri.startsWith(folder.rootUri + '/')) {
        const ext = esc ?? YAML_SUFFIX.exec(uri)?.[0] ?? '.yaml';
        return `${folder.rootUri}/${encoded}${ext}`;
      }
    }
    for (const folder of this.folders) if (esc && uri.startsWith(folder.uri + '/')) return `${folder.uri}/${encoded}${esc}`;
    return undefined;
  }

  uriOf(name: string): string | undefined {
    return this.byName.get(name);
  }

  environmentNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** The text the service sees: the open document's, else the file's on disk. */
  text(uri: string): string | undefined {
    const open = this.open.get(uri);
    if (open) return open.text;
    const known = this.known.get(uri);
    if (known?.diskText !== undefined) return known.diskText;
    this.diskTextRead.add(uri);
    const text = this.disk.read(uri);
    if (known && text !== undefined) known.diskText = text;
    return text;
  }

  /** The parsed document of a file (cached per version). */
  document(uri: string): EscDocument | undefined {
    const known = this.known.get(uri) ?? (this.addFile(uri) !== undefined ? this.known.get(uri) : undefined);
    if (!known) return undefined;
    if (known.parsed) {
      if (this.parsedOpenOrder.delete(uri)) this.parsedOpenOrder.set(uri, true);
      return known.parsed;
    }
    const text = this.text(uri);
    if (text === undefined) return undefined;
    const open = this.open.get(uri);
    const parsed = parseEscDocument(uri, known.name, text, open?.version ?? 0, open ? known.previous : undefined);
    known.previous = undefined;
    known.parsed = parsed;
    known.dependencies = dependenciesOf(parsed);
    if (open) this.keepOpenParse(uri);
    else {
      // Closed files: keep the text of few, so 1,000 environment files stay cheap.
      known.diskText = undefined;
      this.parsedDiskOrder.push(uri);
      if (this.parsedDiskOrder.length > EnvironmentWorkspace.MAX_PARSED_DISK) {
        const evicted = this.parsedDiskOrder.shift()!;
        const k = this.known.get(evicted);
        if (k && !this.open.has(evicted) && evicted !== uri) k.parsed = undefined;
      }
    }
    return parsed;
  }

  private keepOpenParse(uri: string): void {
    this.parsedOpenOrder.delete(uri);
    this.parsedOpenOrder.set(uri, true);
    if (this.parsedOpenOrder.size <= EnvironmentWorkspace.MAX_PARSED_OPEN) return;
    const evicted = this.parsedOpenOrder.keys().next().value as string;
    this.parsedOpenOrder.delete(evicted);
    const k = this.known.get(evicted);
    if (k) k.parsed = undefined;
  }

  /**
   * The parsed document without keeping it: for workspace-wide scans (references, rename,
   * dependents), whose one-off parses should die young instead of filling the cache.
   */
  peekDocument(uri: string): EscDocument | undefined {
    const known = this.known.get(uri);
    if (!known) return undefined;
    if (known.parsed || this.open.has(uri)) return this.document(uri);
    this.diskTextRead.add(uri);
    const text = this.disk.read(uri);
    if (text === undefined) return undefined;
    const parsed = parseEscDocument(uri, known.name, text, 0);
    known.dependencies = dependenciesOf(parsed);
    return parsed;
  }

  peekDocumentByName(name: string): EscDocument | undefined {
    const uri = this.byName.get(name);
    return uri === undefined ? undefined : this.peekDocument(uri);
  }

  documentByName(name: string): EscDocument | undefined {
    const uri = this.byName.get(name);
    return uri === undefined ? undefined : this.document(uri);
  }

  /** The environments `name` imports or references directly. */
  dependenciesOfName(name: string): Set<string> {
    const uri = this.byName.get(name);
    if (uri === undefined) return new Set();
    const known = this.known.get(uri)!;
    if (!known.dependencies) {
      const text = this.text(uri);
      known.dependencies = text === undefined ? new Set() : scanDependencies(text);
    }
    return known.dependencies;
  }

  /** Whether `name` imports or references `target`, directly or transitively. */
  dependsOn(name: string, target: string): boolean {
    const seen = new Set<string>([name]);
    const queue = [name];
    while (queue.length > 0) {
      for (const dep of this.dependenciesOfName(queue.pop()!)) {
        if (dep === target) return true;
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
    }
    return false;
  }

  /** Environments that import or reference `name`, directly or transitively (excluding it). */
  dependentsOf(name: string): string[] {
    const direct = new Map<string, Set<string>>();
    for (const [uri, known] of this.known) {
      if (this.byName.get(known.name) !== uri) continue;
      let deps = known.dependencies;
      if (!deps) {
        deps = this.peekDocument(uri) ? this.known.get(uri)?.dependencies : undefined;
      }
      for (const dep of deps ?? []) {
        let set = direct.get(dep);
        if (!set) direct.set(dep, (set = new Set()));
        set.add(known.name);
      }
    }
    const out = new Set<string>();
    const queue = [name];
    while (queue.length > 0) {
      for (const dependent of direct.get(queue.pop()!) ?? []) {
        if (dependent !== name && !out.has(dependent)) {
          out.add(dependent);
          queue.push(dependent);
        }
      }
    }
    return [...out].sort();
  }
}

/** Imported names plus environments referenced through `${environments.<project>.<env>...}`. */
export function dependenciesOf(doc: EscDocument): Set<string> {
  const deps = new Set<string>(doc.imports.map((i) => i.name));
  // A text that does not spell `environments` (nor could through a double-quoted escape) refers
  // to no environment: its interpolations (derived on first read) are not needed for this.
  if (!doc.text.includes('environments') && !doc.text.includes('\\')) return deps;
  for (const interp of doc.interpolations) {
    const [first, second, third] = interp.accessors;
    if (first?.key === 'environments' && typeof second?.key === 'string') {
      deps.add(second.key);
      if (typeof third?.key === 'string') deps.add(`${second.key}/${third.key}`);
    }
  }
  return deps;
}

/**
 * Dependencies read from the text without parsing it (an over-approximation is harmless: it
 * only re-validates a document more): every `- name` under `imports:` and every
 * `${environments.<project>.<env>...}`.
 */
export function scanDependencies(text: string): Set<string> {
  const deps = new Set<string>();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^imports:/.test(l));
  if (start >= 0) {
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (/^\S/.test(line)) break;
      const m = /^\s+-\s+["']?([^"':#\s]+)["']?\s*:?/.exec(line);
      if (m) deps.add(m[1]!);
    }
  }
  for (const m of text.matchAll(/\$\{\s*environments\.([^.}\s]+)(?:\.([^.}\s[]+))?/g)) {
    deps.add(m[1]!);
    if (m[2]) deps.add(`${m[1]}/${m[2]}`);
  }
  return deps;
}
