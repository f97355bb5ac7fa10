/**
 * Output formats of `esc-local open`, following ESC's conventions:
 * - `json` / `yaml`: the values, secrets shown as `[secret]` unless revealed;
 * - `string`: one value as text (strings raw, other values as JSON);
 * - `dotenv` / `shell`: the string values of `environmentVariables`, sorted by name, plus one
 *   variable per entry of `files` holding the path of a temporary file with that content.
 *   Redacted output never writes secret file contents to disk: such files are shown as
 *   `[secret]` and only written with --show-secrets (mode 0600, in a fresh private folder).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { Value } from '../../../shared/src/value/value';
import { setOwn } from '../../../shared/src/schema/ops';
import { UsageError } from '../cli/exitCodes';

export const OPEN_FORMATS = ['json', 'yaml', 'dotenv', 'shell', 'string'] as const;
export type OpenFormat = (typeof OPEN_FORMATS)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const SECRET_PLACEHOLDER = '[secret]';
export const UNKNOWN_PLACEHOLDER = '[unknown]';

/** Plain JSON of a value: secrets redacted unless `reveal`, unknowns as `[unknown]`. */
export function toJson(v: Value, reveal: boolean): Json {
  if (v.unknown) return UNKNOWN_PLACEHOLDER;
  if (v.secret && !reveal) return SECRET_PLACEHOLDER;
  const d = v.value;
  if (Array.isArray(d)) return d.map((x) => toJson(x, reveal));
  if (d !== null && typeof d === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(d)) setOwn(out, k, toJson(x, reveal));
    return out;
  }
  return d;
}

/** Parses an ESC property path: `a.b["c.d"][0]`, `aws.login`, `["key with spaces"]`. */
export function parsePropertyPath(text: string): Array<string | number> {
  const keys: Array<string | number> = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new UsageError(`invalid property path "${text}": ${why}`, 'write paths like aws.login.accessKeyId, list[0] or map["key.with.dots"]');
  };
  if (text === '') fail('it is empty');
  while (i < text.length) {
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail('a "[" is not closed');
      const inner = text.slice(i + 1, close);
      if (/^\d+$/.test(inner)) keys.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) keys.push(JSON.parse(inner) as string);
      else fail(`"[${inner}]" is neither an index nor a quoted key`);
      i = close + 1;
      if (i < text.length && text[i] === '.') {
        i++;
        if (i >= text.length) fail('it ends with "."');
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      if (j === i) fail(`empty key at character ${i + 1}`);
      keys.push(text.slice(i, j));
      i = j;
      if (text[i] === '.') {
        i++;
        if (i >= text.length) fail('it ends with "."');
      }
    }
  }
  return keys;
}

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
 * ESC's `environmentVariables` / `files` projection. `tempRoot` is where the private folder for
 * file contents is created (default: the OS temp folder).
 */
export function projectEnvironment(root: Value, reveal: boolean, tempRoot: string = os.tmpdir()): EnvProjection {
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
    dir ??= fs.mkdtempSync(path.join(tempRoot, 'esc-local-'));
    const file = path.join(dir, name);
    fs.writeFileSync(file, v.value, { mode: 0o600, flag: 'wx' });
    out.files.push(file);
    out.pairs.push([name, file]);
  }
  return out;
}

export interface RenderOptions {
  format: OpenFormat;
  reveal: boolean;
  /** Property path keys (not allowed with dotenv/shell, as in ESC). */
  path?: ReadonlyArray<string | number>;
  tempRoot?: string;
}

export interface Rendered {
  text: string;
  projection?: EnvProjection;
}

export function renderOpen(root: Value, options: RenderOptions): Rendered {
  const { format, reveal } = options;
  if ((format === 'dotenv' || format === 'shell') && options.path && options.path.length > 0) {
    throw new UsageError(`output format ${format} may not be used with a property path`);
  }
  const selected = options.path && options.path.length > 0 ? valueAt(root, options.path) : root;
  switch (format) {
    case 'json':
      return { text: JSON.stringify(selected === undefined ? null : toJson(selected, reveal), null, 2) + '\n' };
    case 'yaml':
      return { text: stringify(selected === undefined ? null : toJson(selected, reveal)) };
    case 'string':
      return { text: (selected === undefined ? '' : asText(selected, reveal)) + '\n' };
    case 'dotenv':
    case 'shell': {
      const projection = projectEnvironment(root, reveal, options.tempRoot);
      const lines = projection.pairs.map(([k, v]) => (format === 'dotenv' ? `${k}=${dotenvQuote(v)}` : `export ${k}=${shellQuote(v)}`));
      return { text: lines.length > 0 ? lines.join('\n') + '\n' : '', projection };
    }
  }
}
