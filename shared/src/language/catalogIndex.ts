/**
 * The language service's lookups over the provider/rotator/builtin catalog, plus schema
 * navigation helpers (the schema under a key path, enum values, required properties).
 */
import { findBuiltin, findProvider, findRotator, type BuiltinDoc, type CatalogEntry } from '../catalog/index';
import type { Json, ObjectSchema, Schema } from '../schema/schema';
import type { PathKey } from './model';

export const OPEN_PREFIX = 'fn::open::';
export const ROTATE_PREFIX = 'fn::rotate::';

/** What a `fn::…` key calls: a plain builtin, a provider, or a rotator. */
export type Callee =
  | { kind: 'builtin'; name: string; doc?: BuiltinDoc }
  | { kind: 'provider'; name: string; spec?: CatalogEntry }
  | { kind: 'rotator'; name: string; spec?: CatalogEntry };

export function calleeOf(key: string): Callee | undefined {
  if (key.startsWith(OPEN_PREFIX)) {
    const name = key.slice(OPEN_PREFIX.length);
    const spec = findProvider(name);
    return spec ? { kind: 'provider', name, spec } : { kind: 'provider', name };
  }
  if (key.startsWith(ROTATE_PREFIX)) {
    const name = key.slice(ROTATE_PREFIX.length);
    const spec = findRotator(name);
    return spec ? { kind: 'rotator', name, spec } : { kind: 'rotator', name };
  }
  if (!key.startsWith('fn::')) return undefined;
  const doc = findBuiltin(key);
  return doc ? { kind: 'builtin', name: key, doc } : { kind: 'builtin', name: key };
}

function object(schema: Schema | undefined): ObjectSchema | undefined {
  return typeof schema === 'object' ? schema : undefined;
}

/** The alternatives of a schema (anyOf/oneOf flattened), itself when it has none. */
export function alternatives(schema: Schema | undefined): ObjectSchema[] {
  const s = object(schema);
  if (!s) return [];
  const alts = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  return alts.length === 0 ? [s] : alts.flatMap((a) => alternatives(a));
}

/** The schema reached by following `keys` through properties, additionalProperties and items. */
export function schemaAt(schema: Schema | undefined, keys: readonly PathKey[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const key of keys) {
    let next: Schema | undefined;
    for (const alt of alternatives(current)) {
      if (typeof key === 'number' || key === '[]') next = alt.items ?? alt.prefixItems?.[typeof key === 'number' ? key : 0];
      else next = alt.properties?.[key] ?? (alt.additionalProperties !== false ? alt.additionalProperties : undefined);
      if (next !== undefined) break;
    }
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}

/** Named properties a value of this schema may have (with their schemas). */
export function propertiesOf(schema: Schema | undefined): [string, Schema][] {
  const out = new Map<string, Schema>();
  for (const alt of alternatives(schema)) for (const [k, v] of Object.entries(alt.properties ?? {})) if (!out.has(k)) out.set(k, v);
  return [...out];
}

export function requiredOf(schema: Schema | undefined): string[] {
  const alts = alternatives(schema);
  return alts.length === 1 ? (alts[0]!.required ?? []) : [];
}

/** Values an enum-like schema allows: enum members, consts, booleans. */
export function enumValues(schema: Schema | undefined): Json[] {
  const out: Json[] = [];
  for (const alt of alternatives(schema)) {
    if (alt.enum) out.push(...alt.enum);
    if (alt.const !== undefined) out.push(alt.const);
    if (alt.type === 'boolean' && alt.enum === undefined) out.push(true, false);
  }
  return out.filter((v, i) => out.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
}

export function describeSchema(schema: Schema | undefined): string | undefined {
  return object(schema)?.description;
}

/**
 * A long-form call (`fn::open: {provider: aws-login, inputs: …}`) as the short form it stands
 * for: the provider's callee with the path below `inputs`, or the rotator's with the same path.
 */
export function calleeOfLongForm(callee: Callee, inner: readonly PathKey[], providerName: string | undefined): { callee: Callee; inner: PathKey[] } {
  if (callee.kind !== 'builtin' || providerName === undefined) return { callee, inner: [...inner] };
  if (callee.name === 'fn::open' && inner[0] === 'inputs') return { callee: calleeOf(OPEN_PREFIX + providerName)!, inner: inner.slice(1) };
  if (callee.name === 'fn::rotate' && (inner[0] === 'inputs' || inner[0] === 'state')) return { callee: calleeOf(ROTATE_PREFIX + providerName)!, inner: [...inner] };
  return { callee, inner: [...inner] };
}

/**
 * The input schema at a path inside a builtin call's argument. `inner` is the path below the
 * `fn::…` key (e.g. ['oidc', 'roleArn'] for a provider, ['inputs', 'length'] for a rotator).
 */
export function inputSchemaAt(callee: Callee, inner: readonly PathKey[]): Schema | undefined {
  if (callee.kind === 'provider' && callee.spec) return schemaAt(callee.spec.inputs, inner);
  if (callee.kind === 'rotator' && callee.spec) {
    if (inner.length === 0) return { type: 'object', properties: { inputs: callee.spec.inputs, ...(callee.spec.state ? { state: callee.spec.state } : {}) }, required: ['inputs'] };
    if (inner[0] === 'inputs') return schemaAt(callee.spec.inputs, inner.slice(1));
    if (inner[0] === 'state' && callee.spec.state) return schemaAt(callee.spec.state, inner.slice(1));
  }
  if (callee.kind === 'builtin' && (callee.name === 'fn::open' || callee.name === 'fn::rotate')) {
    if (inner.length === 0) return { type: 'object', properties: { provider: { type: 'string', description: 'The provider name.' }, inputs: true, ...(callee.name === 'fn::rotate' ? { state: true } : {}) }, required: ['provider', 'inputs'] };
  }
  return undefined;
}
