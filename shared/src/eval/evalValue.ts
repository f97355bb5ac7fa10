/**
 * The evaluator's internal values and expressions (ESC's `value` and `expr`): a value knows the
 * expression that defined it, the imported value it is merged over (JSON merge patch), its schema,
 * and whether it is unknown, secret, rotate-only or final. Objects must be read through
 * {@link Val.keys} and {@link Val.property}, which account for the merge.
 */
import { setOwn } from '../schema/ops';
import type { Expr, StringExpr } from '../ast/expr';
import type { PropertyAccessor } from '../ast/property';
import type { Schema } from '../schema/schema';
import { compareStrings, goQuote, literalSchema, mergedSchema, propertySchema, record, tupleOf } from '../schema';
import type { Range } from '../syntax/range';
import type { Value, ValueData } from '../value/value';

export type Repr = null | boolean | number | string | Val[] | Map<string, Val>;

/** One accessor of a property access, with the value it resolved to (for hover/definition). */
export interface AccessorState {
  accessor: PropertyAccessor;
  value?: Val;
}

export interface InterpolationPart {
  text: string;
  accessors?: AccessorState[];
}

export type ExprRepr =
  | { kind: 'missing' }
  | { kind: 'literal'; node: Expr }
  | { kind: 'interpolate'; node: Expr; parts: InterpolationPart[] }
  | { kind: 'symbol'; node: Expr; accessors: AccessorState[] }
  | { kind: 'unary'; node: Expr; builtin: 'fromBase64' | 'fromJSON' | 'toBase64' | 'toJSON' | 'toString' | 'final' | 'concat'; arg: EvalExpr }
  | { kind: 'join'; node: Expr; delimiter: EvalExpr; values: EvalExpr }
  | { kind: 'split'; node: Expr; delimiter: EvalExpr; string: EvalExpr }
  | { kind: 'open'; node: Expr; provider?: string; inputs: EvalExpr; inputSchema: Schema }
  | { kind: 'rotate'; node: Expr; provider?: string; inputs: EvalExpr; state: EvalExpr; inputSchema: Schema; stateSchema: Schema }
  | { kind: 'secret'; node: Expr; plaintext?: EvalExpr; ciphertext?: string }
  | { kind: 'validate'; node: Expr; schema: EvalExpr; value: EvalExpr }
  | { kind: 'array'; node: Expr; elements: EvalExpr[] }
  | { kind: 'object'; node?: Expr; properties: Map<string, EvalExpr>; keys: Map<string, StringExpr> }
  /** An override of an imported `fn::final` value: evaluates to the final value, unchanged. */
  | { kind: 'finalOverride'; node: Expr; final: Val }
  /** A late-bound access into an unknown value (ESC's accessExpr). */
  | { kind: 'access'; node?: Expr; receiver: Val; key: string };

export type ExprState = 'new' | 'evaluating' | 'done';

/** An expression being evaluated: its document path, representation, schema, base and result. */
export class EvalExpr {
  state: ExprState = 'new';
  value?: Val;
  /** Set on `fn::secret` plaintext: the value is secret. */
  secret = false;
  /** Set on rotate-only rotator inputs: not evaluated outside rotation. */
  rotateOnly = false;

  constructor(
    readonly path: string,
    readonly repr: ExprRepr,
    public schema: Schema,
    readonly base: Val | undefined,
  ) {}

  /** The AST expression (for ranges and paths); undefined for synthesized expressions. */
  get node(): Expr | undefined {
    return 'node' in this.repr ? this.repr.node : undefined;
  }

  /** Where this expression is in the source, if anywhere. */
  get range(): Range | undefined {
    return this.node?.syntax?.range;
  }
}

const NO_RANGE: Range = { environment: '', begin: { line: 0, column: 0, byte: 0 }, end: { line: 0, column: 0, byte: 0 } };

export class Val {
  base?: Val;
  unknown = false;
  secret = false;
  rotateOnly = false;
  /** Defined by `fn::final`: importing environments cannot override it. */
  final = false;
  repr: Repr = null;
  private mergedKeys?: string[];
  private exported?: Value;
  private exporting = false;

  constructor(public def: EvalExpr, public schema: Schema) {}

  containsUnknowns(): boolean {
    if (this.unknown) return true;
    if (Array.isArray(this.repr)) return this.repr.some((v) => v.containsUnknowns());
    if (this.repr instanceof Map) return this.keys().some((k) => this.property(k)?.containsUnknowns() ?? false);
    return false;
  }

  /** Unknowns that matter: rotate-only unknowns are unobservable unless rotating. */
  containsObservableUnknowns(rotating: boolean): boolean {
    if (this.unknown) return !(this.rotateOnly && !rotating);
    if (Array.isArray(this.repr)) return this.repr.some((v) => v.containsObservableUnknowns(rotating));
    if (this.repr instanceof Map) return this.keys().some((k) => this.property(k)?.containsObservableUnknowns(rotating) ?? false);
    return false;
  }

  containsSecrets(): boolean {
    if (this.secret) return true;
    if (Array.isArray(this.repr)) return this.repr.some((v) => v.containsSecrets());
    if (this.repr instanceof Map) return this.keys().some((k) => this.property(k)?.containsSecrets() ?? false);
    return false;
  }

  /** True if this value is or may be an object. */
  isObject(): boolean {
    if (this.unknown) return this.schema === true || (typeof this.schema === 'object' && (this.schema.type === 'object' || Object.keys(this.schema).length === 0));
    return this.repr instanceof Map;
  }

  private is(other: Val): boolean {
    if (this === other) return true;
    if (this.unknown && other.unknown && this.def.repr.kind === 'access' && other.def.repr.kind === 'access') {
      return this.def.repr.receiver.is(other.def.repr.receiver) && this.def.repr.key === other.def.repr.key;
    }
    return false;
  }

  /** Ors the unknown-ness and secret-ness of aggregated inputs into this value. */
  combine(...others: Val[]): void {
    for (const o of others) {
      this.unknown = this.containsUnknowns() || o.containsUnknowns();
      this.secret = this.containsSecrets() || o.containsSecrets();
    }
  }

  /** The object's keys, merged with its base's, sorted (Go byte order). */
  keys(): string[] {
    if (this.mergedKeys === undefined) {
      if (!(this.repr instanceof Map)) return [];
      const set = new Set<string>(this.base?.keys() ?? []);
      for (const k of this.repr.keys()) set.add(k);
      this.mergedKeys = [...set].sort(compareStrings);
    }
    return this.mergedKeys;
  }

  /** A property per JSON merge patch; unknown receivers give late-bound unknown accesses. */
  property(key: string, node?: Expr): Val | undefined {
    if (this.repr instanceof Map) {
      return this.repr.get(key) ?? this.base?.property(key, node);
    }
    if (this.unknown) {
      const schema = this.schema === true || (typeof this.schema === 'object' && Object.keys(this.schema).length === 0) ? true : propertySchema(this.schema, key);
      const base = this.base?.property(key, node);
      const def = new EvalExpr('', { kind: 'access', node, receiver: this, key }, schema, base);
      def.state = 'done';
      const v = new Val(def, schema);
      v.base = base;
      v.unknown = true;
      return v;
    }
    return undefined;
  }

  /** Merges this value over a base (mutates; callers copy first). */
  merge(base: Val | undefined): void {
    if (base === undefined || this.is(base)) return;
    if (this.base !== undefined) this.base.merge(base);
    else this.base = base;
    if (this.repr instanceof Map) {
      for (const [k, p] of this.repr) {
        p.merge(this.base.property(k, p.def.node));
      }
    }
    this.mergedKeys = undefined;
    this.exported = undefined;
    this.schema = mergedSchema(this.base.schema, this.schema);
  }

  /** ESC's string form of a value (interpolation, fn::toString), with unknown/secret flags. */
  toStringValue(): { text: string; unknown: boolean; secret: boolean } {
    if (this.unknown) return { text: '[unknown]', unknown: true, secret: this.secret };
    let unknown = false;
    let secret = this.secret;
    const r = this.repr;
    let text = '';
    if (typeof r === 'boolean') text = r ? 'true' : 'false';
    else if (typeof r === 'number') text = formatNumber(r);
    else if (typeof r === 'string') text = r;
    else if (Array.isArray(r)) {
      text = r.map((v) => {
        const s = v.toStringValue();
        unknown ||= s.unknown;
        secret ||= s.secret;
        return goQuote(s.text);
      }).join(',');
    } else if (r instanceof Map) {
      text = [...r.keys()].sort(compareStrings).map((k) => {
        const s = (r.get(k) as Val).toStringValue();
        unknown ||= s.unknown;
        secret ||= s.secret;
        return `${goQuote(k)}=${goQuote(s.text)}`;
      }).join(',');
    }
    return { text, unknown, secret };
  }

  /** The serializable form (value/value.ts's Value), memoized. */
  export(): Value {
    if (this.exported !== undefined) return this.exported;
    if (this.exporting) return { value: null, unknown: true, trace: {} };
    this.exporting = true;
    let data: ValueData;
    const r = this.repr;
    if (Array.isArray(r)) data = r.map((v) => v.export());
    else if (r instanceof Map) {
      const o: { [key: string]: Value } = {};
      for (const k of this.keys()) {
        const p = this.property(k);
        if (p !== undefined) setOwn(o, k, p.export());
      }
      data = o;
    } else data = r;
    const out: Value = { value: data, trace: {} };
    if (this.secret) out.secret = true;
    if (this.unknown) out.unknown = true;
    const def = this.def.range;
    if (def !== undefined && def !== NO_RANGE) out.trace.def = def;
    if (this.base !== undefined) out.trace.base = this.base.export();
    this.exporting = false;
    this.exported = out;
    return out;
  }

  /** Forgets the memoized export (after mutation). */
  invalidate(): void {
    this.exported = undefined;
    this.mergedKeys = undefined;
  }
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** Deep copy preserving sharing (ESC's copier). */
export class Copier {
  private readonly memo = new Map<Val, Val>();

  copy(v: Val): Val;
  copy(v: Val | undefined): Val | undefined;
  copy(v: Val | undefined): Val | undefined {
    if (v === undefined) return undefined;
    const memo = this.memo.get(v);
    if (memo !== undefined) return memo;
    const c = new Val(v.def, v.schema);
    this.memo.set(v, c);
    const r = v.repr;
    if (Array.isArray(r)) c.repr = r.map((x) => this.copy(x));
    else if (r instanceof Map) {
      const m = new Map<string, Val>();
      for (const [k, x] of r) m.set(k, this.copy(x));
      c.repr = m;
    } else c.repr = r;
    c.base = this.copy(v.base);
    c.unknown = v.unknown;
    c.secret = v.secret;
    c.rotateOnly = v.rotateOnly;
    c.final = v.final;
    return c;
  }
}

/** Builds a value from a provider's output (ESC's unexport). */
export function unexport(v: Value, x: EvalExpr): Val {
  const out = new Val(x, true);
  out.secret = (v.secret ?? false) || x.secret;
  out.unknown = v.unknown ?? false;
  const d = v.value;
  if (Array.isArray(d)) {
    const items = d.map((e) => unexport(e, x));
    out.repr = items;
    out.schema = tupleOf(items.map((i) => i.schema));
  } else if (d !== null && typeof d === 'object') {
    const m = new Map<string, Val>();
    const props: Record<string, Schema> = {};
    for (const k of Object.keys(d)) {
      const e = unexport(d[k] as Value, x);
      m.set(k, e);
      setOwn(props, k, e.schema);
    }
    out.repr = m;
    out.schema = record(props);
  } else {
    out.repr = d === undefined ? null : d;
    out.schema = out.unknown ? true : literalSchema(out.repr as null | boolean | number | string);
  }
  return out;
}
