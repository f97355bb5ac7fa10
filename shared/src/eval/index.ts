/**
 * The evaluator's public entry points. Everything here is pure: environments, providers,
 * rotators and decrypters are supplied by the caller (see `../contract/plugins.ts`); nothing does I/O.
 *
 *   parseEnvironment(name, text)                   → { decl?, diagnostics }    (syntax + AST)
 *   checkEnvironment(name, text, options)          → EvalResult   providers not run; outputs unknown
 *   openEnvironment(name, text, options)           → EvalResult   providers run
 *   rotateEnvironment(name, text, options)         → EvalResult   rotators run; `patches` to write back
 *   toJSON(value, { redact })                      → plain JSON ("[secret]", "[unknown]")
 *
 * Every function resolves (never rejects) for any input text: problems are diagnostics.
 * Diagnostics are sorted by environment, then start line, then start column (stable).
 */
import { setOwn } from '../schema/ops';
import { parseEnvironment, type EnvironmentDecl, type ParsedEnvironment } from '../ast/environment';
import type { Expr } from '../ast/expr';
import { propertyAccessString } from '../ast/property';
import { parsePath, formatPath } from '../syntax/propertyPath';
import type { Json, Schema } from '../schema/schema';
import type { Range } from '../syntax/range';
import type { Decrypter, EnvironmentLoader, ProviderLoader, RotationPatch } from '../contract/plugins';
import type { Diagnostic } from '../syntax/diagnostic';
import type { Value } from '../value/value';
import { EvaluationCancelled, evaluateDecl, type EvalMode, type ImportInfo } from './evaluator';
import { parseEnvironmentCached } from './parseCache';
import type { AccessorState, EvalExpr, Val } from './evalValue';

export { parseEnvironment };
export type { EnvironmentDecl, ParsedEnvironment, ImportInfo };
export type { Expr } from '../ast/expr';
export type { PropertyAccess, PropertyAccessor, Interpolation } from '../ast/property';
export type { SyntaxNode } from '../syntax/nodes';

export interface EvalOptions {
  loader: EnvironmentLoader;
  providers: ProviderLoader;
  /**
   * Execution context visible as `${context.*}` (e.g. `{pulumi: {user: {id: "…"}}}`); the
   * evaluator adds `currentEnvironment.name` and `rootEnvironment.name`.
   */
  context?: { [key: string]: Json };
  /** Decrypts the root environment's `fn::secret: {ciphertext}` values (imports bring their own). */
  decrypter?: Decrypter;
  /** Check only: decrypt and show static secrets. */
  showSecrets?: boolean;
  signal?: AbortSignal;
}

export interface RotateOptions extends EvalOptions {
  /** Rotate only the `fn::rotate` calls at these paths under `values` (ESC syntax: `a.b["c"][0]`); all when omitted. */
  paths?: string[];
}

/** One accessor of an interpolation/symbol, resolved. */
export interface CheckedAccessor {
  /** Property name or index. */
  key: string | number;
  /** Where the accessor is written (`.name`, `["k"]`, `[0]`), when the string maps to source. */
  range?: Range;
  /** Where the accessed value was defined (go-to-definition target). */
  definition?: Range;
  /** Schema of the accessed value. */
  schema?: Schema;
}

export interface CheckedInterpolation {
  text: string;
  /** The `${...}` access following `text`, if any. */
  access?: CheckedAccessor[];
}

/** What the evaluator knows about one expression of the root document (hover, completion, definition). */
export interface CheckedExpr {
  /** Document path, e.g. `values.a["b"][0]`. */
  path: string;
  range?: Range;
  schema: Schema;
  /** The evaluated value (with trace: `def`, and `base` = the imported value it overrides). */
  value?: Value;
  /** Set for `fn::*` calls. */
  builtin?: { name: string; nameRange?: Range; args?: CheckedExpr };
  /** Set for interpolated strings and `${...}` symbols. */
  interpolate?: CheckedInterpolation[];
  /** Literal value of a scalar. */
  literal?: Json;
  list?: CheckedExpr[];
  /** Object properties, keyed by property name. */
  object?: { [key: string]: CheckedExpr };
  /** Ranges of the object's keys. */
  keyRanges?: { [key: string]: Range };
}

export interface Environment {
  /** The environment's top-level values (as `values:` evaluates, merged over imports). */
  properties: { [key: string]: Value };
  schema: Schema;
  /** Per-expression information for the root document's `values`. */
  exprs: { [key: string]: CheckedExpr };
  /** The execution context visible as `${context.*}`. */
  executionContext: { [key: string]: Value };
  /** Every import (of the root and of imported environments), in evaluation order. */
  imports: ImportInfo[];
}

export interface EvalResult {
  /** Undefined when there is nothing to evaluate (empty document or malformed YAML). */
  environment?: Environment;
  /** Parse diagnostics of the root document. */
  loadDiagnostics: Diagnostic[];
  /** Evaluation diagnostics (including parse diagnostics of imported environments). */
  diagnostics: Diagnostic[];
  /** Rotate only: one patch per rotated state, in evaluation order. */
  patches: RotationPatch[];
  /** Set when the caller's AbortSignal stopped the evaluation (the result is then incomplete). */
  cancelled?: true;
}

/** Sorts diagnostics as ESC does: by environment, then start line, then start column (stable). */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const x = a.d.range;
      const y = b.d.range;
      if (x.environment !== y.environment) return x.environment < y.environment ? -1 : 1;
      return x.begin.line - y.begin.line || x.begin.column - y.begin.column || a.i - b.i;
    })
    .map(({ d }) => d);
}

function exportAccessors(accessors: AccessorState[] | undefined): CheckedAccessor[] | undefined {
  return accessors?.map((a) => ({
    key: a.accessor.kind === 'name' ? a.accessor.name : a.accessor.index,
    range: a.accessor.range,
    definition: a.value?.def.range,
    schema: a.value?.schema,
  }));
}

function literalOf(node: Expr | undefined): Json | undefined {
  if (node === undefined) return undefined;
  switch (node.kind) {
    case 'null': return null;
    case 'boolean': case 'number': case 'string': return node.value;
    default: return undefined;
  }
}

/** The language-service view of an evaluated expression tree. */
function exportExpr(x: EvalExpr): CheckedExpr {
  const out: CheckedExpr = { path: x.path, range: x.range, schema: x.schema };
  if (x.value !== undefined) out.value = x.value.export();
  const r = x.repr;
  switch (r.kind) {
    case 'literal': {
      const lit = literalOf(r.node);
      if (lit !== undefined) out.literal = lit;
      break;
    }
    case 'interpolate':
      out.interpolate = r.parts.map((p) => ({ text: p.text, access: exportAccessors(p.accessors) }));
      break;
    case 'symbol':
      out.interpolate = [{ text: '', access: exportAccessors(r.accessors) }];
      break;
    case 'array':
      out.list = r.elements.map(exportExpr);
      break;
    case 'object': {
      const object: { [key: string]: CheckedExpr } = {};
      const keyRanges: { [key: string]: Range } = {};
      for (const [k, p] of r.properties) {
        setOwn(object, k, exportExpr(p));
        const kr = r.keys.get(k)?.syntax?.range;
        if (kr !== undefined) setOwn(keyRanges, k, kr);
      }
      out.object = object;
      out.keyRanges = keyRanges;
      break;
    }
    default: {
      const node = r.kind === 'missing' || r.kind === 'access' ? undefined : r.node;
      if (node !== undefined && 'name' in node && node.name !== undefined) {
        const args = builtinArgs(x);
        out.builtin = { name: node.name.value, nameRange: node.name.syntax?.range, args: args === undefined ? undefined : exportExpr(args) };
      }
    }
  }
  return out;
}

/** The language-service view of the root document's `values`, by top-level key. */
function exportExprs(root: EvalExpr): { [key: string]: CheckedExpr } {
  const exprs: { [key: string]: CheckedExpr } = {};
  if (root.repr.kind === 'object') {
    for (const [k, p] of root.repr.properties) setOwn(exprs, k, exportExpr(p));
  }
  return exprs;
}

function builtinArgs(x: EvalExpr): EvalExpr | undefined {
  const r = x.repr;
  switch (r.kind) {
    case 'unary': return r.arg;
    case 'open': return r.inputs;
    case 'rotate': return r.inputs;
    case 'secret': return r.plaintext;
    case 'join': return r.values;
    case 'split': return r.string;
    case 'validate': return r.value;
    default: return undefined;
  }
}

function objectOf(v: Value): { [key: string]: Value } {
  const d = v.value;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? d : {};
}

/**
 * The document path of a rotation target given in ESC property-path syntax, relative to `values`
 * (`a.b["c"][0]`) or to the document (`values.a.b`). Unparsable paths are kept as written.
 */
export function rotateDocPath(path: string): string {
  let segments;
  try {
    segments = parsePath(path);
  } catch {
    return path.startsWith('values.') || path.startsWith('values[') ? path : `values.${path}`;
  }
  if (segments[0] !== 'values') segments = ['values', ...segments];
  return formatPath(segments);
}

/** Defines `o[key]` as an enumerable property computed on first read (then kept). */
function lazyProperty<T, K extends keyof T>(o: T, key: K, compute: () => T[K]): void {
  let computed: { value: T[K] } | undefined;
  Object.defineProperty(o, key, { enumerable: true, configurable: true, get: () => (computed ??= { value: compute() }).value });
}

async function run(mode: EvalMode, name: string, text: string, options: RotateOptions): Promise<EvalResult> {
  const parsed = parseEnvironmentCached(name, text);
  const loadDiagnostics = sortDiagnostics(parsed.diagnostics);
  let rotateDocPaths: Set<string> | undefined;
  if (mode === 'rotate' && options.paths !== undefined && options.paths.length > 0) {
    rotateDocPaths = new Set();
    for (const p of options.paths) rotateDocPaths.add(rotateDocPath(p));
  }
  try {
    const result = await evaluateDecl(name, parsed.decl, options.decrypter, {
      mode,
      showSecrets: options.showSecrets ?? false,
      loader: options.loader,
      providers: options.providers,
      context: options.context ?? {},
      rotateDocPaths,
      signal: options.signal,
    });
    const value: Val | undefined = result.value;
    let environment: Environment | undefined;
    if (value !== undefined && result.context !== undefined) {
      const root = result.context.root;
      const myContext = result.context.myContext;
      environment = {
        properties: {},
        schema: value.schema,
        exprs: {},
        executionContext: {},
        imports: result.imports,
      };
      // The exported values and the per-expression view are for output, hover, completion and
      // definition: built on first read, so that a check that only wants diagnostics (the CLI,
      // the server's first pass) never pays them.
      lazyProperty(environment, 'properties', () => objectOf(value.export()));
      lazyProperty(environment, 'executionContext', () => objectOf(myContext.export()));
      lazyProperty(environment, 'exprs', () => exportExprs(root));
    }
    return { environment, loadDiagnostics, diagnostics: sortDiagnostics(result.diagnostics), patches: result.patches };
  } catch (err) {
    // Cancellation, or an evaluator bug, must not take the caller down: report it at the document start.
    const at = { line: 1, column: 1, byte: 0 };
    const summary = err instanceof EvaluationCancelled ? err.message : `internal error: ${(err as Error).message}`;
    return {
      loadDiagnostics,
      diagnostics: [{ severity: 1, summary, path: '', range: { environment: name, begin: at, end: at } }],
      patches: [],
      cancelled: err instanceof EvaluationCancelled ? true : undefined,
    };
  }
}

/** Static check: providers are not opened (their outputs are unknown with their output schema). */
export function checkEnvironment(name: string, text: string, options: EvalOptions): Promise<EvalResult> {
  return run('check', name, text, options);
}

/** Opens the environment: providers and rotators' `open` run; secrets are decrypted. */
export function openEnvironment(name: string, text: string, options: EvalOptions): Promise<EvalResult> {
  return run('open', name, text, options);
}

/** Rotates: each selected `fn::rotate` is rotated, then opened with its new state; `patches` hold the new states. */
export function rotateEnvironment(name: string, text: string, options: RotateOptions): Promise<EvalResult> {
  return run('rotate', name, text, options);
}

/** Plain JSON of a value: secrets as "[secret]" when redacting, unknowns as "[unknown]". */
export function toJSON(value: Value, options: { redact: boolean }): Json {
  if (value.secret && options.redact) return '[secret]';
  if (value.unknown) return '[unknown]';
  const d = value.value;
  if (Array.isArray(d)) return d.map((v) => toJSON(v, options));
  if (d !== null && typeof d === 'object') {
    const o: { [key: string]: Json } = {};
    for (const k of Object.keys(d)) setOwn(o, k, toJSON(d[k] as Value, options));
    return o;
  }
  return d;
}

/** Plain JSON of an environment's properties. */
export function environmentJSON(env: Environment, options: { redact: boolean }): Json {
  return toJSON({ value: env.properties, trace: {} }, options);
}

export { propertyAccessString };
