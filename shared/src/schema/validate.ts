/**
 * Validation with ESC's exact messages and emission order (a port of the semantics of ESC's
 * `eval/eval_validate.go`, not of its code).
 *
 * - {@link validateValue}: a value against a schema (providers/rotators being opened: inputs,
 *   state). Known parts are checked against the schema; an unknown part is checked statically,
 *   through its schema, when the caller can tell it (`unknownSchema`), and passes otherwise.
 * - {@link validateSchema}: a schema against a schema (check mode: the evaluator knows the
 *   schema of an expression, not its value) — "could a value of `actual` be rejected by
 *   `accept`?", as ESC's `validateSchemaType`.
 *
 * Where ESC blames a problem: each nested value is blamed at its own definition (its trace),
 * so an issue carries the path from the validated value to the blamed value (`path.slice(0,
 * blame)`) and below it the part that ESC writes in front of the message (`path.slice(blame)`,
 * e.g. `bar: missing required property`); {@link issueSummary} renders that text.
 *
 * One deliberate difference from ESC: a property that an object schema's
 * `additionalProperties: false` rejects. ESC's validator fails silently there (its `Never`
 * schema returns false without a diagnostic, in both value and schema validation), so a
 * misspelt provider input (`lenght`) makes the call quietly do nothing. Here it is an error,
 * `unknown property "lenght"`, blamed at the object that holds the key and carrying
 * {@link SchemaIssue.unknownProperty} so the caller can point at the key and suggest a name.
 * Other `false` schemas (a tuple's extra items) stay silent as in ESC.
 */
import type { Json, ObjectSchema, Schema } from './schema';
import type { Severity } from '../syntax/diagnostic';
import type { Value } from '../value/value';
import type { PathSegment } from '../syntax/propertyPath';
import { formatPath } from '../syntax/propertyPath';
import { compiledPattern, resolveRef, tryCompileSchema } from './compile';
import { formatNumber, goJson, goQuote, sortedKeys } from './goFormat';

export interface SchemaIssue {
  severity: Severity;
  /** ESC's message, without the path prefix (see {@link issueSummary}). */
  message: string;
  /** From the validated value (or schema) to where the problem is. */
  path: PathSegment[];
  /**
   * How many leading segments of `path` lead to the value ESC blames (it reports at that
   * value's definition). The remaining segments are ESC's message prefix, unless the blamed
   * definition is an object/array literal the locator can walk into.
   */
  blame: number;
  /** The blamed value (value validation only; absent in schema-against-schema validation). */
  value?: Value;
  /**
   * Set on an issue about a property the schema does not allow (`additionalProperties: false`):
   * the property's name and the names the schema declares (sorted), for a "did you mean". `path`
   * leads to the object holding the property, not to the property itself.
   */
  unknownProperty?: UnknownProperty;
}

export interface UnknownProperty {
  name: string;
  known: string[];
}

/** The message for a property that `additionalProperties: false` rejects. */
export function unknownPropertyMessage(name: string): string {
  return `unknown property ${goQuote(name)}`;
}

export interface ValidateOptions {
  /**
   * The schema of an unknown value (check mode: the provider output or access schema the
   * evaluator computed). Unknown values for which this gives nothing pass validation.
   */
  unknownSchema?: (v: Value) => Schema | undefined;
  /**
   * Report "expected secret" when a schema says `secret: true` and the value is not secret.
   * Off by default: the corpus version of ESC treats `secret` as a marker for outputs.
   */
  requireSecrets?: boolean;
}

/** The summary ESC shows: `"<relative path>: <message>"` when the problem is below the blamed value. */
export function issueSummary(issue: SchemaIssue): string {
  const rest = issue.path.slice(issue.blame);
  return rest.length === 0 ? issue.message : `${formatPath(rest)}: ${issue.message}`;
}

interface Loc {
  path: PathSegment[];
  blame: number;
  value?: Value;
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function isAny(s: Schema | undefined): boolean {
  return s === undefined || s === true;
}

type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

function kindOf(v: Value): Kind {
  const d = v.value;
  if (d === null) return 'null';
  if (typeof d === 'boolean') return 'boolean';
  if (typeof d === 'number') return 'number';
  if (typeof d === 'string') return 'string';
  return Array.isArray(d) ? 'array' : 'object';
}

function utf8Length(s: string): number {
  // ESC compares Go string lengths, which are UTF-8 byte counts.
  return Buffer.byteLength(s, 'utf8');
}

function isMultiple(n: number, m: number): boolean {
  if (m === 0) return false;
  const q = n / m;
  if (!Number.isFinite(q)) return false;
  if (Number.isInteger(q)) return true;
  // Tolerate binary floating-point noise (0.3 / 0.1), as ESC's arbitrary-precision division would.
  return Math.abs(q - Math.round(q)) <= Number.EPSILON * Math.max(1, Math.abs(q)) * 4;
}

class Validator {
  readonly issues: SchemaIssue[] = [];

  /**
   * Schema pairs being compared right now: a recursive schema (a tree through `$ref`) compared
   * with itself would otherwise recurse forever; a pair met again is assumed to fit.
   */
  constructor(
    private readonly options: ValidateOptions,
    private readonly active = new Map<ObjectSchema, Set<ObjectSchema>>(),
  ) {}

  private sub(): Validator {
    return new Validator(this.options, this.active);
  }

  private report(loc: Loc, severity: Severity, message: string, unknownProperty?: UnknownProperty): false {
    const issue: SchemaIssue = { severity, message, path: loc.path, blame: loc.blame };
    if (loc.value !== undefined) issue.value = loc.value;
    if (unknownProperty !== undefined) issue.unknownProperty = unknownProperty;
    this.issues.push(issue);
    return false;
  }

  private error(loc: Loc, message: string): false {
    return this.report(loc, 1, message);
  }

  /** `name` is not allowed by `accept` (its `additionalProperties` is `false`); blamed at the object. */
  private unknownProperty(loc: Loc, name: string, accept: ObjectSchema): false {
    return this.report(loc, 1, unknownPropertyMessage(name), { name, known: sortedKeys(accept.properties ?? {}) });
  }

  private typeError(loc: Loc, expected: string, got: string): false {
    return this.error(loc, `expected ${expected}, got ${got}`);
  }

  private checkType(actual: string, accept: ObjectSchema, loc: Loc): boolean {
    if (accept.type !== undefined && (accept.type as string) !== '' && actual !== accept.type) return this.typeError(loc, accept.type, actual);
    return true;
  }

  // ---- schema against schema (check mode) -------------------------------------------------

  /** Index/property steps in static validation stay on the same blamed value. */
  private static step(loc: Loc, s: PathSegment): Loc {
    return { path: [...loc.path, s], blame: loc.blame, value: loc.value };
  }

  /** Anything in `alternatives` matching is enough; otherwise every alternative's issues, then ESC's summary. */
  private anyAlternative(alternatives: Schema[], run: (v: Validator, s: Schema) => boolean, loc: Loc, summary: string): boolean {
    if (alternatives.length === 0) return true;
    let matched = false;
    const all: SchemaIssue[] = [];
    for (const alt of alternatives) {
      const v = this.sub();
      if (run(v, alt)) matched = true;
      all.push(...v.issues);
    }
    if (!matched) {
      this.issues.push(...all);
      return this.error(loc, summary);
    }
    return true;
  }

  schemaType(x: Schema | undefined, accept: Schema | undefined, loc: Loc): boolean {
    if (isAny(accept)) return true;
    if (accept === false) return false;
    if (isAny(x)) return true;
    if (x === false) return false;
    const a = accept as ObjectSchema;
    const s = x as ObjectSchema;

    let partners = this.active.get(s);
    if (partners?.has(a)) return true;
    if (partners === undefined) this.active.set(s, (partners = new Set()));
    partners.add(a);
    try {
      return this.schemaTypeOnce(s, a, loc);
    } finally {
      partners.delete(a);
    }
  }

  private schemaTypeOnce(s: ObjectSchema, a: ObjectSchema, loc: Loc): boolean {
    const acceptRef = resolveRef(a);
    const xRef = resolveRef(s);
    const refOK = acceptRef === undefined || this.schemaType(s, acceptRef, loc);
    const xRefOK = xRef === undefined || this.schemaType(xRef, a, loc);
    const xAnyOfOK = this.anyAlternative(s.anyOf ?? [], (v, alt) => v.schemaType(alt, a, loc), loc, 'at least one subschema must match');
    const xOneOfOK = this.anyAlternative(s.oneOf ?? [], (v, alt) => v.schemaType(alt, a, loc), loc, 'at least one subschema must match');
    const typeOK = s.type === undefined || (s.type as string) === '' || this.checkType(s.type, a, loc);
    // ESC treats oneOf like anyOf here: a schema may stand for values matching either branch.
    const anyOfOK = this.anyAlternative(a.anyOf ?? [], (v, alt) => v.schemaType(s, alt, loc), loc, 'at least one subschema must match');
    const oneOfOK = this.anyAlternative(a.oneOf ?? [], (v, alt) => v.schemaType(s, alt, loc), loc, 'at least one subschema must match');

    let complexOK = true;
    if (s.type === 'array') complexOK = this.schemaArray(s, a, loc);
    else if (s.type === 'object') complexOK = this.schemaObject(s, a, loc);

    return refOK && xRefOK && xAnyOfOK && xOneOfOK && typeOK && anyOfOK && oneOfOK && complexOK;
  }

  private schemaArray(x: ObjectSchema, accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    const xp = x.prefixItems ?? [];
    const ap = accept.prefixItems ?? [];
    const common = Math.min(xp.length, ap.length);
    for (let i = 0; i < common; i++) {
      if (!this.schemaType(xp[i], ap[i], Validator.step(loc, i))) ok = false;
    }
    if (xp.length > common) {
      for (let i = common; i < xp.length; i++) {
        if (!this.schemaType(xp[i], accept.items, Validator.step(loc, i))) ok = false;
      }
    } else if (ap.length > common) {
      for (let i = common; i < ap.length; i++) {
        if (!this.schemaType(x.items, ap[i], Validator.step(loc, i))) ok = false;
      }
    }
    if (x.items !== undefined && x.items !== false) {
      if (!this.schemaType(x.items, accept.items, loc)) ok = false;
    }
    return ok;
  }

  private schemaObject(x: ObjectSchema, accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    const xProps = x.properties ?? {};
    const aProps = accept.properties ?? {};
    for (const name of sortedKeys(xProps)) {
      if (!hasOwn(aProps, name) && accept.additionalProperties === false) {
        ok = this.unknownProperty(loc, name, accept);
        continue;
      }
      const target = hasOwn(aProps, name) ? aProps[name] : accept.additionalProperties;
      if (!this.schemaType(xProps[name], target, Validator.step(loc, name))) ok = false;
    }
    if (x.additionalProperties === undefined) {
      const xRequired = new Set(x.required ?? []);
      const checkRequired = (names: readonly string[]): boolean => {
        let all = true;
        for (const name of names) {
          if (!xRequired.has(name)) all = this.error(Validator.step(loc, name), 'missing required property');
        }
        return all;
      };
      if (!checkRequired(accept.required ?? [])) ok = false;
      const dependent = accept.dependentRequired ?? {};
      for (const name of sortedKeys(dependent)) {
        if (xRequired.has(name) && !checkRequired(dependent[name] ?? [])) ok = false;
      }
    } else if (x.additionalProperties !== false) {
      if (!this.schemaType(x.additionalProperties, accept.additionalProperties, loc)) ok = false;
    }
    return ok;
  }

  // ---- value against schema -------------------------------------------------------------

  /** Each nested value is blamed at its own definition: the blame point moves with it. */
  private static at(loc: Loc, s: PathSegment, value: Value): Loc {
    const path = [...loc.path, s];
    return { path, blame: path.length, value };
  }

  element(v: Value, accept: Schema | undefined, loc: Loc): boolean {
    if (accept !== undefined && typeof accept === 'object') {
      const err = tryCompileSchema(accept);
      if (err !== undefined) return this.error(loc, `internal error: invalid schema: ${err}`);
    }
    if (isAny(accept)) return true;
    if (accept === false) return false;
    const a = accept as ObjectSchema;

    if (v.unknown) {
      const s = this.options.unknownSchema?.(v);
      const schemaOK = s === undefined || this.schemaType(s, a, loc);
      const taintOK = this.taint(v, a, loc);
      return schemaOK && taintOK;
    }

    const ref = resolveRef(a);
    const refOK = ref === undefined || this.element(v, ref, loc);
    const anyOfOK = this.anyAlternative(a.anyOf ?? [], (sub, alt) => sub.element(v, alt, loc), loc, 'at least one subschema must match');
    const oneOfOK = this.oneOf(v, a, loc);
    const constOK = this.constant(v, a, loc);
    const enumOK = this.enumeration(v, a, loc);
    const typeOK = this.type(v, a, loc);
    const taintOK = this.taint(v, a, loc);
    return refOK && anyOfOK && oneOfOK && constOK && enumOK && typeOK && taintOK;
  }

  private oneOf(v: Value, accept: ObjectSchema, loc: Loc): boolean {
    const alternatives = accept.oneOf ?? [];
    if (alternatives.length === 0) return true;
    let matched = false;
    const all: SchemaIssue[] = [];
    for (const alt of alternatives) {
      const sub = this.sub();
      if (sub.element(v, alt, loc)) {
        if (matched) return this.error(loc, 'exactly one subschema may match');
        matched = true;
      }
      all.push(...sub.issues);
    }
    if (!matched) {
      this.issues.push(...all);
      return this.error(loc, 'exactly one subschema must match');
    }
    return true;
  }

  private constant(v: Value, accept: ObjectSchema, loc: Loc): boolean {
    // As in ESC (Go's omitempty), `const: null` means "no constant".
    if (accept.const === undefined || accept.const === null || equalsConst(v, accept.const)) return true;
    return this.error(loc, `expected ${goJson(accept.const)}`);
  }

  private enumeration(v: Value, accept: ObjectSchema, loc: Loc): boolean {
    const values = accept.enum ?? [];
    if (values.length === 0 || values.some((c) => equalsConst(v, c))) return true;
    if (values.length === 1) return this.error(loc, `expected ${goJson(values[0] as Json)}`);
    return this.error(loc, `expected one of ${goJson(values)}`);
  }

  private type(v: Value, accept: ObjectSchema, loc: Loc): boolean {
    const kind = kindOf(v);
    if (!this.checkType(kind, accept, loc)) return false;
    switch (kind) {
      case 'number':
        return this.number(v.value as number, accept, loc);
      case 'string':
        return this.string(v.value as string, accept, loc);
      case 'array':
        return this.array(v.value as Value[], accept, loc);
      case 'object':
        return this.object(v.value as { [key: string]: Value }, accept, loc);
      default:
        return true;
    }
  }

  private number(n: number, accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    if (accept.multipleOf !== undefined && !isMultiple(n, accept.multipleOf)) {
      ok = this.error(loc, `expected a multiple of ${formatNumber(accept.multipleOf)}`);
    }
    if (accept.minimum !== undefined && n < accept.minimum) {
      ok = this.error(loc, `expected a number greater than or equal to ${formatNumber(accept.minimum)}`);
    }
    if (accept.exclusiveMinimum !== undefined && n <= accept.exclusiveMinimum) {
      ok = this.error(loc, `expected a number greater than ${formatNumber(accept.exclusiveMinimum)}`);
    }
    if (accept.maximum !== undefined && n > accept.maximum) {
      // The missing space is ESC's own text; reproduced so messages match the reference.
      ok = this.error(loc, `expected a number less than or equal to${formatNumber(accept.maximum)}`);
    }
    if (accept.exclusiveMaximum !== undefined && n >= accept.exclusiveMaximum) {
      ok = this.error(loc, `expected a number less than ${formatNumber(accept.exclusiveMaximum)}`);
    }
    return ok;
  }

  private string(s: string, accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    const length = accept.minLength !== undefined || accept.maxLength !== undefined ? utf8Length(s) : 0;
    if (accept.minLength !== undefined && length < accept.minLength) {
      ok = this.error(loc, `expected a string of at least length ${accept.minLength}`);
    }
    if (accept.maxLength !== undefined && length > accept.maxLength) {
      ok = this.error(loc, `expected a string of at most length ${accept.maxLength}`);
    }
    const pattern = compiledPattern(accept);
    if (pattern !== undefined && !pattern.test(s)) {
      ok = this.error(loc, `string must match the pattern ${goQuote(accept.pattern ?? '')}`);
    }
    return ok;
  }

  private array(items: Value[], accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    if (accept.minItems !== undefined && items.length < accept.minItems) {
      ok = this.error(loc, `expected an array with at least ${accept.minItems} items`);
    }
    if (accept.maxItems !== undefined && items.length > accept.maxItems) {
      ok = this.error(loc, `expected an array with at most ${accept.maxItems} items`);
    }
    const prefix = accept.prefixItems ?? [];
    items.forEach((item, i) => {
      const schema = i < prefix.length ? prefix[i] : accept.items;
      if (!this.element(item, schema, Validator.at(loc, i, item))) ok = false;
    });
    return ok;
  }

  private object(props: { [key: string]: Value }, accept: ObjectSchema, loc: Loc): boolean {
    let ok = true;
    const keys = sortedKeys(props);
    if (accept.minProperties !== undefined && keys.length < accept.minProperties) {
      ok = this.error(loc, `expected an object with at least ${accept.minProperties} properties`);
    }
    if (accept.maxProperties !== undefined && keys.length > accept.maxProperties) {
      ok = this.error(loc, `expected an object with at most ${accept.maxProperties} properties`);
    }
    const schemas = accept.properties ?? {};
    for (const k of keys) {
      if (!hasOwn(schemas, k) && accept.additionalProperties === false) {
        ok = this.unknownProperty(loc, k, accept);
        continue;
      }
      const pv = props[k] as Value;
      const schema = hasOwn(schemas, k) ? schemas[k] : accept.additionalProperties;
      if (!this.element(pv, schema, Validator.at(loc, k, pv))) ok = false;
    }
    const missing: string[] = [];
    for (const k of accept.required ?? []) if (!hasOwn(props, k)) missing.push(k);
    const dependent = accept.dependentRequired ?? {};
    for (const k of sortedKeys(dependent)) {
      if (!hasOwn(props, k)) continue;
      for (const rk of dependent[k] ?? []) if (!hasOwn(props, rk)) missing.push(rk);
    }
    if (missing.length > 0) ok = this.error(loc, `missing required properties: ${missing.join(', ')}`);
    return ok;
  }

  private taint(v: Value, accept: ObjectSchema, loc: Loc): boolean {
    if (this.options.requireSecrets && accept.secret === true && !v.secret) return this.error(loc, 'expected secret');
    return true;
  }
}

/** ESC's constant equality: JSON equality, ignoring secrecy; unknown parts never equal. */
export function equalsConst(v: Value, c: Json): boolean {
  if (v.unknown) return false;
  const d = v.value;
  if (c === null) return d === null;
  if (typeof c !== 'object') return d === c;
  if (Array.isArray(c)) {
    if (!Array.isArray(d) || d.length !== c.length) return false;
    return c.every((ci, i) => equalsConst(d[i] as Value, ci));
  }
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return false;
  const keys = Object.keys(c);
  if (Object.keys(d).length !== keys.length) return false;
  return keys.every((k) => hasOwn(d, k) && equalsConst(d[k] as Value, c[k] as Json));
}

/**
 * Validates a value against a schema. Returns ESC's issues in ESC's emission order (the caller
 * sorts diagnostics by position as ESC does); empty when the value is valid.
 */
export function validateValue(schema: Schema, value: Value, options: ValidateOptions = {}): SchemaIssue[] {
  const v = new Validator(options);
  v.element(value, schema, { path: [], blame: 0, value });
  return v.issues;
}

/**
 * Validates a schema against a schema (ESC's check-mode test of an expression's schema against
 * a provider's input schema). Returns ESC's issues in emission order; all have `blame: 0`.
 */
export function validateSchema(actual: Schema, accept: Schema): SchemaIssue[] {
  if (typeof accept === 'object') {
    const err = tryCompileSchema(accept);
    if (err !== undefined) return [{ severity: 1, message: `internal error: invalid schema: ${err}`, path: [], blame: 0 }];
  }
  if (typeof actual === 'object') tryCompileSchema(actual);
  const v = new Validator({});
  v.schemaType(actual, accept, { path: [], blame: 0 });
  return v.issues;
}
