/**
 * Property accesses inside `${...}` interpolations, parsed with ESC's grammar, error recovery and
 * messages. Offsets are UTF-8 byte offsets into the decoded string value, so that ranges map through
 * the string node's `scalarRange` exactly as ESC's do.
 */
import type { Diagnostic } from '../syntax/diagnostic';
import type { Range } from '../syntax/range';
import type { SyntaxNode } from '../syntax/nodes';

export interface PropertyName {
  kind: 'name';
  name: string;
  /** Source range of this accessor (`.name` including the dot), when the string maps to source positions. */
  range?: Range;
}

export interface PropertySubscript {
  kind: 'subscript';
  /** A string key (`["k"]`) or an integer index (`[0]`); an unparsable index is kept as its text. */
  index: string | number;
  range?: Range;
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

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const NON_ASCII = /[^\x00-\x7f]/;

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f' || c === '\u0085' || c === '\u00a0';

/** Works on the UTF-8 bytes of the value, as ESC does. */
class PropertyAccessParser {
  accessors: PropertyAccessor[] = [];
  diags: Diagnostic[] = [];

  /** `asciiValue`: the value itself when it is ASCII (its bytes are its characters: slicing needs no decoding). */
  constructor(private readonly parent: SyntaxNode, private readonly bytes: Uint8Array, public offset: number, private readonly asciiValue?: string) {}

  private rangeFrom(start: number): Range | undefined {
    return this.parent.scalarRange?.(start, this.offset);
  }

  private error(start: number, summary: string): void {
    const range = this.rangeFrom(start) ?? this.parent.range;
    this.diags.push({ severity: 1, summary, path: this.parent.path, range });
  }

  private peek(): string | undefined {
    return this.offset < this.bytes.length ? String.fromCharCode(this.bytes[this.offset]) : undefined;
  }

  private next(): number {
    return this.offset++;
  }

  private terminatesName(c: string): boolean {
    return c === '.' || c === '[' || c === '}' || isSpace(c);
  }

  private decode(from: number, to: number): string {
    return this.asciiValue !== undefined ? this.asciiValue.slice(from, to) : utf8Decoder.decode(this.bytes.subarray(from, to));
  }

  parse(): { end: number; access: PropertyAccess } {
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.error(this.offset, "missing closing brace '}' in interpolation");
        return this.finish(this.offset);
      }
      switch (c) {
        case '}':
          return this.finish(this.next());
        case '.':
          this.accessors.push(this.parseName(this.next()));
          break;
        case '[':
          this.accessors.push(this.parseSubscript(this.next()));
          break;
        default:
          if (isSpace(c)) {
            this.error(this.offset, "missing closing brace '}' in interpolation");
            return this.finish(this.offset);
          }
          this.accessors.push(this.parseName(this.offset));
      }
    }
  }

  private finish(start: number): { end: number; access: PropertyAccess } {
    if (this.accessors.length === 0) this.accessors.push({ kind: 'name', name: '', range: this.rangeFrom(start) });
    return { end: this.offset, access: { accessors: this.accessors } };
  }

  private parseName(start: number): PropertyName {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && !this.terminatesName(c); c = this.peek()) this.next();
    const name = this.decode(from, this.offset);
    if (name.length === 0) this.error(start, 'property name must not be empty');
    return { kind: 'name', name, range: this.rangeFrom(start) };
  }

  private parseSubscript(start: number): PropertySubscript {
    let c = this.peek();
    if (c === undefined) {
      this.error(start, "subscript is missing closing bracket ']'");
      return { kind: 'subscript', index: '', range: this.rangeFrom(start) };
    }
    let index: string | number;
    if (c === '"') {
      this.next();
      index = this.parseStringSubscript(start);
    } else {
      index = this.parseIndexSubscript(start);
    }
    c = this.peek();
    if (c !== ']') this.error(start, "subscript is missing closing bracket ']'");
    else this.next();
    return { kind: 'subscript', index, range: this.rangeFrom(start) };
  }

  private parseStringSubscript(start: number): string {
    const key: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.error(start + 1, "key subscript is missing closing quote '\"'");
        return utf8Decoder.decode(Uint8Array.from(key));
      }
      this.next();
      if (c === '"') {
        if (key.length === 0) this.error(start + 1, 'key subscript must not be empty');
        return utf8Decoder.decode(Uint8Array.from(key));
      }
      if (c === '\\' && this.peek() === '"') {
        this.next();
        key.push(0x22);
        continue;
      }
      key.push(this.bytes[this.offset - 1]);
    }
  }

  private parseIndexSubscript(start: number): string | number {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && c !== ']' && !this.terminatesName(c); c = this.peek()) this.next();
    const text = this.decode(from, this.offset);
    if (!/^[-+]?[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      this.error(start + 1, 'numeric subscript must be a positive base-10 integer');
      return text;
    }
    if (this.accessors.length === 0) {
      this.error(start, 'the first accessor must be a property name or key subscript, not a numeric subscript');
    }
    return Number(text);
  }
}

export interface Interpolation {
  /** Literal text before the access (with `$$` unescaped). */
  text: string;
  value?: PropertyAccess;
}

/** Splits a string into literal text and `${...}` property accesses. */
export function parseInterpolate(node: SyntaxNode, value: string): { parts: Interpolation[]; diags: Diagnostic[] } {
  const parts: Interpolation[] = [];
  const diags: Diagnostic[] = [];
  // Fast path: no `$` at all.
  if (!value.includes('$')) return { parts: value.length > 0 ? [{ text: value }] : [], diags };
  const bytes = utf8Encoder.encode(value);
  const asciiValue = NON_ASCII.test(value) ? undefined : value;
  let text: number[] = [];
  const flushText = (): string => {
    const s = utf8Decoder.decode(Uint8Array.from(text));
    text = [];
    return s;
  };
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] === 0x24 && bytes[i + 1] === 0x24) {
      text.push(0x24);
      i += 2;
    } else if (bytes[i] === 0x24 && bytes[i + 1] === 0x7b) {
      const parser = new PropertyAccessParser(node, bytes, i + 2, asciiValue);
      const { end, access } = parser.parse();
      for (const d of parser.diags) diags.push(d);
      parts.push({ text: flushText(), value: access });
      i = end;
    } else {
      text.push(bytes[i]);
      i++;
    }
  }
  if (text.length !== 0) parts.push({ text: flushText() });
  return { parts, diags };
}
