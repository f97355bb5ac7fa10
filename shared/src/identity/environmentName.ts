/**
 * The one identity of an environment: which names are valid, and the rule between a file and
 * its name. Every component (rotation core, CLI, language server, extension tree) derives names
 * and paths here, so one environment has one lock, one journal, one history and one schedule.
 *
 * Rule: an environment's name is its file's path (with `/` separators) under the environments
 * root without the extension (`.esc.yaml`, `.esc.yml`, `.yaml`, `.yml`), or, for a
 * `*.esc.yaml` / `*.esc.yml` file elsewhere in the workspace folder, its path under that folder
 * without that suffix. Suffixes are matched case-sensitively on every platform.
 *
 * A valid name is canonical: segments separated by single `/`, none empty, `.` or `..`; no
 * backslash, no control character; not starting with `@` (reserved for the tool's own locks).
 * Nothing normalises a name silently: names read from files or typed by a user are either
 * canonical or rejected, so `app/./db` can never become a second identity of `app/db`.
 * Pure logic, no I/O, no vscode.
 */

export const ROOT_SUFFIXES: readonly string[] = ['.esc.yaml', '.esc.yml', '.yaml', '.yml'];
export const LOOSE_SUFFIXES: readonly string[] = ['.esc.yaml', '.esc.yml'];

/** Longer names are not anyone's environment; the bound keeps derived file names under NAME_MAX. */
const MAX_NAME_LENGTH = 200;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `name` is not a valid (canonical) environment name, or undefined when it is one. */
export function environmentNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return 'it contains a control character';
  if (name.includes('\\')) return 'it contains a backslash (names use / between folders)';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'it is an absolute path';
  if (name.startsWith('@')) return 'names starting with @ are reserved';
  for (const segment of name.split('/')) {
    if (segment === '') return 'it has an empty segment (a leading, trailing or double /)';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
  }
  return undefined;
}

export function isEnvironmentName(name: string): boolean {
  return environmentNameProblem(name) === undefined;
}

/**
 * The canonical spelling a user probably meant (`./app//db/` → `app/db`), for "did you mean"
 * hints only: never used as an identity. Undefined when no safe spelling exists (`..`).
 */
export function suggestCanonicalName(text: string): string | undefined {
  const segments = text.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return undefined;
  const candidate = segments.join('/');
  return isEnvironmentName(candidate) ? candidate : undefined;
}

function stripSuffix(relative: string, suffixes: readonly string[]): string | undefined {
  for (const suffix of suffixes) if (relative.endsWith(suffix) && relative.length > suffix.length) return relative.slice(0, -suffix.length);
  return undefined;
}

/**
 * The name of a file given its `/`-separated path relative to the environments root (`inRoot`)
 * or to the workspace folder; undefined when the file is not an environment or its path gives
 * no valid name (`..`, control characters, …).
 */
export function nameFromRelativePath(relative: string, inRoot: boolean): string | undefined {
  const stem = stripSuffix(relative, inRoot ? ROOT_SUFFIXES : LOOSE_SUFFIXES);
  return stem !== undefined && isEnvironmentName(stem) ? stem : undefined;
}

/** Where the file of a valid `name` may be, in lookup order: relative to the root, then to the folder. */
export function candidateRelativePaths(name: string): { inRoot: boolean; relative: string }[] {
  if (!isEnvironmentName(name)) return [];
  return [...ROOT_SUFFIXES.map((s) => ({ inRoot: true, relative: name + s })), ...LOOSE_SUFFIXES.map((s) => ({ inRoot: false, relative: name + s }))];
}

/**
 * One file name (no `/`) for per-environment state files (locks, journals): each segment
 * percent-encoded, so distinct names never collide and no name can climb out of its folder.
 */
export function environmentFileStem(name: string): string {
  assertEnvironmentName(name);
  return encodeURIComponent(name);
}

/** The relative folder segments of per-environment state folders (history). */
export function environmentFolderSegments(name: string): string[] {
  assertEnvironmentName(name);
  return name.split('/').map(encodeURIComponent);
}

/** Callers validate names where they read them (with a located message); this is the last line of defence. */
function assertEnvironmentName(name: string): void {
  const problem = environmentNameProblem(name);
  if (problem !== undefined) throw new Error(`"${name}" is not a valid environment name: ${problem}`);
}
