/**
 * ESC expressions: literals, interpolations, symbols (`${a.b}`), arrays, objects and builtin calls
 * (`fn::*`). Every expression keeps its syntax node, hence its exact range and document path.
 */
import type { Diagnostic } from '../syntax/diagnostic';
import type { ArrayNode, ObjectEntry, ObjectNode, StringNode, SyntaxNode } from '../syntax/nodes';
import { parseInterpolate, type Interpolation, type PropertyAccess } from './property';

interface ExprBase {
  /** The syntax node; undefined for expressions the parser synthesizes (e.g. a missing rotate state). */
  syntax?: SyntaxNode;
}

export interface NullExpr extends ExprBase { kind: 'null' }
export interface BooleanExpr extends ExprBase { kind: 'boolean'; value: boolean }
export interface NumberExpr extends ExprBase { kind: 'number'; value: number; text: string }
export interface StringExpr extends ExprBase { kind: 'string'; value: string }
export interface InterpolateExpr extends ExprBase { kind: 'interpolate'; parts: Interpolation[] }
export interface SymbolExpr extends ExprBase { kind: 'symbol'; property: PropertyAccess }
export interface ArrayExpr extends ExprBase { kind: 'array'; elements: Expr[] }
export interface ObjectProperty {
  /** Undefined when the key is not a string literal (reported). */
  key?: StringExpr;
  value: Expr;
}
export interface ObjectExpr extends ExprBase { kind: 'object'; entries: ObjectProperty[] }

interface BuiltinBase extends ExprBase {
  /** The `fn::...` key. */
  name: StringExpr;
  /** The argument expression as written. */
  args?: Expr;
}

export interface OpenExpr extends BuiltinBase { kind: 'open'; provider?: StringExpr; inputs?: Expr }
export interface RotateExpr extends BuiltinBase { kind: 'rotate'; provider?: StringExpr; inputs?: Expr; state?: Expr }
export interface SecretExpr extends BuiltinBase { kind: 'secret'; plaintext?: StringExpr; ciphertext?: StringExpr }
export interface JoinExpr extends BuiltinBase { kind: 'join'; delimiter?: Expr; values?: Expr }
export interface SplitExpr extends BuiltinBase { kind: 'split'; delimiter?: Expr; string?: Expr }
export interface ConcatExpr extends BuiltinBase { kind: 'concat'; arrays?: Expr }
export interface ToJSONExpr extends BuiltinBase { kind: 'toJSON'; value?: Expr }
export interface FromJSONExpr extends BuiltinBase { kind: 'fromJSON'; string?: Expr }
export interface ToStringExpr extends BuiltinBase { kind: 'toString'; value?: Expr }
export interface ToBase64Expr extends BuiltinBase { kind: 'toBase64'; value?: Expr }
export interface FromBase64Expr extends BuiltinBase { kind: 'fromBase64'; string?: Expr }
export interface FinalExpr extends BuiltinBase { kind: 'final'; value?: Expr }
export interface ValidateExpr extends BuiltinBase { kind: 'validate'; schema?: Expr; value?: Expr }

export type BuiltinExpr = OpenExpr | RotateExpr | SecretExpr | JoinExpr | SplitExpr | ConcatExpr | ToJSONExpr |
  FromJSONExpr | ToStringExpr | ToBase64Expr | FromBase64Expr | FinalExpr | ValidateExpr;

export type Expr = NullExpr | BooleanExpr | NumberExpr | StringExpr | InterpolateExpr | SymbolExpr | ArrayExpr |
  ObjectExpr | BuiltinExpr;

export const BUILTIN_KINDS: ReadonlySet<Expr['kind']> = new Set(['open', 'rotate', 'secret', 'join', 'split', 'concat',
  'toJSON', 'fromJSON', 'toString', 'toBase64', 'fromBase64', 'final', 'validate']);

export function isBuiltin(x: Expr): x is BuiltinExpr {
  return BUILTIN_KINDS.has(x.kind);
}

/** An error located at an expression's node (or nowhere, for synthesized expressions). */
export function exprError(x: Expr | undefined, summary: string, fallback?: SyntaxNode): Diagnostic {
  const node = x?.syntax ?? fallback;
  return {
    severity: 1,
    summary,
    path: node?.path ?? '',
    range: node?.range ?? { environment: '', begin: { line: 0, column: 0, byte: 0 }, end: { line: 0, column: 0, byte: 0 } },
  };
}

function nodeError(node: SyntaxNode, summary: string): Diagnostic {
  return { severity: 1, summary, path: node.path, range: node.range };
}

/** Parses a string: plain text, a single `${access}` (a symbol), or an interpolation. */
function parseString(node: StringNode, diags: Diagnostic[]): Expr {
  // Most strings (every key, most values) have no `$`: plain text, as parseTemplate would say.
  if (!node.value.includes('$')) return { kind: 'string', value: node.value, syntax: node };
  const parsed = parseInterpolate(node, node.value);
  const parts = parsed.parts;
  for (const d of parsed.diags) diags.push(d);
  if (parts.length === 0) return { kind: 'string', value: node.value, syntax: node };
  if (parts.length === 1) {
    if (parts[0].value === undefined) return { kind: 'string', value: parts[0].text, syntax: node };
    if (parts[0].text === '') return { kind: 'symbol', property: parts[0].value, syntax: node };
  }
  return { kind: 'interpolate', parts, syntax: node };
}

/**
 * Parses a syntax node into an expression. Errors are reported, and a best-effort expression is returned.
 * Diagnostics go to one list for the whole tree (never copied level by level: that would cost
 * time and memory quadratic in the nesting depth).
 */
export function parseExpr(node: SyntaxNode): { expr: Expr; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  return { expr: parseExprInto(node, diags), diags };
}

function parseExprInto(node: SyntaxNode, diags: Diagnostic[]): Expr {
  switch (node.kind) {
    case 'null': return { kind: 'null', syntax: node };
    case 'boolean': return { kind: 'boolean', value: node.value, syntax: node };
    case 'number': return { kind: 'number', value: node.value, text: node.text, syntax: node };
    case 'string': return parseString(node, diags);
    case 'array': return { kind: 'array', elements: node.elements.map((e) => parseExprInto(e, diags)), syntax: node };
    case 'object': {
      const fn = tryParseFunction(node, diags);
      if (fn) return fn;
      const entries: ObjectProperty[] = node.entries.map((entry) => {
        let key: StringExpr | undefined;
        if (entry.key.kind === 'string') {
          const k = parseString(entry.key, diags);
          if (k.kind === 'string') key = k;
          else diags.push(nodeError(entry.key, 'object keys must be strings'));
        } else {
          diags.push(nodeError(entry.key, 'object keys must be strings'));
        }
        return { key, value: parseExprInto(entry.value, diags) };
      });
      return { kind: 'object', entries, syntax: node };
    }
  }
}

type BuiltinParser = (node: ObjectNode, name: StringExpr, args: Expr, entry: ObjectEntry) => { expr: BuiltinExpr; diags: Diagnostic[] };

const PARSERS: Record<string, BuiltinParser> = {
  'fn::concat': (node, name, args) => {
    // As in the reference, a non-array argument is still evaluated (typed as an array of arrays),
    // which reports "expected array, got …" at it besides this parse error.
    if (args.kind !== 'array') return { expr: { kind: 'concat', syntax: node, name, args, arrays: args }, diags: [exprError(args, 'the argument to fn::concat must be an array of arrays')] };
    return { expr: { kind: 'concat', syntax: node, name, args, arrays: args }, diags: [] };
  },
  'fn::validate': (node, name, args) => {
    if (args.kind !== 'object') {
      return { expr: { kind: 'validate', syntax: node, name, args }, diags: [exprError(args, "the argument to fn::validate must be an object containing 'schema' and 'value'")] };
    }
    const schema = entryValue(args, 'schema');
    const value = entryValue(args, 'value');
    const diags: Diagnostic[] = [];
    if (schema === undefined) diags.push(exprError(args, "missing required property 'schema'"));
    if (value === undefined) diags.push(exprError(args, "missing required property 'value'"));
    return { expr: { kind: 'validate', syntax: node, name, args, schema, value }, diags };
  },
  'fn::fromJSON': (node, name, args) => ({ expr: { kind: 'fromJSON', syntax: node, name, args, string: args }, diags: [] }),
  'fn::fromBase64': (node, name, args) => ({ expr: { kind: 'fromBase64', syntax: node, name, args, string: args }, diags: [] }),
  'fn::toJSON': (node, name, args) => ({ expr: { kind: 'toJSON', syntax: node, name, args, value: args }, diags: [] }),
  'fn::toString': (node, name, args) => ({ expr: { kind: 'toString', syntax: node, name, args, value: args }, diags: [] }),
  'fn::toBase64': (node, name, args) => ({ expr: { kind: 'toBase64', syntax: node, name, args, value: args }, diags: [] }),
  'fn::final': (node, name, args) => ({ expr: { kind: 'final', syntax: node, name, args, value: args }, diags: [] }),
  'fn::join': (node, name, args) => {
    if (args.kind !== 'array' || args.elements.length !== 2) {
      return { expr: { kind: 'join', syntax: node, name, args }, diags: [exprError(args, 'the argument to fn::join must be a two-valued list')] };
    }
    return { expr: { kind: 'join', syntax: node, name, args, delimiter: args.elements[0], values: args.elements[1] }, diags: [] };
  },
  'fn::split': (node, name, args) => {
    if (args.kind !== 'array' || args.elements.length !== 2) {
      return { expr: { kind: 'split', syntax: node, name, args }, diags: [exprError(args, 'the argument to fn::split must be a two-valued list')] };
    }
    return { expr: { kind: 'split', syntax: node, name, args, delimiter: args.elements[0], string: args.elements[1] }, diags: [] };
  },
  'fn::open': (node, name, args) => {
    if (args.kind !== 'object') {
      return { expr: { kind: 'open', syntax: node, name, args }, diags: [exprError(args, "the argument to fn::open must be an object containing 'provider' and 'inputs'")] };
    }
    const diags: Diagnostic[] = [];
    const provider = providerName(args, diags);
    const inputs = providerInputs(args, diags);
    return { expr: { kind: 'open', syntax: node, name, args, provider, inputs }, diags };
  },
  'fn::rotate': (node, name, args) => {
    if (args.kind !== 'object') {
      return { expr: { kind: 'rotate', syntax: node, name, args }, diags: [exprError(args, "the argument to fn::rotate must be an object containing 'provider', 'inputs' and 'state'")] };
    }
    const diags: Diagnostic[] = [];
    const provider = providerName(args, diags);
    const { inputs, state } = rotateArgs(args, diags);
    return { expr: { kind: 'rotate', syntax: node, name, args, provider, inputs, state }, diags };
  },
  'fn::secret': (node, name, args) => {
    if (args.kind === 'object' && args.entries.length === 1 && args.entries[0].key?.value === 'ciphertext') {
      const v = args.entries[0].value;
      if (v.kind === 'string') return { expr: { kind: 'secret', syntax: node, name, args, ciphertext: v }, diags: [] };
    }
    if (args.kind === 'string') return { expr: { kind: 'secret', syntax: node, name, args, plaintext: args }, diags: [] };
    return {
      expr: { kind: 'secret', syntax: node, name, args, plaintext: { kind: 'string', value: '' } },
      diags: [exprError(args, 'secret values must be string literals')],
    };
  },
};

/** The value of the entry of `args` named `key`; with duplicate keys the last wins, as in the reference. */
function entryValue(args: ObjectExpr, key: string): Expr | undefined {
  let value: Expr | undefined;
  for (const e of args.entries) if (e.key?.value === key) value = e.value;
  return value;
}

/** The `provider` of a long-form `fn::open` / `fn::rotate`, which must be a string literal. */
function providerName(args: ObjectExpr, diags: Diagnostic[]): StringExpr | undefined {
  const provider = entryValue(args, 'provider');
  if (provider?.kind === 'string') return provider;
  diags.push(provider === undefined ? exprError(args, "missing provider name ('provider')") : exprError(provider, 'provider name must be a string literal'));
  return undefined;
}

function providerInputs(args: ObjectExpr, diags: Diagnostic[]): Expr | undefined {
  const inputs = entryValue(args, 'inputs');
  if (inputs === undefined) diags.push(exprError(args, "missing provider inputs ('inputs')"));
  return inputs;
}

/** `inputs` and `state` of a `fn::rotate` (either form); no state yet (never rotated) is null. */
function rotateArgs(args: ObjectExpr, diags: Diagnostic[]): { inputs?: Expr; state: Expr } {
  const inputs = providerInputs(args, diags);
  const state = entryValue(args, 'state');
  if (state === undefined) return { inputs, state: { kind: 'null' } };
  if (state.kind !== 'object') diags.push(exprError(state, 'rotation state must be an object literal'));
  return { inputs, state };
}

function shortForm(prefix: 'fn::open::' | 'fn::rotate::'): BuiltinParser {
  return (node, name, args, entry) => {
    const provider: StringExpr = { kind: 'string', value: name.value.slice(prefix.length), syntax: entry.key };
    if (prefix === 'fn::open::') return { expr: { kind: 'open', syntax: node, name, args, provider, inputs: args }, diags: [] };
    if (args.kind !== 'object') {
      return { expr: { kind: 'rotate', syntax: node, name, args }, diags: [exprError(args, "the argument to fn::rotate must be an object containing 'inputs' and 'state'")] };
    }
    const diags: Diagnostic[] = [];
    const { inputs, state } = rotateArgs(args, diags);
    return { expr: { kind: 'rotate', syntax: node, name, args, provider, inputs, state }, diags };
  };
}

/** The builtin call `node` spells, or undefined when it is not one (problems go to `diags`). */
function tryParseFunction(node: ObjectNode, diags: Diagnostic[]): Expr | undefined {
  if (node.entries.length !== 1) {
    for (const e of node.entries) {
      if (e.key.kind === 'string' && e.key.value.startsWith('fn::')) {
        diags.push(nodeError(node, `illegal call to builtin function: ${JSON.stringify(e.key.value)} must be the only key within its containing object`));
      }
    }
    return undefined;
  }
  const entry = node.entries[0];
  if (entry.key.kind !== 'string') return undefined;
  const key = entry.key.value;
  // Own keys only: a key named like an Object.prototype member (`toString`, `__proto__`) is no builtin.
  let parse = Object.prototype.hasOwnProperty.call(PARSERS, key) ? PARSERS[key] : undefined;
  if (parse === undefined) {
    if (key.startsWith('fn::open::')) parse = shortForm('fn::open::');
    else if (key.startsWith('fn::rotate::')) parse = shortForm('fn::rotate::');
  }
  if (parse === undefined) {
    if (key.toLowerCase().startsWith('fn::')) {
      diags.push({ severity: 1, summary: "'fn::' is a reserved prefix", path: node.path, range: entry.key.range });
    }
    return undefined;
  }
  const name: StringExpr = { kind: 'string', value: key, syntax: entry.key };
  const args = parseExprInto(entry.value, diags);
  const r = parse(node, name, args, entry);
  for (const d of r.diags) diags.push(d);
  return r.expr;
}

export type { ArrayNode };
