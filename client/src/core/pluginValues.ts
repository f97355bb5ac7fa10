/**
 * Helpers to read provider/rotator inputs from, and build outputs as, the evaluator's `Value`s.
 * Reading reports wrong shapes as located `InvalidInput` errors naming the input.
 */
import type { Value, ValueData } from '../../../shared/src/value/value';
import { CoreError } from './errors';

const NO_TRACE = {};

export function plain(data: ValueData, secret = false): Value {
  return secret ? { value: data, secret: true, trace: NO_TRACE } : { value: data, trace: NO_TRACE };
}

export function secretString(s: string): Value {
  return plain(s, true);
}

export function objectValue(fields: { [key: string]: Value | undefined }): Value {
  const out: { [key: string]: Value } = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return plain(out);
}

/** True if the value (or anything inside it) is unknown: it cannot be used to act. */
export function containsUnknown(v: Value | undefined): boolean {
  if (v === undefined) return false;
  if (v.unknown) return true;
  const d = v.value;
  if (Array.isArray(d)) return d.some(containsUnknown);
  if (d !== null && typeof d === 'object') return Object.values(d).some(containsUnknown);
  return false;
}

export function fieldsOf(v: Value | undefined, what: string): { [key: string]: Value } | undefined {
  if (v === undefined || v.value === null) return undefined;
  const d = v.value;
  if (typeof d !== 'object' || Array.isArray(d)) throw new CoreError('InvalidInput', `${what} must be an object`);
  return d;
}

export function optionalString(v: Value | undefined, what: string): string | undefined {
  if (v === undefined || v.value === null) return undefined;
  if (v.unknown) throw new CoreError('InvalidInput', `${what} is not known yet (it depends on something that was not evaluated)`);
  if (typeof v.value !== 'string') throw new CoreError('InvalidInput', `${what} must be a string`);
  return v.value;
}

export function requiredString(v: Value | undefined, what: string): string {
  const s = optionalString(v, what);
  if (s === undefined || s === '') throw new CoreError('InvalidInput', `${what} is required`);
  return s;
}

export function optionalNumber(v: Value | undefined, what: string): number | undefined {
  if (v === undefined || v.value === null) return undefined;
  if (typeof v.value !== 'number' || !Number.isFinite(v.value)) throw new CoreError('InvalidInput', `${what} must be a number`);
  return v.value;
}

export function optionalInteger(v: Value | undefined, what: string, min: number, max: number): number | undefined {
  const n = optionalNumber(v, what);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) throw new CoreError('InvalidInput', `${what} must be an integer from ${min} to ${max} (got ${n})`);
  return n;
}

export function optionalBoolean(v: Value | undefined, what: string): boolean | undefined {
  if (v === undefined || v.value === null) return undefined;
  if (typeof v.value !== 'boolean') throw new CoreError('InvalidInput', `${what} must be true or false`);
  return v.value;
}

/** The plain JSON of a value (secrets included: only for use inside the core). */
export function toJson(v: Value): unknown {
  const d = v.value;
  if (Array.isArray(d)) return d.map(toJson);
  if (d !== null && typeof d === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(d)) o[k] = toJson(x);
    return o;
  }
  return d;
}
