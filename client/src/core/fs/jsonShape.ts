/**
 * Shapes of the JSON state files the tool reads back (history revisions, rotation journals,
 * `.esc/workspace.json`, schedules, webhooks): a parsed value is checked against its shape
 * before any code touches it, and a mismatch is a located error naming the file and the JSON
 * path (`schedules.app.cron: expected a string, got number`).
 *
 * Hand-written on purpose: five small shapes need only objects, arrays, records, literals and
 * optionals; a schema library (zod, ajv) would add more to the extension bundle than this file
 * and its messages would still need rewording to name our files.
 */
import { environmentNameProblem } from '../../../../shared/src/identity/environmentName';
import { CoreError } from '../errors';

export type Shape<T> = (value: unknown, at: string) => T;

export class ShapeError extends Error {}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function fail(at: string, expected: string, value: unknown): never {
  throw new ShapeError(`${at || 'the top level'}: expected ${expected}, got ${kind(value)}`);
}

export const string: Shape<string> = (v, at) => (typeof v === 'string' ? v : fail(at, 'a string', v));
export const integer: Shape<number> = (v, at) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(at, 'an integer', v));
export const boolean: Shape<boolean> = (v, at) => (typeof v === 'boolean' ? v : fail(at, 'true or false', v));

export function literal<T extends string | number>(...allowed: T[]): Shape<T> {
  return (v, at) => (allowed.includes(v as T) ? (v as T) : fail(at, allowed.map((a) => JSON.stringify(a)).join(' or '), v));
}

export function array<T>(item: Shape<T>): Shape<T[]> {
  return (v, at) => (Array.isArray(v) ? v.map((x, i) => item(x, `${at}[${i}]`)) : fail(at, 'an array', v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

/** Property shapes; a key whose shape is wrapped in `optional` may be absent. Unknown keys are kept (newer versions may add some). */
export type Fields<T> = { [K in keyof T]-?: Shape<T[K]> & { optional?: boolean } };

export function optional<T>(shape: Shape<T>): Shape<T | undefined> & { optional: true } {
  const s = ((v: unknown, at: string) => (v === undefined ? undefined : shape(v, at))) as Shape<T | undefined> & { optional: true };
  s.optional = true;
  return s;
}

export function object<T>(fields: Fields<T>): Shape<T> {
  return (v, at) => {
    if (!isObject(v)) return fail(at, 'an object', v);
    for (const [key, shape] of Object.entries(fields) as [string, Shape<unknown> & { optional?: boolean }][]) {
      if (!Object.prototype.hasOwnProperty.call(v, key)) {
        if (shape.optional) continue;
        throw new ShapeError(`${join(at, key)}: missing`);
      }
      shape(v[key], join(at, key));
    }
    return v as T;
  };
}

/** An object used as a map from keys (checked by `key`) to values of one shape. */
export function record<T>(value: Shape<T>, key: (k: string, at: string) => void = () => undefined): Shape<{ [k: string]: T }> {
  return (v, at) => {
    if (!isObject(v)) return fail(at, 'an object', v);
    for (const [k, x] of Object.entries(v)) {
      key(k, join(at, JSON.stringify(k)));
      value(x, join(at, k));
    }
    return v as { [k: string]: T };
  };
}

/** Parses `text` as JSON of `shape`; every failure is a CoreError naming `file`. */
export function parseJsonFile<T>(text: string, file: string, shape: Shape<T>, what: string, code: 'InvalidInput' | 'HistoryError' | 'Drift' = 'InvalidInput'): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // Only the position: V8's message quotes the text, and a state file may hold anything.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new CoreError(code, `${file} is not valid JSON${at !== undefined ? ` (at character ${at})` : ''}`, { file }, 'fix it or restore it from version control');
  }
  return checkJsonShape(parsed, file, shape, what, code);
}

export function checkJsonShape<T>(parsed: unknown, file: string, shape: Shape<T>, what: string, code: 'InvalidInput' | 'HistoryError' | 'Drift' = 'InvalidInput'): T {
  try {
    return shape(parsed, '');
  } catch (e) {
    if (e instanceof ShapeError) throw new CoreError(code, `${file} is not ${what}: ${e.message}`, { file }, 'fix it or restore it from version control');
    throw e;
  }
}

/** An environment name, by the one rule (shared/src/identity), before any path is built from it. */
export const environmentName: Shape<string> = (v, at) => {
  const name = string(v, at);
  const problem = environmentNameProblem(name);
  if (problem !== undefined) throw new ShapeError(`${at || 'the top level'}: ${JSON.stringify(name)} is not a valid environment name (${problem})`);
  return name;
};

/** For `record` keys that are environment names. */
export function environmentNameKey(key: string, at: string): void {
  environmentName(key, at);
}
