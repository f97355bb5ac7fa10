/**
 * Checked values for hover: lookup by path, and a redacted one-line rendering. Secrets are
 * shown as `[secret]` and unknowns as `[unknown]` whatever the value holds, so no plaintext
 * secret can reach the editor through hover.
 */
import type { Value } from '../value/value';
import type { PathKey } from './model';
import type { SchemaIndex } from './schemas';
import { setOwn } from '../schema/ops';

export type Values = { [key: string]: Value };

/** Values computed (or deserialized) only when first asked for: hover needs them, checks don't. */
export type LazyValues = () => Values | undefined;

export function memo<T>(compute: () => T): () => T {
  let done = false;
  let result: T;
  let pending: (() => T) | undefined = compute;
  return () => {
    if (!done) {
      result = pending!();
      done = true;
      pending = undefined; // let what the computation captured go
    }
    return result;
  };
}

/** Checked values of environments, from the evaluator (check mode). */
export interface CheckedValues {
  /** The checked top-level values of an environment, or undefined if not (yet) evaluated. */
  valuesOf(envName: string): { [key: string]: Value } | undefined;
  /** What the evaluator said about the schemas of an environment's values and references. */
  schemasOf?(envName: string): SchemaIndex | undefined;
}

export function valueAtPath(root: { [key: string]: Value } | undefined, path: readonly PathKey[]): Value | undefined {
  if (!root || path.length === 0) return undefined;
  let current: Value | undefined = Object.prototype.hasOwnProperty.call(root, String(path[0])) ? root[String(path[0])] : undefined;
  for (const key of path.slice(1)) {
    // Below an unknown value (a provider's outputs in check mode) everything is unknown too.
    if (current?.unknown) return { value: null, unknown: true, ...(current.secret ? { secret: true } : {}), trace: {} };
    if (!current || current.value === null || typeof current.value !== 'object') return undefined;
    if (Array.isArray(current.value)) current = typeof key === 'number' || /^\d+$/.test(String(key)) ? current.value[Number(key)] : undefined;
    else current = Object.prototype.hasOwnProperty.call(current.value, String(key)) ? current.value[String(key)] : undefined;
  }
  return current;
}

/** Plain JSON with secrets as "[secret]" and unknowns as "[unknown]". */
export function redactedJson(value: Value, depth = 0): unknown {
  if (value.secret) return '[secret]';
  if (value.unknown) return '[unknown]';
  if (depth > 20) return '…';
  const data = value.value;
  if (Array.isArray(data)) return data.map((v) => redactedJson(v, depth + 1));
  if (data !== null && typeof data === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(data)) setOwn(out, k, redactedJson(v, depth + 1));
    return out;
  }
  return data;
}

export function renderValue(value: Value, maxLength = 400): string {
  const text = JSON.stringify(redactedJson(value), null, 2) ?? 'null';
  return text.length > maxLength ? `${text.slice(0, maxLength)}\n…` : text;
}

export function kindOfValue(value: Value): string {
  if (value.unknown) return value.secret ? 'unknown (secret)' : 'unknown';
  const data = value.value;
  const base = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data;
  return value.secret ? `${base} (secret)` : base;
}
