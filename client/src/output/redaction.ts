/**
 * The one home of value redaction for what the CLI prints and the extension shows: a secret is
 * written `[secret]` (the placeholder the history's redacted definitions use too) unless
 * revealed, a value that needs a provider call is `[unknown]`.
 */
import type { Value } from '../../../shared/src/value/value';
import { setOwn } from '../../../shared/src/schema/ops';
import { SECRET_PLACEHOLDER } from '../../../shared/src/patch/redact';

export { SECRET_PLACEHOLDER };
export const UNKNOWN_PLACEHOLDER = '[unknown]';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

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

/**
 * Replaces every secret (including a secret that is not known, e.g. a ciphertext that was not
 * decrypted) with a known `[secret]` that is still marked secret: what is rendered from the
 * result says "secret", not "unknown", for those, and cannot hold a secret's value.
 */
export function redactSecrets(v: Value): Value {
  if (v.secret) return { value: SECRET_PLACEHOLDER, secret: true, trace: v.trace };
  if (v.unknown || v.value === null || typeof v.value !== 'object') return v;
  if (Array.isArray(v.value)) return { ...v, value: v.value.map(redactSecrets) };
  return { ...v, value: Object.fromEntries(Object.entries(v.value).map(([k, x]) => [k, redactSecrets(x)])) };
}
