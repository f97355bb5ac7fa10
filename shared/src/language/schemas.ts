/**
 * The schemas hover shows: compact summaries of the evaluator's per-expression schemas (type,
 * description, enum, properties with required/secret flags, item type), indexed by document
 * path and by interpolation access path. Summaries are depth-limited so the index stays small
 * enough to cross from the checker thread, and they never carry a value: `const`, `default`
 * and `examples` are left out (ESC's schema of a literal is `const: <the literal>`, which for a
 * plaintext `fn::secret` is the secret), and `enum` is left out of anything secret.
 */
import type { CheckedExpr, Environment } from '../eval/index';
import type { Json, ObjectSchema, Schema } from '../schema/schema';
import type { PathKey } from './model';

export interface PropertySummary {
  name: string;
  type: string;
  required: boolean;
  secret: boolean;
  description?: string;
}

export interface SchemaSummary {
  type: string;
  secret: boolean;
  description?: string;
  enum?: Json[];
  properties?: PropertySummary[];
  /** Named properties beyond those listed. */
  moreProperties?: number;
  /** The item type of an array. */
  items?: string;
}

/** What the evaluator said about the schemas of one environment's values and references. */
export interface SchemaIndex {
  /** By top-level key, then by the JSON of the property path under `values`. */
  nodes: { [topKey: string]: { [pathJson: string]: SchemaSummary } };
  /** By the JSON of an interpolation's access keys (`${a.b}` → `["a","b"]`). */
  refs: { [keysJson: string]: SchemaSummary };
}

export type LazySchemas = () => SchemaIndex | undefined;

const MAX_PROPERTIES = 20;
const MAX_DESCRIPTION = 160;

export function pathKeyOf(path: readonly PathKey[]): string {
  return JSON.stringify(path);
}

function objectSchema(schema: Schema | undefined): ObjectSchema | undefined {
  return typeof schema === 'object' ? schema : undefined;
}

/** The alternatives of a schema (anyOf/oneOf flattened), itself when it has none. */
function alternatives(schema: Schema | undefined): ObjectSchema[] {
  const s = objectSchema(schema);
  if (!s) return [];
  const alts = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  return alts.length === 0 ? [s] : alts.flatMap((a) => alternatives(a));
}

/** A type name without any value in it (no enum members, no consts). */
export function schemaTypeName(schema: Schema | undefined, depth = 0): string {
  if (schema === undefined || schema === true) return 'any';
  if (schema === false) return 'never';
  const alts = alternatives(schema);
  if (alts.length > 1) return [...new Set(alts.map((a) => schemaTypeName(a, depth + 1)))].join(' | ');
  const s = alts[0] ?? schema;
  switch (s.type) {
    case 'array': {
      if (depth > 3) return 'array';
      if (s.prefixItems && s.prefixItems.length > 0 && (s.items === undefined || s.items === false)) return `[${s.prefixItems.map((i) => schemaTypeName(i, depth + 1)).join(', ')}]`;
      return `${s.items === undefined || s.items === true ? 'any' : schemaTypeName(s.items, depth + 1)}[]`;
    }
    case 'object':
      if (depth <= 3 && (s.properties === undefined || Object.keys(s.properties).length === 0) && s.additionalProperties !== undefined && s.additionalProperties !== false) {
        return `map[string]${schemaTypeName(s.additionalProperties, depth + 1)}`;
      }
      return 'object';
    case undefined:
      if (s.properties) return 'object';
      if (s.enum && s.enum.length > 0) return [...new Set(s.enum.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)))].join(' | ');
      return 'any';
    default:
      return s.type;
  }
}

function isSecret(schema: Schema | undefined): boolean {
  return alternatives(schema).some((a) => a.secret === true);
}

function firstSentence(text: string): string {
  const line = text.split('\n')[0]!.trim();
  const stop = /[.!?](\s|$)/.exec(line);
  const sentence = stop ? line.slice(0, stop.index + 1) : line;
  return sentence.length > MAX_DESCRIPTION ? `${sentence.slice(0, MAX_DESCRIPTION - 1)}…` : sentence;
}

/** A compact, value-free summary of a schema; undefined when it says nothing (`true`). */
export function summarizeSchema(schema: Schema | undefined): SchemaSummary | undefined {
  if (schema === undefined || schema === true) return undefined;
  const alts = alternatives(schema);
  const secret = isSecret(schema);
  const summary: SchemaSummary = { type: schemaTypeName(schema), secret };
  const description = objectSchema(schema)?.description ?? (alts.length === 1 ? alts[0]!.description : undefined);
  if (description) summary.description = description.length > 600 ? `${description.slice(0, 599)}…` : description;
  if (!secret) {
    const members: Json[] = [];
    for (const alt of alts) for (const v of alt.enum ?? []) if (!members.some((m) => JSON.stringify(m) === JSON.stringify(v))) members.push(v);
    if (members.length > 0) summary.enum = members.slice(0, 30);
  }
  const properties = new Map<string, { schema: Schema; required: boolean }>();
  for (const alt of alts) {
    const required = new Set(alts.length === 1 ? alt.required ?? [] : []);
    for (const [name, propertySchema] of Object.entries(alt.properties ?? {})) if (!properties.has(name)) properties.set(name, { schema: propertySchema, required: required.has(name) });
  }
  if (properties.size > 0) {
    summary.properties = [...properties].slice(0, MAX_PROPERTIES).map(([name, p]) => {
      const described = objectSchema(p.schema)?.description;
      return { name, type: schemaTypeName(p.schema, 1), required: p.required, secret: isSecret(p.schema), ...(described ? { description: firstSentence(described) } : {}) };
    });
    if (properties.size > MAX_PROPERTIES) summary.moreProperties = properties.size - MAX_PROPERTIES;
  }
  const array = alts.length === 1 && alts[0]!.type === 'array' ? alts[0]! : undefined;
  if (array && array.items !== undefined && array.items !== false) summary.items = schemaTypeName(array.items, 1);
  return summary;
}

/**
 * The markdown lines of a summary. `valueSecret`: the checked value is secret (enum members are
 * then left out even if the schema did not say so).
 */
export function renderSchemaSummary(summary: SchemaSummary, options: { valueSecret?: boolean; unknown?: boolean; required?: boolean } = {}): string[] {
  const flags: string[] = [];
  if (options.required !== undefined) flags.push(options.required ? 'required' : 'optional');
  if (summary.secret || options.valueSecret) flags.push('secret');
  if (options.unknown) flags.push('known when opened');
  const lines = [`Type: \`${summary.type}\`${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`];
  if (summary.description) lines.push(summary.description);
  if (summary.enum && !summary.secret && !options.valueSecret) lines.push(`One of: ${summary.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`);
  if (summary.items) lines.push(`Items: \`${summary.items}\``);
  if (summary.properties) {
    const rows = summary.properties.map((p) => {
      const marks = [p.required ? 'required' : '', p.secret ? 'secret' : ''].filter((m) => m !== '');
      return `- \`${p.name}\`: \`${p.type}\`${marks.length > 0 ? ` (${marks.join(', ')})` : ''}${p.description ? ` — ${p.description}` : ''}`;
    });
    if (summary.moreProperties) rows.push(`- … and ${summary.moreProperties} more`);
    lines.push(`Properties:\n${rows.join('\n')}`);
  }
  return lines;
}

/**
 * The index of a checked environment: its own values' nodes and every reference's target (`only`:
 * of those top-level keys' values alone).
 */
export function schemaIndexOf(environment: Environment, only?: ReadonlySet<string>): SchemaIndex {
  const steps = schemaIndexSteps(environment, only);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Top-level keys indexed between two pauses of `schemaIndexSteps`. */
const KEYS_PER_STEP = 16;

/**
 * `schemaIndexOf` in steps (a pause after every KEYS_PER_STEP top-level keys), for a caller that
 * must stay responsive while it indexes a large environment: the checker worker indexes between
 * checks.
 */
export function* schemaIndexSteps(environment: Environment, only?: ReadonlySet<string>): Generator<void, SchemaIndex> {
  const index: SchemaIndex = { nodes: {}, refs: {} };
  const refs = new Map<string, SchemaSummary>();
  const visitRefs = (expr: CheckedExpr, depth: number): void => {
    if (depth > 64) return;
    for (const part of expr.interpolate ?? []) {
      const keys: PathKey[] = [];
      for (const accessor of part.access ?? []) {
        keys.push(accessor.key);
        const key = pathKeyOf(keys);
        if (refs.has(key)) continue;
        const summary = summarizeSchema(accessor.schema);
        if (summary) refs.set(key, summary);
      }
    }
    if (expr.builtin?.args) visitRefs(expr.builtin.args, depth + 1);
    for (const item of expr.list ?? []) visitRefs(item, depth + 1);
    for (const child of Object.values(expr.object ?? {})) visitRefs(child, depth + 1);
  };
  const visitNodes = (nodes: { [pathJson: string]: SchemaSummary }, expr: CheckedExpr, path: PathKey[]): void => {
    const summary = summarizeSchema(expr.schema);
    if (summary) nodes[pathKeyOf(path)] = summary;
    if (path.length > 64 || expr.builtin) return; // a call's arguments are not properties of the value
    expr.list?.forEach((item, i) => visitNodes(nodes, item, [...path, i]));
    for (const [key, child] of Object.entries(expr.object ?? {})) visitNodes(nodes, child, [...path, key]);
  };
  let done = 0;
  for (const [key, expr] of Object.entries(environment.exprs)) {
    if (only && !only.has(key)) continue;
    const nodes: { [pathJson: string]: SchemaSummary } = {};
    visitNodes(nodes, expr, [key]);
    Object.defineProperty(index.nodes, key, { value: nodes, enumerable: true, writable: true, configurable: true });
    visitRefs(expr, 0);
    if (++done % KEYS_PER_STEP === 0) yield;
  }
  for (const [key, summary] of refs) Object.defineProperty(index.refs, key, { value: summary, enumerable: true, writable: true, configurable: true });
  return index;
}

export function nodeSchema(index: SchemaIndex | undefined, path: readonly PathKey[]): SchemaSummary | undefined {
  if (!index || path.length === 0) return undefined;
  const top = String(path[0]);
  const nodes = Object.prototype.hasOwnProperty.call(index.nodes, top) ? index.nodes[top] : undefined;
  const key = pathKeyOf(path);
  return nodes && Object.prototype.hasOwnProperty.call(nodes, key) ? nodes[key] : undefined;
}

export function refSchema(index: SchemaIndex | undefined, keys: readonly PathKey[]): SchemaSummary | undefined {
  if (!index) return undefined;
  const key = pathKeyOf(keys);
  return Object.prototype.hasOwnProperty.call(index.refs, key) ? index.refs[key] : undefined;
}

/**
 * After an incremental check: the fresh index for the entries it re-checked (`affected`) and for
 * references it saw, the previous one for everything else. The previous index is superseded (each
 * check's index is merged into once, by the next check): its references — one per interpolation
 * of the whole document, thousands in a large one — are taken over and updated, not copied on
 * every keystroke.
 */
export function mergeSchemaIndex(previous: SchemaIndex, fresh: SchemaIndex, affected: ReadonlySet<string>, keys: readonly string[]): SchemaIndex {
  const out: SchemaIndex = { nodes: {}, refs: previous.refs };
  for (const key of keys) {
    const source = affected.has(key) ? fresh.nodes : previous.nodes;
    if (Object.prototype.hasOwnProperty.call(source, key)) put(out.nodes, key, source[key]!);
  }
  for (const key in fresh.refs) put(out.refs, key, fresh.refs[key]!);
  return out;
}

/**
 * `target[key] = value` as an own property whatever the key: assignment (cheap, for the thousands
 * of keys of a large environment) except for `__proto__`, which assignment would not define.
 */
function put<T>(target: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
