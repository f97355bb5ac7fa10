/**
 * Schema builders, the TypeScript counterpart of ESC's `schema.String()`, `schema.Record(...)`,
 * `schema.Tuple(...)`…: each returns a plain {@link ObjectSchema} literal, with extra keywords
 * (description, const, minLength, secret, …) passed as the last argument.
 *
 *   record({ region: string({ description: 'AWS region' }), token: string({ secret: true }) })
 *   array(string(), { minItems: 1 })
 *   tuple(string(), number())
 */
import type { Json, ObjectSchema, Schema } from './schema';
import { sortedKeys } from './goFormat';

/** Extra keywords for a builder; `type` is set by the builder itself. */
export type Keywords = Omit<ObjectSchema, 'type'>;

export function always(): Schema {
  return true;
}

export function never(): Schema {
  return false;
}

export function nullType(extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'null' };
}

export function boolean(extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'boolean' };
}

export function number(extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'number' };
}

export function string(extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'string' };
}

/** An array whose elements all match `items` (any element when omitted). */
export function array(items?: Schema, extra: Keywords = {}): ObjectSchema {
  const s: ObjectSchema = { ...extra, type: 'array' };
  if (items !== undefined) s.items = items;
  return s;
}

/** A fixed-length array: element i matches `prefixItems[i]`, nothing else is allowed (ESC's `schema.Tuple`). */
export function tuple(...prefixItems: Schema[]): ObjectSchema {
  return tupleOf(prefixItems);
}

/** `tuple` for a list of any length (a spread of a document's 150,000 items would overflow the stack). */
export function tupleOf(prefixItems: Schema[]): ObjectSchema {
  return { type: 'array', prefixItems, items: false };
}

/** An object; pass `properties`, `required`, `additionalProperties`… as keywords. */
export function object(extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'object' };
}

/** An object with exactly these properties, all required (ESC's `schema.Record`: required names sorted). */
export function record(properties: Record<string, Schema>, extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'object', properties, required: sortedKeys(properties) };
}

/** An object mapping any key to values of one schema. */
export function map(values: Schema, extra: Keywords = {}): ObjectSchema {
  return { ...extra, type: 'object', additionalProperties: values };
}

export function anyOf(...schemas: Schema[]): ObjectSchema {
  return { anyOf: schemas };
}

export function oneOf(...schemas: Schema[]): ObjectSchema {
  return { oneOf: schemas };
}

/** A reference to a definition of the root schema: `ref('creds')` is `{$ref: '#/$defs/creds'}`. */
export function ref(name: string): ObjectSchema {
  return { $ref: name.startsWith('#/') ? name : `#/$defs/${encodeURIComponent(name)}` };
}

/** Adds `$defs` to a (root) schema. */
export function withDefs(schema: ObjectSchema, defs: Record<string, Schema>): ObjectSchema {
  return { ...schema, $defs: defs };
}

/** A schema accepting exactly one constant. */
export function constant(value: Json): ObjectSchema {
  if (value === null) return nullType();
  if (typeof value === 'boolean') return boolean({ const: value });
  if (typeof value === 'number') return number({ const: value });
  if (typeof value === 'string') return string({ const: value });
  return Array.isArray(value) ? { type: 'array', const: value } : { type: 'object', const: value };
}

/** The same schema with ESC's `secret` extension set (values of it are secret). */
export function secret(schema: Schema): Schema {
  if (schema === false) return false;
  return schema === true ? { secret: true } : { ...schema, secret: true };
}

/** The object schema with these properties marked rotate-only (evaluated only during rotation). */
export function rotateOnly(schema: ObjectSchema, ...names: string[]): ObjectSchema {
  return { ...schema, rotateOnly: [...(schema.rotateOnly ?? []), ...names] };
}
