/**
 * The evaluator: ESC's semantics for check (providers not run), open (providers run) and rotate
 * (rotators run, patches produced). Follows the reference evaluator's algorithm: imports are
 * evaluated first and merged (JSON merge patch) into a base; every `values` entry is declared as an
 * expression over its base; the root object is then evaluated lazily, in sorted key order, with
 * cycle detection on expressions. The evaluator does no I/O: environments, providers, rotators
 * and decrypters come through the interfaces of `../contract/plugins.ts`.
 */
import { setOwn } from '../schema/ops';
import type { EnvironmentDecl, ImportDecl } from '../ast/environment';
import type { Expr, StringExpr } from '../ast/expr';
import type { PropertyAccessor } from '../ast/property';
import { didYouMean } from '../schema/suggest';
import {
  accessSchema, array, compareStrings, goJson, goQuote, issueSummary, literalSchema, record, string as stringSchema,
  tryCompileSchema, tupleOf, validateValue, type SchemaIssue, type UnknownProperty,
} from '../schema';
import type { Json, ObjectSchema, Schema } from '../schema/schema';
import { joinKey } from '../syntax/propertyPath';
import type { Range } from '../syntax/range';
import { decodeBase64, decodeCiphertext } from '../syntax/envelope';
import { decodeFirstJsonValue } from './gojson';
import { parseEnvironmentCached } from './parseCache';
import type { Decrypter, EnvironmentLoader, ExecutionContext, InputLocatedError, ProviderLoader, RotationPatch } from '../contract/plugins';
import type { Diagnostic } from '../syntax/diagnostic';
import type { Value } from '../value/value';
import { type AccessorState, Copier, EvalExpr, type InterpolationPart, unexport, Val } from './evalValue';

export type EvalMode = 'check' | 'open' | 'rotate';

export interface EvalSettings {
  mode: EvalMode;
  /** Check mode only: decrypt static secrets and show them. */
  showSecrets: boolean;
  loader: EnvironmentLoader;
  providers: ProviderLoader;
  /** Extra execution context (e.g. `{pulumi: {user: {id}}}`); the evaluator adds the environment names. */
  context: { [key: string]: Json };
  /** Rotate mode: only rotate `fn::rotate` nodes at these document paths (`values.…`); all when undefined. */
  rotateDocPaths?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/** What an import resolved to, for the language service. */
export interface ImportInfo {
  /** The importing environment. */
  environment: string;
  name: string;
  range?: Range;
  merge: boolean;
  /** False when the environment could not be loaded. */
  found: boolean;
}

interface Imported {
  evaluating: boolean;
  value?: Val;
}

/** State shared by the root evaluation and every environment it imports or references. */
class Shared {
  readonly imports = new Map<string, Imported>();
  readonly references = new Map<string, Promise<{ value?: Val; error?: string }>>();
  readonly diags: Diagnostic[] = [];
  readonly patches: RotationPatch[] = [];
  readonly importInfos: ImportInfo[] = [];

  constructor(readonly settings: EvalSettings) {}
}

const isAnything = (s: Schema): boolean => s === true || (typeof s === 'object' && s.type === undefined &&
  s.anyOf === undefined && s.oneOf === undefined && s.$ref === undefined && s.const === undefined && s.enum === undefined);

function nullSchema(): Schema {
  return { type: 'null' };
}

function diagAt(node: Expr | undefined, summary: string, severity: 1 | 2 = 1, range?: Range): Diagnostic {
  const syntax = node?.syntax;
  return {
    severity,
    summary,
    path: syntax?.path ?? '',
    range: range ?? syntax?.range ?? { environment: '', begin: { line: 0, column: 0, byte: 0 }, end: { line: 0, column: 0, byte: 0 } },
  };
}

function accessorKey(a: PropertyAccessor): string | number {
  return a.kind === 'name' ? a.name : a.index;
}

/** Exports a value without memoization, indexing every exported node back to its value. */
function exportIndexed(v: Val, index: Map<Value, Val>): Value {
  const r = v.repr;
  let data: Value['value'];
  if (Array.isArray(r)) data = r.map((e) => exportIndexed(e, index));
  else if (r instanceof Map) {
    const o: { [key: string]: Value } = {};
    for (const k of v.keys()) {
      const p = v.property(k);
      if (p !== undefined) setOwn(o, k, exportIndexed(p, index));
    }
    data = o;
  } else data = r;
  const out: Value = { value: data, trace: {} };
  if (v.secret) out.secret = true;
  if (v.unknown) out.unknown = true;
  index.set(out, v);
  return out;
}

export class EvalContext {
  readonly validating: boolean;
  readonly rotating: boolean;
  myContext!: Val;
  myImports!: Val;
  root!: EvalExpr;
  base?: Val;
  readonly imports: ImportInfo[] = [];

  constructor(
    private readonly shared: Shared,
    readonly name: string,
    readonly env: EnvironmentDecl,
    private readonly decrypter: Decrypter | undefined,
    readonly isRoot: boolean,
    private readonly rootEnvironment: string | undefined,
  ) {
    this.validating = shared.settings.mode === 'check';
    this.rotating = shared.settings.mode === 'rotate' && isRoot;
  }

  private get settings(): EvalSettings {
    return this.shared.settings;
  }

  private error(node: Expr | undefined, summary: string, range?: Range): void {
    this.shared.diags.push(diagAt(node, summary, 1, range));
  }

  private accessorError(node: Expr | undefined, accessor: PropertyAccessor, summary: string): void {
    this.error(node, summary, accessor.range);
  }

  /** Rotate-only inputs are evaluated while rotating, and while checking the root environment. */
  private evaluatesRotateOnly(): boolean {
    return this.rotating || (this.validating && this.isRoot);
  }

  private decryptSecrets(): boolean {
    return !this.validating || this.settings.showSecrets;
  }

  // ---- declaration -------------------------------------------------------------------------

  private declare(path: string, x: Expr | undefined, base: Val | undefined): EvalExpr {
    if (x === undefined) return new EvalExpr(path, { kind: 'missing' }, true, base);
    switch (x.kind) {
      case 'null': return new EvalExpr(path, { kind: 'literal', node: x }, nullSchema(), base);
      case 'boolean': case 'number': case 'string':
        return new EvalExpr(path, { kind: 'literal', node: x }, literalSchema(x.value), base);
      case 'interpolate': {
        const parts: InterpolationPart[] = x.parts.map((p) => ({
          text: p.text,
          accessors: p.value?.accessors.map((a) => ({ accessor: a })),
        }));
        return new EvalExpr(path, { kind: 'interpolate', node: x, parts }, stringSchema(), base);
      }
      case 'symbol':
        return new EvalExpr(path, { kind: 'symbol', node: x, accessors: x.property.accessors.map((a) => ({ accessor: a })) }, true, base);
      case 'fromBase64':
        return new EvalExpr(path, { kind: 'unary', node: x, builtin: 'fromBase64', arg: this.declare('', x.string, undefined) }, stringSchema(), base);
      case 'fromJSON':
        return new EvalExpr(path, { kind: 'unary', node: x, builtin: 'fromJSON', arg: this.declare('', x.string, undefined) }, true, base);
      case 'toBase64': case 'toJSON': case 'toString':
        return new EvalExpr(path, { kind: 'unary', node: x, builtin: x.kind, arg: this.declare('', x.value, undefined) }, stringSchema(), base);
      case 'final':
        return new EvalExpr(path, { kind: 'unary', node: x, builtin: 'final', arg: this.declare(path, x.value, undefined) }, true, base);
      case 'concat':
        return new EvalExpr(path, { kind: 'unary', node: x, builtin: 'concat', arg: this.declare('', x.arrays, undefined) }, array(true), base);
      case 'join':
        return new EvalExpr(path, { kind: 'join', node: x, delimiter: this.declare('', x.delimiter, undefined), values: this.declare('', x.values, undefined) }, stringSchema(), base);
      case 'split':
        return new EvalExpr(path, { kind: 'split', node: x, delimiter: this.declare('', x.delimiter, undefined), string: this.declare('', x.string, undefined) }, array(stringSchema()), base);
      case 'open':
        return new EvalExpr(path, { kind: 'open', node: x, provider: x.provider?.value, inputs: this.declare('', x.inputs, undefined), inputSchema: true }, true, base);
      case 'rotate':
        return new EvalExpr(path, {
          kind: 'rotate', node: x, provider: x.provider?.value, inputs: this.declare('', x.inputs, undefined),
          state: this.declare('', x.state, undefined), inputSchema: true, stateSchema: true,
        }, true, base);
      case 'secret': {
        if (x.plaintext !== undefined) {
          const plaintext = this.declare('', x.plaintext, undefined);
          plaintext.secret = true;
          return new EvalExpr(path, { kind: 'secret', node: x, plaintext }, stringSchema(), base);
        }
        return new EvalExpr(path, { kind: 'secret', node: x, ciphertext: x.ciphertext?.value ?? '' }, stringSchema(), base);
      }
      case 'validate':
        return new EvalExpr(path, { kind: 'validate', node: x, schema: this.declare('', x.schema, undefined), value: this.declare('', x.value, undefined) }, true, base);
      case 'array': {
        const elements = x.elements.map((e, i) => this.declare(`${path}[${i}]`, e, undefined));
        return new EvalExpr(path, { kind: 'array', node: x, elements }, array(true), base);
      }
      case 'object': {
        const properties = new Map<string, EvalExpr>();
        const keys = new Map<string, StringExpr>();
        for (const entry of x.entries) {
          if (entry.key === undefined) continue;
          const k = entry.key.value;
          if (properties.has(k)) {
            this.error(entry.key, `duplicate key ${goQuote(k)}`);
            continue;
          }
          keys.set(k, entry.key);
          properties.set(k, this.declareProperty(joinKey(path, k), entry.value, base?.property(k, entry.key)));
        }
        return new EvalExpr(path, { kind: 'object', node: x, properties, keys }, { type: 'object', additionalProperties: true }, base);
      }
    }
  }

  /** Declares a property over its imported base; an imported `fn::final` value cannot be overridden. */
  private declareProperty(path: string, x: Expr, base: Val | undefined): EvalExpr {
    if (base !== undefined && base.final) {
      this.shared.diags.push(diagAt(x, 'cannot override final value', 2));
      return new EvalExpr(path, { kind: 'finalOverride', node: x, final: base }, base.schema, base);
    }
    return this.declare(path, x, base);
  }

  // ---- driver ------------------------------------------------------------------------------

  async evaluate(): Promise<Val> {
    // The environment counts as being evaluated until its value is complete, so that imports and
    // inline references back to it are reported as cycles.
    const mine: Imported = { evaluating: true };
    this.shared.imports.set(this.name, mine);
    try {
      mine.value = await this.evaluateBody();
      return mine.value;
    } finally {
      mine.evaluating = false;
    }
  }

  private async evaluateBody(): Promise<Val> {
    this.evaluateContext();
    await this.evaluateImports();

    const properties = new Map<string, EvalExpr>();
    const keys = new Map<string, StringExpr>();
    this.root = new EvalExpr(`<${this.name}>`, { kind: 'object', properties, keys }, { type: 'object', additionalProperties: true }, this.base);
    for (const entry of this.env.values) {
      const key = entry.key.value;
      if (key === 'imports' || key === 'context') {
        this.error(entry.key, `${goQuote(key)} is a reserved key`);
      } else if (properties.has(key)) {
        this.error(entry.key, `duplicate key ${goQuote(key)}`);
      } else {
        keys.set(key, entry.key);
        properties.set(key, this.declareProperty(key, entry.value, this.base?.property(key, entry.key)));
      }
    }
    return this.evaluateExpr(this.root);
  }

  private evaluateContext(): void {
    const def = new EvalExpr('', { kind: 'missing' }, true, undefined);
    const context: { [key: string]: Json } = {
      ...this.settings.context,
      currentEnvironment: { name: this.name },
      rootEnvironment: { name: this.rootEnvironment ?? this.name },
    };
    this.myContext = unexport(toValue(context), def);
    def.state = 'done';
    def.value = this.myContext;
  }

  private async evaluateImports(): Promise<void> {
    const myImports = new Map<string, Val>();
    for (const decl of this.env.imports) await this.evaluateImport(myImports, decl);
    const def = new EvalExpr('', { kind: 'missing' }, true, undefined);
    const props: Record<string, Schema> = {};
    for (const [k, v] of myImports) setOwn(props, k, v.schema);
    const val = new Val(def, record(props));
    val.repr = myImports;
    def.state = 'done';
    def.value = val;
    def.schema = val.schema;
    this.myImports = val;
  }

  private async evaluateImport(myImports: Map<string, Val>, decl: ImportDecl): Promise<void> {
    if (decl.environment === undefined) return;
    const name = decl.environment.value;
    const merge = decl.merge?.value ?? true;
    const info: ImportInfo = { environment: this.name, name, range: decl.environment.syntax?.range, merge, found: true };
    this.imports.push(info);
    this.shared.importInfos.push(info);

    let val: Val | undefined;
    const imported = this.shared.imports.get(name);
    if (imported !== undefined) {
      if (imported.evaluating) {
        this.shared.diags.push({ severity: 1, summary: `cyclic import of ${name}`, path: decl.syntax.path, range: decl.syntax.range });
        return;
      }
      val = imported.value;
    } else {
      const loaded = await this.loadEnvironment(name);
      if (loaded.error !== undefined) {
        info.found = false;
        this.error(decl.environment, loaded.error);
        return;
      }
      if (loaded.decl === undefined) return;
      const rootForChildren = this.rootEnvironment ?? (this.isRoot && !isAnonymous(this.name) ? this.name : undefined);
      const child = new EvalContext(this.shared, name, loaded.decl, loaded.decrypter, false, rootForChildren);
      val = await child.evaluate();
    }
    if (val === undefined) return;
    myImports.set(name, val);
    if (merge) {
      const copy = new Copier().copy(val);
      copy.merge(this.base);
      this.base = copy;
    }
  }

  private async loadEnvironment(name: string): Promise<{ decl?: EnvironmentDecl; decrypter?: Decrypter; error?: string }> {
    let loaded;
    try {
      loaded = await this.settings.loader.load(name);
    } catch (err) {
      return { error: (err as Error).message ?? String(err) };
    }
    if (loaded === undefined) return { error: `environment ${goQuote(name)} not found` };
    const parsed = parseEnvironmentCached(name, loaded.text);
    for (const d of parsed.diagnostics) this.shared.diags.push(d);
    if (parsed.diagnostics.some((d) => d.severity === 1)) return { decrypter: loaded.decrypter };
    return { decl: parsed.decl, decrypter: loaded.decrypter };
  }

  // ---- evaluation --------------------------------------------------------------------------

  /**
   * A literal (most expressions) is evaluated at once, without a promise of its own: evaluation is
   * sequential (every call is awaited where it is made, nothing runs in parallel), so the order of
   * everything it does is the same either way, and a check makes a promise per non-literal only.
   */
  evaluateExpr(x: EvalExpr): Val | Promise<Val> {
    if (this.settings.signal?.aborted) throw new EvaluationCancelled();
    switch (x.state) {
      case 'done':
        return x.value as Val;
      case 'evaluating': {
        this.error(x.node, `cyclic reference to ${x.path}`);
        const v = new Val(x, true);
        v.unknown = true;
        return v;
      }
      default:
        x.state = 'evaluating';
    }
    if (x.repr.kind !== 'literal' || (x.rotateOnly && !this.evaluatesRotateOnly())) return this.evaluateLater(x);
    let val: Val;
    try {
      val = this.evaluateLiteral(x, x.repr.node);
    } finally {
      x.state = 'done';
    }
    return this.evaluated(x, val);
  }

  private async evaluateLater(x: EvalExpr): Promise<Val> {
    let val: Val;
    try {
      val = await this.evaluateRepr(x);
    } finally {
      x.state = 'done';
    }
    return this.evaluated(x, val);
  }

  private evaluated(x: EvalExpr, val: Val): Val {
    if (x.secret) val.secret = true;
    val.merge(x.base);
    x.schema = val.schema;
    x.value = val;
    return val;
  }

  private evaluateLiteral(x: EvalExpr, n: Expr): Val {
    const v = new Val(x, x.schema);
    v.repr = n.kind === 'boolean' || n.kind === 'number' || n.kind === 'string' ? n.value : null;
    return v;
  }

  private async evaluateRepr(x: EvalExpr): Promise<Val> {
    if (x.rotateOnly && !this.evaluatesRotateOnly()) {
      const v = new Val(x, x.schema);
      v.unknown = true;
      v.rotateOnly = true;
      return v;
    }
    const repr = x.repr;
    switch (repr.kind) {
      case 'missing': case 'access': {
        const v = new Val(x, x.schema);
        v.unknown = true;
        return v;
      }
      case 'literal': return this.evaluateLiteral(x, repr.node);
      case 'finalOverride':
        return repr.final;
      case 'interpolate': return this.evaluateInterpolate(x, repr.parts);
      case 'symbol': return this.evaluatePropertyAccess(x, repr.accessors);
      case 'unary':
        switch (repr.builtin) {
          case 'fromBase64': return this.evaluateFromBase64(x, repr.arg);
          case 'fromJSON': return this.evaluateFromJSON(x, repr.arg);
          case 'toBase64': return this.evaluateToBase64(x, repr.arg);
          case 'toJSON': return this.evaluateToJSON(x, repr.arg);
          case 'toString': return this.evaluateToString(x, repr.arg);
          case 'final': return this.evaluateFinal(x, repr.arg);
          case 'concat': return this.evaluateConcat(x, repr.arg);
        }
        break;
      case 'join': return this.evaluateJoin(x, repr.delimiter, repr.values);
      case 'split': return this.evaluateSplit(x, repr.delimiter, repr.string);
      case 'open': return this.evaluateOpen(x, repr);
      case 'rotate': return this.evaluateRotate(x, repr);
      case 'secret': return this.evaluateSecret(x, repr);
      case 'validate': return this.evaluateValidate(x, repr.schema, repr.value);
      case 'array': {
        const v = new Val(x, true);
        const items: Val[] = [];
        for (const e of repr.elements) items.push(await this.evaluateExpr(e));
        v.repr = items;
        v.schema = tupleOf(items.map((i) => i.schema));
        return v;
      }
      case 'object': {
        const v = new Val(x, true);
        const keys = [...repr.properties.keys()].sort(compareStrings);
        const m = new Map<string, Val>();
        const props: Record<string, Schema> = {};
        for (const k of keys) {
          const pv = await this.evaluateExpr(repr.properties.get(k) as EvalExpr);
          m.set(k, pv);
          setOwn(props, k, pv.schema);
        }
        v.repr = m;
        v.schema = record(props);
        return v;
      }
    }
    throw new Error(`internal error: unexpected expression kind`);
  }

  /** Evaluates an expression and validates it against a schema; false when invalid. */
  private async evaluateTyped(x: EvalExpr, accept: Schema): Promise<{ value: Val; ok: boolean }> {
    const value = await this.evaluateExpr(x);
    return { value, ok: this.validate(x, value, accept) };
  }

  private validate(x: EvalExpr, value: Val, accept: Schema): boolean {
    if (accept === true) return true;
    const index = new Map<Value, Val>();
    const exported = exportIndexed(value, index);
    const issues = validateValue(accept, exported, {
      unknownSchema: (v) => index.get(v)?.schema,
    });
    for (const issue of issues) {
      const blamed = issue.value !== undefined ? index.get(issue.value) : undefined;
      let def = blamed?.def;
      if (def?.node?.syntax === undefined) def = this.locate(x, issue.path.slice(0, issue.blame));
      if (issue.unknownProperty !== undefined) {
        this.shared.diags.push(this.unknownPropertyDiag(def, issue, issue.unknownProperty));
        continue;
      }
      this.shared.diags.push(diagAt(def.node ?? x.node, issueSummary(issue), issue.severity));
    }
    return !issues.some((i) => i.severity === 1);
  }

  /**
   * A property the schema does not allow (a misspelt provider input, typically): reported at
   * the key when the holding object is written as a literal, else at the expression that defines
   * the object (with the path below it), and with the closest allowed name as a suggestion.
   */
  private unknownPropertyDiag(def: EvalExpr, issue: SchemaIssue, property: UnknownProperty): Diagnostic {
    const suggestion = didYouMean(property.name, property.known);
    const summary = issueSummary(issue) + (suggestion !== undefined ? `; did you mean ${goQuote(suggestion)}?` : '');
    const key = issue.path.length === issue.blame && def.repr.kind === 'object' ? def.repr.keys.get(property.name) : undefined;
    return diagAt(key?.syntax !== undefined ? key : def.node, summary, issue.severity);
  }

  /** The deepest literal expression along a path (ESC's validation location). */
  private locate(x: EvalExpr, path: (string | number)[]): EvalExpr {
    let cur = x;
    for (const seg of path) {
      const r = cur.repr;
      if (r.kind === 'array' && typeof seg === 'number' && r.elements[seg] !== undefined) cur = r.elements[seg];
      else if (r.kind === 'object' && typeof seg === 'string' && r.properties.has(seg)) cur = r.properties.get(seg) as EvalExpr;
      else break;
    }
    return cur.node !== undefined ? cur : x;
  }

  private async evaluateInterpolate(x: EvalExpr, parts: InterpolationPart[]): Promise<Val> {
    const v = new Val(x, x.schema);
    let out = '';
    for (const p of parts) {
      out += p.text;
      if (p.accessors !== undefined) {
        const pv = await this.evaluatePropertyAccess(x, p.accessors);
        const s = pv.toStringValue();
        v.unknown = v.unknown || s.unknown;
        v.secret = v.secret || s.secret;
        if (!s.unknown) out += s.text;
      }
    }
    v.repr = v.unknown ? '[unknown]' : out;
    return v;
  }

  private async evaluatePropertyAccess(x: EvalExpr, accessors: AccessorState[]): Promise<Val> {
    const v = new Copier().copy(await this.evaluateExprAccess(x, accessors));
    v.def = x;
    return v;
  }

  private objectKey(node: Expr | undefined, a: PropertyAccessor, must: boolean): string | undefined {
    if (a.kind === 'name') return a.name;
    if (typeof a.index === 'string') return a.index;
    if (must) this.accessorError(node, a, 'cannot access an object property using an integer index');
    return undefined;
  }

  private arrayIndex(node: Expr | undefined, a: PropertyAccessor, length: number): number | undefined {
    if (a.kind === 'name' || typeof a.index !== 'number') {
      this.accessorError(node, a, 'cannot access an array element using a property name');
      return undefined;
    }
    if (a.index < 0) {
      this.accessorError(node, a, 'array indices must not be negative');
      return undefined;
    }
    if (length >= 0 && a.index >= length) {
      this.accessorError(node, a, `array index ${a.index} out-of-bounds for array of length ${length}`);
      return undefined;
    }
    return a.index;
  }

  private unknownProperty(node: Expr | undefined, a: PropertyAccessor, key: string, candidates: Iterable<string>): void {
    const suggestion = didYouMean(key, candidates);
    this.accessorError(node, a, `unknown property ${goQuote(key)}${suggestion === undefined ? '' : `; did you mean ${goQuote(suggestion)}?`}`);
  }

  private async evaluateExprAccess(x: EvalExpr, accessors: AccessorState[]): Promise<Val> {
    const node = x.node;
    const first = this.objectKey(node, accessors[0].accessor, false);
    if (first === 'imports') {
      accessors[0].value = this.myImports;
      return this.evaluateValueAccess(node, this.myImports, accessors.slice(1));
    }
    if (first === 'context') {
      accessors[0].value = this.myContext;
      return this.evaluateValueAccess(node, this.myContext, accessors.slice(1));
    }
    if (first === 'environments') return this.evaluateEnvironmentAccess(x, accessors);

    let receiver: EvalExpr = this.root;
    let rest = accessors;
    while (rest.length > 0) {
      const state = rest[0];
      const repr = receiver.repr;
      if (repr.kind === 'array') {
        const index = this.arrayIndex(node, state.accessor, repr.elements.length);
        if (index === undefined) return this.invalidAccess(x, rest);
        receiver = repr.elements[index];
      } else if (repr.kind === 'object') {
        const key = this.objectKey(node, state.accessor, true);
        if (key === undefined) return this.invalidAccess(x, rest);
        const prop = repr.properties.get(key);
        if (prop === undefined) {
          if (receiver.base?.isObject()) return this.evaluateValueAccess(node, receiver.base, rest);
          this.unknownProperty(node, state.accessor, key, repr.properties.keys());
          return this.invalidAccess(x, rest);
        }
        receiver = prop;
      } else if (repr.kind === 'secret' && repr.plaintext !== undefined) {
        receiver = repr.plaintext;
        continue;
      } else {
        return this.evaluateValueAccess(node, await this.evaluateExpr(receiver), rest);
      }
      const synthesized = new Val(receiver, receiver.schema);
      synthesized.base = receiver.base;
      state.value = synthesized;
      rest = rest.slice(1);
    }
    return this.evaluateExpr(receiver);
  }

  private async evaluateValueAccess(node: Expr | undefined, receiver: Val, accessors: AccessorState[]): Promise<Val> {
    let rest = accessors;
    let secret = false;
    while (rest.length > 0) {
      const state = rest[0];
      // Anything read out of a secret is secret.
      secret ||= receiver.secret;
      if (receiver.unknown) {
        const v = this.evaluateUnknownAccess(node, receiver.schema, rest);
        if (secret || receiver.secret) v.secret = true;
        return v;
      }
      const r = receiver.repr;
      if (Array.isArray(r)) {
        const index = this.arrayIndex(node, state.accessor, r.length);
        if (index === undefined) return this.invalidAccessAt(node, rest);
        receiver = r[index];
      } else if (r instanceof Map) {
        const key = this.objectKey(node, state.accessor, true);
        if (key === undefined) return this.invalidAccessAt(node, rest);
        const prop = r.get(key);
        if (prop === undefined) {
          if (receiver.base?.isObject()) return this.evaluateValueAccess(node, receiver.base, rest);
          this.unknownProperty(node, state.accessor, key, receiver.keys());
          return this.invalidAccessAt(node, rest);
        }
        receiver = prop;
      } else {
        this.accessorError(node, state.accessor, 'receiver must be an array or an object');
        return this.invalidAccessAt(node, rest);
      }
      state.value = receiver;
      rest = rest.slice(1);
    }
    if (secret && !receiver.secret) {
      receiver = new Copier().copy(receiver);
      receiver.secret = true;
    }
    return receiver;
  }

  private evaluateUnknownAccess(node: Expr | undefined, schema: Schema, accessors: AccessorState[]): Val {
    const unknownDef = new EvalExpr('', { kind: 'missing' }, schema, undefined);
    unknownDef.state = 'done';
    let val = new Val(unknownDef, schema);
    val.unknown = true;
    let receiver = schema;
    for (let i = 0; i < accessors.length; i++) {
      const state = accessors[i];
      if (!isAnything(receiver)) {
        const result = accessSchema(receiver, accessorKey(state.accessor));
        if (!result.ok) {
          this.accessorError(node, state.accessor, result.message);
          return this.invalidAccessAt(node, accessors.slice(i));
        }
        receiver = result.schema;
      } else {
        receiver = true;
      }
      const def = new EvalExpr('', { kind: 'literal', node: node ?? { kind: 'null' } }, receiver, undefined);
      def.state = 'done';
      val = new Val(def, receiver);
      val.unknown = true;
      state.value = val;
    }
    return val;
  }

  private invalidAccess(x: EvalExpr, accessors: AccessorState[]): Val {
    return this.invalidAccessAt(x.node, accessors);
  }

  private invalidAccessAt(node: Expr | undefined, accessors: AccessorState[]): Val {
    const unknownDef = new EvalExpr('', { kind: 'missing' }, true, undefined);
    unknownDef.state = 'done';
    let last = new Val(unknownDef, true);
    last.unknown = true;
    for (const state of accessors) {
      const def = new EvalExpr('', { kind: 'literal', node: node ?? { kind: 'null' } }, true, undefined);
      def.state = 'done';
      last = new Val(def, true);
      last.unknown = true;
      state.value = last;
    }
    return last;
  }

  /** `${environments.<project>.<env>.<path>}`: a value of another environment, not merged. */
  private async evaluateEnvironmentAccess(x: EvalExpr, accessors: AccessorState[]): Promise<Val> {
    const node = x.node;
    if (accessors.length < 3) return this.invalidAccessAt(undefined, accessors);
    const project = this.objectKey(undefined, accessors[1].accessor, false);
    const env = this.objectKey(undefined, accessors[2].accessor, false);
    if (project === undefined || env === undefined) return this.invalidAccessAt(undefined, accessors);
    const name = `${project}/${env}`;
    let pending = this.shared.references.get(name);
    if (pending === undefined) {
      pending = this.evaluateReferencedEnvironment(name);
      this.shared.references.set(name, pending);
    }
    const { value, error } = await pending;
    if (value === undefined) {
      if (error !== undefined) this.error(node, error);
      return this.invalidAccessAt(node, accessors);
    }
    accessors[2].value = value;
    return this.evaluateValueAccess(node, value, accessors.slice(3));
  }

  private async evaluateReferencedEnvironment(name: string): Promise<{ value?: Val; error?: string }> {
    const imported = this.shared.imports.get(name);
    if (imported !== undefined) {
      if (imported.evaluating) return { error: `cyclic import of ${name}` };
      if (imported.value !== undefined) return { value: imported.value };
    }
    const loaded = await this.loadEnvironment(name);
    if (loaded.error !== undefined) return { error: loaded.error };
    if (loaded.decl === undefined) return {};
    const child = new EvalContext(this.shared, name, loaded.decl, loaded.decrypter, false, this.rootEnvironment ?? (isAnonymous(this.name) ? undefined : this.name));
    return { value: await child.evaluate() };
  }

  // ---- builtins ----------------------------------------------------------------------------

  private async evaluateSecret(x: EvalExpr, repr: { node: Expr; plaintext?: EvalExpr; ciphertext?: string }): Promise<Val> {
    if (repr.plaintext !== undefined) return this.evaluateExpr(repr.plaintext);
    const v = new Val(x, x.schema);
    v.secret = true;
    let ciphertext: Uint8Array;
    try {
      ciphertext = decodeCiphertext(repr.ciphertext ?? '');
    } catch (err) {
      this.error(repr.node, `invalid ciphertext: ${(err as Error).message}`);
      v.unknown = true;
      return v;
    }
    if (!this.decryptSecrets()) {
      v.unknown = true;
      return v;
    }
    try {
      if (this.decrypter === undefined) throw new Error('no decrypter for this environment');
      const plaintext = await this.decrypter.decrypt(ciphertext);
      v.repr = new TextDecoder().decode(plaintext);
    } catch (err) {
      this.error(repr.node, `decrypting: ${(err as Error).message}`);
      v.unknown = true;
    }
    return v;
  }

  private providerOutputSchema(x: EvalExpr, schema: Schema, what: string): Schema | undefined {
    const err = tryCompileSchema(schema);
    if (err !== undefined) {
      this.error(x.node, `internal error: invalid ${what}(${err})`);
      return undefined;
    }
    return schema;
  }

  private async evaluateOpen(x: EvalExpr, repr: { node: Expr; provider?: string; inputs: EvalExpr; inputSchema: Schema }): Promise<Val> {
    const v = new Val(x, true);
    if (repr.provider === undefined) {
      v.unknown = true;
      return v;
    }
    const provider = this.settings.providers.loadProvider(repr.provider);
    if (provider === undefined) {
      this.error(repr.node, `unknown provider ${goQuote(repr.provider)}`);
    } else {
      const { inputs, outputs } = provider.schema();
      const input = this.providerOutputSchema(x, inputs, 'input schema ');
      if (input !== undefined) repr.inputSchema = input;
      const output = this.providerOutputSchema(x, outputs, 'schema ');
      if (output !== undefined) x.schema = output;
    }
    v.schema = x.schema;
    const { value: inputs, ok } = await this.evaluateTyped(repr.inputs, repr.inputSchema);
    if (!ok || inputs.containsUnknowns() || this.validating || provider === undefined) {
      v.unknown = true;
      return v;
    }
    try {
      const output = await provider.open(asInputs(inputs.export()), this.executionContext(), this.settings.signal);
      return unexport(output, x);
    } catch (err) {
      this.error(inputNodeAt(repr.inputs, (err as Partial<InputLocatedError> | undefined)?.inputPath) ?? repr.node, errorMessage(err));
      v.unknown = true;
      return v;
    }
  }

  private executionContext(): ExecutionContext {
    const exported = this.myContext.export().value;
    return exported !== null && typeof exported === 'object' && !Array.isArray(exported) ? exported : {};
  }

  private async evaluateRotate(x: EvalExpr, repr: { node: Expr; provider?: string; inputs: EvalExpr; state: EvalExpr; inputSchema: Schema; stateSchema: Schema }): Promise<Val> {
    const v = new Val(x, true);
    if (repr.provider === undefined) {
      v.unknown = true;
      return v;
    }
    const rotator = this.settings.providers.loadRotator(repr.provider);
    if (rotator === undefined) {
      this.error(repr.node, `unknown rotator ${goQuote(repr.provider)}`);
    } else {
      const schemas = rotator.schema();
      const input = this.providerOutputSchema(x, schemas.inputs, 'input schema ');
      if (input !== undefined) repr.inputSchema = input;
      const state = this.providerOutputSchema(x, { oneOf: [schemas.state, nullSchema()] }, 'state schema ');
      if (state !== undefined) repr.stateSchema = state;
      const output = this.providerOutputSchema(x, schemas.outputs, 'schema ');
      if (output !== undefined) x.schema = output;
      const rotateOnly = typeof schemas.inputs === 'object' ? schemas.inputs.rotateOnly ?? [] : [];
      if (repr.inputs.repr.kind === 'object') {
        for (const name of rotateOnly) {
          const prop = repr.inputs.repr.properties.get(name);
          if (prop !== undefined) prop.rotateOnly = true;
        }
      }
    }
    v.schema = x.schema;
    const inputs = await this.evaluateTyped(repr.inputs, repr.inputSchema);
    const state = await this.evaluateTyped(repr.state, repr.stateSchema);
    if (!inputs.ok || inputs.value.containsObservableUnknowns(this.rotating) || !state.ok || state.value.containsUnknowns() ||
      this.validating || rotator === undefined) {
      v.unknown = true;
      return v;
    }
    const docPath = repr.node.syntax?.path ?? '';
    const name = repr.node.kind === 'rotate' ? repr.node.name.value : 'fn::rotate';
    let stateValue = state.value;
    if (this.shouldRotate(docPath)) {
      let newState: Value;
      try {
        newState = await rotator.rotate(asInputs(inputs.value.export()), asObjectOrUndefined(stateValue.export()), this.executionContext(), this.settings.signal);
      } catch (err) {
        this.error(repr.node, `rotate: ${errorMessage(err)}`);
        v.unknown = true;
        return v;
      }
      this.shared.patches.push({ docPath: `${joinKey(docPath, name)}.state`, replacement: newState });
      stateValue = unexport(newState, x);
    }
    try {
      const output = await rotator.open(asInputs(inputs.value.export()), asObjectOrUndefined(stateValue.export()), this.executionContext(), this.settings.signal);
      return unexport(output, x);
    } catch (err) {
      this.error(repr.node, errorMessage(err));
      v.unknown = true;
      return v;
    }
  }

  private shouldRotate(docPath: string): boolean {
    if (!this.rotating) return false;
    const paths = this.settings.rotateDocPaths;
    if (paths === undefined || paths.size === 0) return true;
    return paths.has(docPath);
  }

  private async evaluateJoin(x: EvalExpr, delimiterX: EvalExpr, valuesX: EvalExpr): Promise<Val> {
    const v = new Val(x, x.schema);
    const delim = await this.evaluateTyped(delimiterX, stringSchema());
    const values = await this.evaluateTyped(valuesX, array(stringSchema()));
    if (!delim.ok || !values.ok) {
      v.unknown = true;
      return v;
    }
    v.combine(delim.value, values.value);
    if (!v.unknown) {
      const items = values.value.repr as Val[];
      v.repr = items.map((i) => i.repr as string).join(delim.value.repr as string);
    }
    return v;
  }

  private async evaluateSplit(x: EvalExpr, delimiterX: EvalExpr, stringX: EvalExpr): Promise<Val> {
    const v = new Val(x, x.schema);
    const delim = await this.evaluateTyped(delimiterX, stringSchema());
    const str = await this.evaluateTyped(stringX, stringSchema());
    if (!delim.ok || !str.ok) {
      v.unknown = true;
      return v;
    }
    v.combine(delim.value, str.value);
    if (!v.unknown) {
      const d = delim.value.repr as string;
      const s = str.value.repr as string;
      const parts = d === '' ? [...s] : s.split(d);
      const items = parts.map((p) => {
        const e = new Val(x, literalSchema(p));
        e.repr = p;
        e.secret = v.secret;
        return e;
      });
      v.repr = items;
      v.schema = tupleOf(items.map((i) => i.schema));
    }
    return v;
  }

  private async evaluateConcat(x: EvalExpr, arraysX: EvalExpr): Promise<Val> {
    const v = new Val(x, x.schema);
    const arrays = await this.evaluateTyped(arraysX, array(array()));
    if (!arrays.ok) {
      v.unknown = true;
      return v;
    }
    v.combine(arrays.value);
    if (!v.unknown) {
      const items: Val[] = [];
      for (const a of arrays.value.repr as Val[]) {
        for (const e of a.repr as Val[]) items.push(new Copier().copy(e));
      }
      v.repr = items;
      v.schema = tupleOf(items.map((i) => i.schema));
    }
    return v;
  }

  /**
   * The result of a builtin `x` taking one string argument: unknown when the argument is mistyped
   * or unknown, otherwise carrying the argument's flags; `str` is the argument when known.
   */
  private async withStringArgument(x: EvalExpr, arg: EvalExpr): Promise<{ v: Val; str?: string }> {
    const v = new Val(x, x.schema);
    const argument = await this.evaluateTyped(arg, stringSchema());
    if (!argument.ok) {
      v.unknown = true;
      return { v };
    }
    v.combine(argument.value);
    return v.unknown ? { v } : { v, str: argument.value.repr as string };
  }

  private async evaluateFromBase64(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const { v, str } = await this.withStringArgument(x, arg);
    if (str !== undefined) {
      try {
        v.repr = new TextDecoder().decode(decodeBase64(str));
      } catch (err) {
        this.error(x.node, `decoding base64 string: ${v.secret ? SECRET_DECODE_DETAIL : (err as Error).message}`);
        v.unknown = true;
      }
    }
    return v;
  }

  private async evaluateFromJSON(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const { v, str } = await this.withStringArgument(x, arg);
    if (str === undefined) return v;
    let parsed: Json;
    try {
      parsed = decodeFirstJsonValue(str);
    } catch (err) {
      this.error(x.node, `decoding JSON string: ${v.secret ? SECRET_DECODE_DETAIL : (err as Error).message}`);
      v.unknown = true;
      return v;
    }
    return unexport(toValue(parsed, v.secret), x);
  }

  private async evaluateToBase64(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const { v, str } = await this.withStringArgument(x, arg);
    if (str !== undefined) v.repr = Buffer.from(str, 'utf8').toString('base64');
    return v;
  }

  private async evaluateToJSON(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const v = new Val(x, x.schema);
    const value = await this.evaluateExpr(arg);
    v.combine(value);
    if (!v.unknown) v.repr = goJson(plainJson(value.export()));
    return v;
  }

  private async evaluateToString(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const v = new Val(x, x.schema);
    const value = await this.evaluateExpr(arg);
    const s = value.toStringValue();
    v.unknown = s.unknown;
    v.secret = s.secret;
    if (!s.unknown) v.repr = s.text;
    return v;
  }

  private async evaluateFinal(x: EvalExpr, arg: EvalExpr): Promise<Val> {
    const inner = await this.evaluateExpr(arg);
    const v = new Copier().copy(inner);
    v.def = x;
    v.final = true;
    return v;
  }

  private async evaluateValidate(x: EvalExpr, schemaX: EvalExpr, valueX: EvalExpr): Promise<Val> {
    const schemaValue = await this.evaluateExpr(schemaX);
    const value = await this.evaluateExpr(valueX);
    const out = new Copier().copy(value);
    out.def = x;
    if (schemaValue.containsUnknowns()) return out;
    const schema = plainJson(schemaValue.export()) as Schema;
    if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
      this.error(schemaX.node ?? x.node, 'schema must be an object or a boolean');
      return out;
    }
    const err = tryCompileSchema(schema);
    if (err !== undefined) {
      this.error(schemaX.node ?? x.node, `invalid schema: ${err}`);
      return out;
    }
    // An invalid value is reported and not passed on: consumers must not rely on it.
    if (!this.validate(valueX, value, schema)) out.unknown = true;
    out.schema = schema === true ? value.schema : (schema as ObjectSchema);
    return out;
  }

  get diagnostics(): Diagnostic[] {
    return this.shared.diags;
  }
}

/** Thrown when the caller's AbortSignal fires; the entry points turn it into a result. */
/**
 * The detail of a decoding error on a secret argument: the decoder's own message quotes the
 * offending character ("invalid character 'h' …"), which would put secret text in a diagnostic.
 */
const SECRET_DECODE_DETAIL = 'the secret value is not valid (details withheld: they would reveal part of it)';

export class EvaluationCancelled extends Error {
  constructor() {
    super('evaluation cancelled');
    this.name = 'EvaluationCancelled';
  }
}

function isAnonymous(name: string): boolean {
  return name.startsWith('<');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function asInputs(v: Value): { [key: string]: Value } {
  const d = v.value;
  return d !== null && typeof d === 'object' && !Array.isArray(d) ? d : {};
}

function asObjectOrUndefined(v: Value): Value | undefined {
  const d = v.value;
  return d !== null && typeof d === 'object' && !Array.isArray(d) && !v.unknown ? v : undefined;
}

/** Plain JSON of a value (secrets revealed, unknowns as "[unknown]"), as ESC's ToJSON(false). */
export function plainJson(v: Value): Json {
  if (v.unknown) return '[unknown]';
  const d = v.value;
  if (Array.isArray(d)) return d.map(plainJson);
  if (d !== null && typeof d === 'object') {
    const o: { [key: string]: Json } = {};
    for (const k of Object.keys(d)) setOwn(o, k, plainJson(d[k] as Value));
    return o;
  }
  return d;
}

/** A JSON document as a Value tree (no trace), optionally secret at every level. */
export function toValue(j: Json, secret = false): Value {
  let value: Value['value'];
  if (Array.isArray(j)) value = j.map((e) => toValue(e, secret));
  else if (j !== null && typeof j === 'object') {
    const o: { [key: string]: Value } = {};
    for (const k of Object.keys(j)) setOwn(o, k, toValue(j[k] as Json, secret));
    value = o;
  } else value = j;
  const out: Value = { value, trace: {} };
  if (secret) out.secret = true;
  return out;
}

export interface EvaluationResult {
  value?: Val;
  context?: EvalContext;
  diagnostics: Diagnostic[];
  patches: RotationPatch[];
  imports: ImportInfo[];
}

/** Evaluates a parsed root environment. */
export async function evaluateDecl(
  name: string,
  decl: EnvironmentDecl | undefined,
  decrypter: Decrypter | undefined,
  settings: EvalSettings,
): Promise<EvaluationResult> {
  const shared = new Shared(settings);
  if (decl === undefined || (decl.values.length === 0 && decl.imports.length === 0)) {
    return { diagnostics: [], patches: [], imports: [] };
  }
  const ctx = new EvalContext(shared, name, decl, decrypter, true, undefined);
  const value = await ctx.evaluate();
  return { value, context: ctx, diagnostics: shared.diags, patches: shared.patches, imports: shared.importInfos };
}

/** The source node of the input at `path` under a provider's inputs (see InputLocatedError), if written there. */
function inputNodeAt(inputs: EvalExpr, path: readonly string[] | undefined): Expr | undefined {
  if (!Array.isArray(path) || path.length === 0) return undefined;
  let cur: EvalExpr | undefined = inputs;
  for (const key of path) cur = cur?.repr.kind === 'object' ? cur.repr.properties.get(key) : undefined;
  return cur?.node;
}
