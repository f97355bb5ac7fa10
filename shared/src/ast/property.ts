/**
 * Property accesses inside `${...}` interpolations as the evaluator's AST holds them: the parse of
 * syntax/interpolation.ts (ESC's grammar, error recovery and messages), located through the string
 * node's `scalarRange` (UTF-8 byte offsets into the decoded value) exactly as ESC's are.
 */
import type { Diagnostic } from '../syntax/diagnostic';
import type { Range } from '../syntax/range';
import type { SyntaxNode } from '../syntax/nodes';
import { parseTemplate, type AccessorSyntax } from '../syntax/interpolation';

export interface PropertyName {
  kind: 'name';
  name: string;
  /** Source range of this accessor (`.name` including the dot), when the string maps to source positions. */
  readonly range?: Range;
}

export interface PropertySubscript {
  kind: 'subscript';
  /** A string key (`["k"]`) or an integer index (`[0]`); an unparsable index is kept as its text. */
  index: string | number;
  readonly range?: Range;
}

export type PropertyAccessor = PropertyName | PropertySubscript;

export interface PropertyAccess {
  accessors: PropertyAccessor[];
}

/** Formats a property access the way ESC prints it (`a.b["c"][0]`). */
export function propertyAccessString(access: PropertyAccess): string {
  let s = '';
  for (const a of access.accessors) {
    if (a.kind === 'name') {
      if (s.length !== 0) s += '.';
      s += a.name;
    } else if (typeof a.index === 'string') {
      s += `["${a.index.replace(/"/g, '\\"')}"]`;
    } else {
      s += `[${a.index}]`;
    }
  }
  return s;
}

export interface Interpolation {
  /** Literal text before the access (with `$$` unescaped). */
  text: string;
  value?: PropertyAccess;
}

/**
 * Splits a string node's value into literal text and `${...}` property accesses (the one parser:
 * syntax/interpolation.ts), locating accessors and problems through the node's `scalarRange`.
 */
export function parseInterpolate(node: SyntaxNode, value: string): { parts: Interpolation[]; diags: Diagnostic[] } {
  const template = parseTemplate(value);
  const rangeOf = (start: number, end: number): Range | undefined => node.scalarRange?.(start, end);
  const parts: Interpolation[] = template.interpolations.map((interp) => ({
    text: interp.text,
    value: { accessors: interp.accessors.map((a) => accessorOf(a, node)) },
  }));
  if (template.trailing.length !== 0) parts.push({ text: template.trailing });
  const diags = template.problems.map((p): Diagnostic => ({ severity: 1, summary: p.summary, path: node.path, range: rangeOf(p.start, p.end) ?? node.range }));
  return { parts, diags };
}

function accessorOf(a: AccessorSyntax, node: SyntaxNode): PropertyAccessor {
  return a.kind === 'name' ? new NameAccessor(a.key as string, node, a.start, a.end) : new SubscriptAccessor(a.key, node, a.start, a.end);
}

/**
 * An accessor whose range is built on first read from its string's `scalarRange` (most are
 * never read: only diagnostics and hover's exports read them), so an accessor is one object,
 * not four (it, its range and the range's two positions).
 */
abstract class LocatedAccessor {
  #range: Range | undefined | null = null;
  readonly #node: SyntaxNode;
  readonly #start: number;
  readonly #end: number;

  constructor(node: SyntaxNode, start: number, end: number) {
    this.#node = node;
    this.#start = start;
    this.#end = end;
  }

  get range(): Range | undefined {
    if (this.#range === null) this.#range = this.#node.scalarRange?.(this.#start, this.#end);
    return this.#range;
  }
}

class NameAccessor extends LocatedAccessor implements PropertyName {
  readonly kind = 'name';

  constructor(readonly name: string, node: SyntaxNode, start: number, end: number) {
    super(node, start, end);
  }

  toJSON(): unknown {
    return { kind: this.kind, name: this.name, range: this.range };
  }
}

class SubscriptAccessor extends LocatedAccessor implements PropertySubscript {
  readonly kind = 'subscript';

  constructor(readonly index: string | number, node: SyntaxNode, start: number, end: number) {
    super(node, start, end);
  }

  toJSON(): unknown {
    return { kind: this.kind, index: this.index, range: this.range };
  }
}
