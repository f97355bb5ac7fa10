/**
 * Schema algebra the evaluator needs to give every expression a schema in check mode, as ESC
 * does: the schema of a literal or value, unions, property/index access, merging of imported
 * objects. Semantics follow ESC's `schema.Schema.Property/Item`, `union` and `mergedSchema`.
 */
import type { Json, ObjectSchema, Schema } from './schema';
import type { Value } from '../value/value';
import { resolveRef } from './compile';
import { sortedKeys } from './goFormat';

/**
 * Sets an own property even for keys like `__proto__` (keys come from user documents). On a
 * plain object an assignment does the same for every other key (`__proto__` is the only accessor
 * of Object.prototype) without allocating a descriptor: this runs for every key of every value.
 */
export function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

export function isAlways(s: Schema | undefined): boolean {
  return s === undefined || s === true;
}

export function isNever(s: Schema | undefined): boolean {
  return s === false;
}

/** The object form of a schema (`true` → `{}`); undefined for `false`. */
export function asObject(s: Schema): ObjectSchema | undefined {
  if (s === false) return undefined;
  return s === true ? {} : s;
}

/**
 * ESC's union: drops `false`/missing members; none left → `false`; one → itself; else `{oneOf}`.
 */
export function unionSchemas(schemas: readonly (Schema | undefined)[]): Schema {
  const kept = schemas.filter((s): s is Schema => s !== undefined && s !== false);
  if (kept.length === 0) return false;
  if (kept.length === 1) return kept[0] as Schema;
  return { oneOf: kept };
}

function alternatives(s: ObjectSchema): Schema[] {
  const ref = resolveRef(s);
  return [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(ref === undefined ? [] : [ref])];
}

/**
 * The schema of property `key` of values of `s` (ESC's `Schema.Property`): from `properties`,
 * else `additionalProperties`, across `anyOf`/`oneOf` alternatives (and, beyond ESC, a resolved
 * `$ref`). Non-object schemas, including `true`, give `false`; callers that must treat `true`
 * as "anything" (unknown access) use {@link accessSchema}.
 */
export function propertySchema(s: Schema, key: string): Schema {
  if (typeof s === 'boolean') return false;
  const parts = alternatives(s).map((x) => propertySchema(x, key));
  let own: Schema | undefined = false;
  if (s.type === 'object') {
    own = s.properties !== undefined && Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : s.additionalProperties;
  }
  parts.push(own ?? false);
  return unionSchemas(parts);
}

/** The schema of element `index` of values of `s` (ESC's `Schema.Item`): `prefixItems[index]`, else `items`. */
export function itemSchema(s: Schema, index: number): Schema {
  if (typeof s === 'boolean') return false;
  const parts = alternatives(s).map((x) => itemSchema(x, index));
  let own: Schema | undefined = false;
  if (s.type === 'array') own = index < (s.prefixItems?.length ?? 0) ? s.prefixItems?.[index] : s.items;
  parts.push(own ?? false);
  return unionSchemas(parts);
}

export type AccessResult = { ok: true; schema: Schema } | { ok: false; message: string };

/**
 * One accessor applied to an unknown value of schema `s`, with ESC's checks and messages
 * (`evaluateUnknownAccess`): `true` stays `true`; arrays need a non-negative integer index,
 * bounded when the schema is a tuple; objects need a string key; anything else is
 * "receiver must be an array or an object".
 */
export function accessSchema(s: Schema, accessor: string | number): AccessResult {
  if (s === true) return { ok: true, schema: true };
  const type = typeof s === 'object' ? s.type : undefined;
  if (typeof s === 'object' && type === 'array') {
    if (typeof accessor !== 'number' || !Number.isInteger(accessor)) {
      return { ok: false, message: 'cannot access an array element using a property name' };
    }
    if (accessor < 0) return { ok: false, message: 'array indices must not be negative' };
    const length = s.items === false ? (s.prefixItems?.length ?? 0) : -1;
    if (length >= 0 && accessor >= length) {
      return { ok: false, message: `array index ${accessor} out-of-bounds for array of length ${length}` };
    }
    return { ok: true, schema: itemSchema(s, accessor) };
  }
  if (typeof s === 'object' && type === 'object') {
    if (typeof accessor !== 'string') return { ok: false, message: 'cannot access an object property using an integer index' };
    return { ok: true, schema: propertySchema(s, accessor) };
  }
  return { ok: false, message: 'receiver must be an array or an object' };
}

/** The schema ESC gives a literal or provider output: scalars as `{type, const}`, arrays as tuples, objects as records. */
export function literalSchema(v: Json): Schema {
  if (v === null) return { type: 'null' };
  if (typeof v === 'boolean') return { type: 'boolean', const: v };
  if (typeof v === 'number') return { type: 'number', const: v };
  if (typeof v === 'string') return { type: 'string', const: v };
  if (Array.isArray(v)) return { type: 'array', prefixItems: v.map(literalSchema), items: false };
  const properties: Record<string, Schema> = {};
  for (const k of Object.keys(v)) setOwn(properties, k, literalSchema(v[k] as Json));
  return { type: 'object', properties, required: sortedKeys(properties) };
}

/**
 * The schema of an evaluated value, as ESC's `unexport` computes it. Unknown parts have no
 * data, so their schema is `true` unless `unknownSchema` knows better.
 */
export function valueSchema(v: Value, unknownSchema?: (v: Value) => Schema | undefined): Schema {
  if (v.unknown) return unknownSchema?.(v) ?? true;
  const d = v.value;
  if (d === null) return { type: 'null' };
  if (typeof d === 'boolean') return { type: 'boolean', const: d };
  if (typeof d === 'number') return { type: 'number', const: d };
  if (typeof d === 'string') return { type: 'string', const: d };
  if (Array.isArray(d)) return { type: 'array', prefixItems: d.map((x) => valueSchema(x, unknownSchema)), items: false };
  const properties: Record<string, Schema> = {};
  for (const k of Object.keys(d)) setOwn(properties, k, valueSchema(d[k] as Value, unknownSchema));
  return { type: 'object', properties, required: sortedKeys(properties) };
}

/**
 * The schema of `top` merged over an imported `base` (JSON merge patch, ESC's `mergedSchema`):
 * only objects merge, property by property; anything else is `top`.
 */
export function mergedSchema(base: Schema | undefined, top: Schema): Schema {
  if (base === undefined || typeof top === 'boolean' || top.type !== 'object') return top;
  if (typeof base === 'boolean' || base.type !== 'object') return top;
  const properties: Record<string, Schema> = {};
  for (const k of Object.keys(base.properties ?? {})) setOwn(properties, k, base.properties?.[k] as Schema);
  for (const k of Object.keys(top.properties ?? {})) {
    const t = top.properties?.[k] as Schema;
    setOwn(properties, k, Object.prototype.hasOwnProperty.call(properties, k) ? mergedSchema(properties[k], t) : t);
  }
  let additional = top.additionalProperties;
  if (base.additionalProperties !== undefined) additional = additional === undefined ? base.additionalProperties : true;
  const merged: ObjectSchema = { type: 'object', properties, required: sortedKeys(properties) };
  if (additional !== undefined) merged.additionalProperties = additional;
  return merged;
}

/** The schema with ESC's `secret` extension set. */
export function withSecret(s: Schema): Schema {
  if (s === false) return false;
  return s === true ? { secret: true } : { ...s, secret: true };
}

/** True when values of this schema are secret (`secret: true`, directly or through `$ref`). */
export function isSecretSchema(s: Schema | undefined): boolean {
  if (s === undefined || typeof s === 'boolean') return false;
  return s.secret === true || isSecretSchema(resolveRef(s));
}
