/**
 * Schema "compilation", as ESC's `Schema.Compile`: resolves every `$ref` against the root
 * schema's `$defs`, parses `pattern`s, and checks numeric keywords. Results are cached per
 * schema object (schemas are treated as immutable once used), so a sub-schema reached later
 * through property access still knows its resolved `$ref`.
 */
import type { ObjectSchema, Schema } from './schema';

interface Compiled {
  ref?: Schema;
  pattern?: RegExp;
}

const compiled = new WeakMap<ObjectSchema, Compiled>();

export class SchemaCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaCompileError';
  }
}

function parseRef(root: Schema, ref: string): Schema {
  const prefix = '#/$defs/';
  if (!ref.startsWith(prefix) || ref.slice(prefix.length).includes('/')) {
    throw new SchemaCompileError('only fragment references of the form #/$defs/ref are supported');
  }
  let name: string;
  try {
    name = decodeURIComponent(ref.slice(prefix.length));
  } catch {
    throw new SchemaCompileError(`invalid escape in reference ${ref}`);
  }
  const defs = typeof root === 'object' ? root.$defs : undefined;
  if (defs === undefined || !Object.prototype.hasOwnProperty.call(defs, name)) {
    throw new SchemaCompileError(`unknown subschema ${ref}`);
  }
  return defs[name] as Schema;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/**
 * Translates the RE2 (Go) syntax JavaScript lacks: a leading `(?ims)` flag group, `\A` and
 * `\z`, POSIX classes `[[:alpha:]]` and one-letter Unicode classes `\pL`. The rest of the
 * common syntax is shared.
 */
export function translateRe2(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = 'u';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead?.[1] !== undefined) {
    for (const f of lead[1]) if (!flags.includes(f)) flags += f;
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\[\[:\^([a-z]+):\]\]/g, (m, name: string) => {
      const cls = POSIX_CLASSES[name];
      return cls === undefined ? m : `[^${cls}]`;
    })
    .replace(/\[:([a-z]+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m)
    .replace(/(\\*)\\([pP])([A-Za-z])/g, (m, slashes: string, p: string, c: string) => (slashes.length % 2 === 0 ? `${slashes}\\${p}{${c}}` : m))
    // \A and \z: start and end of the text whatever the flags.
    .replace(/(\\*)\\A/g, (m, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}(?<![\\s\\S])` : m))
    .replace(/(\\*)\\z/g, (m, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}(?![\\s\\S])` : m));
  return { source, flags };
}

/** Compiles a schema `pattern`: RE2 syntax translated where needed, Unicode mode, then legacy mode. */
function parsePattern(pattern: string): RegExp {
  const { source, flags } = translateRe2(pattern);
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch (e) {
      throw new SchemaCompileError(`invalid pattern ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
  }
}

const NUMBER_KEYWORDS = ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'] as const;
const COUNT_KEYWORDS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const;

function compileNode(s: Schema | undefined, root: Schema): void {
  if (s === undefined || typeof s === 'boolean' || compiled.has(s)) return;
  const info: Compiled = {};
  compiled.set(s, info);

  if (s.$ref !== undefined && s.$ref !== '') {
    info.ref = parseRef(root, s.$ref);
    compileNode(info.ref, root);
  }
  for (const x of s.anyOf ?? []) compileNode(x, root);
  for (const x of s.oneOf ?? []) compileNode(x, root);
  for (const x of s.prefixItems ?? []) compileNode(x, root);
  compileNode(s.items, root);
  compileNode(s.additionalProperties, root);
  for (const k of Object.keys(s.properties ?? {})) compileNode(s.properties?.[k], root);

  for (const k of NUMBER_KEYWORDS) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw new SchemaCompileError(`${k} must be a number`);
    }
  }
  for (const k of COUNT_KEYWORDS) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw new SchemaCompileError(`${k} must be a non-negative integer`);
    }
  }
  if (s.pattern !== undefined && s.pattern !== '') info.pattern = parsePattern(s.pattern);
}

/**
 * Compiles `root` (and everything reachable from it) once. Throws {@link SchemaCompileError}
 * for an unsupported or dangling `$ref`, a bad pattern or a bad numeric keyword. On failure
 * the partially compiled state is discarded so that the error is reported again next time.
 */
export function compileSchema(root: Schema): void {
  if (typeof root === 'boolean' || compiled.has(root)) return;
  try {
    compileNode(root, root);
    checkCycles(root);
  } catch (e) {
    forget(root, new Set());
    throw e;
  }
}

/** Like {@link compileSchema}, returning the error message instead of throwing. */
export function tryCompileSchema(root: Schema): string | undefined {
  try {
    compileSchema(root);
    return undefined;
  } catch (e) {
    return e instanceof SchemaCompileError ? e.message : String(e);
  }
}

/** Schemas already known not to sit on a `$ref`/`anyOf`/`oneOf` cycle. */
const acyclic = new WeakSet<ObjectSchema>();

/** The schemas that apply to the same value as `s` (no structure consumed in between). */
function sameValueEdges(s: ObjectSchema): Schema[] {
  const ref = compiled.get(s)?.ref;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(ref === undefined ? [] : [ref])];
}

/**
 * Rejects a cycle of `$ref`/`anyOf`/`oneOf` that never descends into a property or item (e.g.
 * `$defs: {a: {$ref: '#/$defs/a'}}`): validating against it would never end. Recursion through
 * properties and items (linked lists, trees) is fine and allowed.
 */
function checkCycles(root: Schema): void {
  const all: ObjectSchema[] = [];
  const seen = new Set<ObjectSchema>();
  const collect = (s: Schema | undefined): void => {
    if (s === undefined || typeof s === 'boolean' || seen.has(s)) return;
    seen.add(s);
    all.push(s);
    for (const x of sameValueEdges(s)) collect(x);
    for (const x of s.prefixItems ?? []) collect(x);
    collect(s.items);
    collect(s.additionalProperties);
    for (const x of Object.values(s.properties ?? {})) collect(x);
  };
  collect(root);
  const onPath: ObjectSchema[] = [];
  const visit = (s: ObjectSchema): void => {
    if (acyclic.has(s)) return;
    const at = onPath.indexOf(s);
    if (at >= 0) {
      const ref = onPath.slice(at).find((x) => x.$ref !== undefined && x.$ref !== '')?.$ref;
      throw new SchemaCompileError(`circular schema reference${ref === undefined ? '' : ` ${ref}`}`);
    }
    onPath.push(s);
    for (const x of sameValueEdges(s)) if (typeof x === 'object') visit(x);
    onPath.pop();
    acyclic.add(s);
  };
  for (const s of all) visit(s);
}

function forget(s: Schema | undefined, seen: Set<ObjectSchema>): void {
  if (s === undefined || typeof s === 'boolean' || seen.has(s)) return;
  seen.add(s);
  compiled.delete(s);
  for (const x of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.prefixItems ?? [])]) forget(x, seen);
  forget(s.items, seen);
  forget(s.additionalProperties, seen);
  for (const x of Object.values(s.properties ?? {})) forget(x, seen);
  for (const x of Object.values(s.$defs ?? {})) forget(x, seen);
}

/**
 * The schema a `$ref` points to. Resolved through the root the schema was compiled with; a
 * schema never compiled is compiled here as its own root (its own `$defs`). Undefined when the
 * schema has no `$ref` or it cannot be resolved.
 */
export function resolveRef(s: Schema | undefined): Schema | undefined {
  if (s === undefined || typeof s === 'boolean' || s.$ref === undefined || s.$ref === '') return undefined;
  if (!compiled.has(s)) {
    if (tryCompileSchema(s) !== undefined) return undefined;
  }
  return compiled.get(s)?.ref;
}

/** The compiled `pattern` of a schema (compiling it as its own root if needed). */
export function compiledPattern(s: ObjectSchema): RegExp | undefined {
  if (s.pattern === undefined || s.pattern === '') return undefined;
  if (!compiled.has(s)) {
    try {
      compileNode(s, s);
    } catch {
      return undefined;
    }
  }
  return compiled.get(s)?.pattern;
}
