/**
 * Output formats, following ESC's conventions, for `esc-local open` and the extension's preview:
 * - `json` / `yaml`: the values, secrets shown as `[secret]` unless revealed;
 * - `string`: one value as text (strings raw, other values as JSON);
 * - `dotenv` / `shell`: the string values of `environmentVariables`, sorted by name, plus one
 *   variable per entry of `files` holding the path of a temporary file with that content.
 *   Redacted output never writes secret file contents to disk: such files are shown as
 *   `[secret]` and only written when revealed (mode 0600, in a fresh private folder); the
 *   preview only describes them (`files: 'describe'`) and writes nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { Value } from '../../../shared/src/value/value';
import { SECRET_PLACEHOLDER, toJson, UNKNOWN_PLACEHOLDER } from './redaction';

export const OPEN_FORMATS = ['json', 'yaml', 'dotenv', 'shell', 'string'] as const;
export type OpenFormat = (typeof OPEN_FORMATS)[number];

/** The value at a path, or undefined when there is none (own properties only: `constructor` is a key like any other). */
export function valueAt(root: Value, keys: ReadonlyArray<string | number>): Value | undefined {
  let cur: Value | undefined = root;
  for (const key of keys) {
    if (cur === undefined || cur.unknown) return cur;
    const d: Value['value'] = cur.value;
    if (typeof key === 'number') cur = Array.isArray(d) && key < d.length ? d[key] : undefined;
    else cur = d !== null && typeof d === 'object' && !Array.isArray(d) && Object.hasOwn(d, key) ? d[key] : undefined;
  }
  return cur;
}

function asText(v: Value, reveal: boolean): string {
  const j = toJson(v, reveal);
  return typeof j === 'string' ? j : JSON.stringify(j);
}

/** Go-style double quoting (what ESC's dotenv output uses). */
export function dotenvQuote(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** POSIX single quoting, safe to `eval` (no expansion of $, `, \ inside). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvProjection {
  /** Sorted `[name, value]` pairs: environment variables, then file variables. */
  pairs: Array<[string, string]>;
  /** Temporary files written (absolute paths), for the caller to mention. */
  files: string[];
  /** Names skipped (not strings, or not valid variable names), with why. */
  skipped: string[];
  /** How many values were written as `[secret]` instead of their value. */
  redacted: number;
}

function fieldsOf(v: Value | undefined): Array<[string, Value]> {
  if (v === undefined || v.unknown || v.value === null || typeof v.value !== 'object' || Array.isArray(v.value)) return [];
  return Object.entries(v.value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Where `files` entries go: `write` puts each revealed content in a private temporary file and
 * exports its path (`esc-local open`); `describe` writes nothing and exports a description of the
 * file instead (the preview must not put secret contents on disk).
 */
export type FileContents = { write: true; tempRoot?: string } | { write: false };

/** The text exported for a file entry that is described, not written. */
function describedFile(content: string): string {
  return `<path of a temporary file with ${content.length} characters>`;
}

/**
 * ESC's `environmentVariables` / `files` projection. With `write`, `tempRoot` is where the
 * private folder for file contents is created (default: the OS temp folder).
 */
export function projectEnvironment(root: Value, reveal: boolean, files: FileContents = { write: true }): EnvProjection {
  const values = root.value !== null && typeof root.value === 'object' && !Array.isArray(root.value) ? root.value : {};
  const field = (name: string): Value | undefined => (Object.hasOwn(values, name) ? values[name] : undefined);
  const out: EnvProjection = { pairs: [], files: [], skipped: [], redacted: 0 };
  for (const [name, v] of fieldsOf(field('environmentVariables'))) {
    if (!ENV_NAME.test(name)) out.skipped.push(`environmentVariables.${name}: not a valid variable name`);
    else if (v.unknown) out.pairs.push([name, UNKNOWN_PLACEHOLDER]);
    else if (typeof v.value !== 'string') out.skipped.push(`environmentVariables.${name}: not a string (use fn::toString)`);
    else if (v.secret && !reveal) {
      out.pairs.push([name, SECRET_PLACEHOLDER]);
      out.redacted++;
    } else out.pairs.push([name, v.value]);
  }
  let dir: string | undefined;
  for (const [name, v] of fieldsOf(field('files'))) {
    if (!ENV_NAME.test(name)) {
      out.skipped.push(`files.${name}: not a valid variable name`);
      continue;
    }
    if (v.unknown) {
      out.pairs.push([name, UNKNOWN_PLACEHOLDER]);
      continue;
    }
    if (typeof v.value !== 'string') {
      out.skipped.push(`files.${name}: not a string`);
      continue;
    }
    if (v.secret && !reveal) {
      out.pairs.push([name, SECRET_PLACEHOLDER]);
      out.redacted++;
      continue;
    }
    if (!files.write) {
      out.pairs.push([name, describedFile(v.value)]);
      continue;
    }
    dir ??= fs.mkdtempSync(path.join(files.tempRoot ?? os.tmpdir(), 'esc-local-'));
    const file = path.join(dir, name);
    fs.writeFileSync(file, v.value, { mode: 0o600, flag: 'wx' });
    out.files.push(file);
    out.pairs.push([name, file]);
  }
  return out;
}

/** A value format, optionally of one value (a property path's keys); or an environment projection. */
export type RenderOptions =
  | { format: 'json' | 'yaml' | 'string'; reveal: boolean; path?: ReadonlyArray<string | number> }
  | { format: 'dotenv' | 'shell'; reveal: boolean; files?: FileContents };

export interface Rendered {
  text: string;
  projection?: EnvProjection;
}

export function renderOpen(root: Value, options: RenderOptions): Rendered {
  switch (options.format) {
    case 'dotenv':
    case 'shell':
      return renderProjection(root, options.format, options.reveal, options.files);
    case 'json': {
      const selected = selectedValue(root, options.path);
      return { text: JSON.stringify(selected === undefined ? null : toJson(selected, options.reveal), null, 2) + '\n' };
    }
    case 'yaml': {
      const selected = selectedValue(root, options.path);
      return { text: stringify(selected === undefined ? null : toJson(selected, options.reveal)) };
    }
    case 'string': {
      const selected = selectedValue(root, options.path);
      return { text: (selected === undefined ? '' : asText(selected, options.reveal)) + '\n' };
    }
  }
}

function selectedValue(root: Value, keys: ReadonlyArray<string | number> | undefined): Value | undefined {
  return keys && keys.length > 0 ? valueAt(root, keys) : root;
}

function renderProjection(root: Value, format: 'dotenv' | 'shell', reveal: boolean, files: FileContents | undefined): Rendered {
  const projection = projectEnvironment(root, reveal, files);
  const lines = projection.pairs.map(([k, v]) => (format === 'dotenv' ? `${k}=${dotenvQuote(v)}` : `export ${k}=${shellQuote(v)}`));
  return { text: lines.length > 0 ? lines.join('\n') + '\n' : '', projection };
}
