/**
 * The one parser of `${…}` interpolations (ESC's `ast/interpolation.go` grammar, error recovery and
 * messages): splits a string value into literal text and property accesses (`a.b["c"][0]`), and
 * locates each interpolation, each accessor and each accessor's key. The evaluator maps the
 * offsets through its string node (ast/property.ts); the language features map them to document
 * offsets (language/scalarInterpolations.ts), and rely on it being tolerant: unfinished text
 * (`${aws.`, `${` at the end) still gives its accessors, with the problems listed.
 *
 * As in ESC it works on the UTF-8 bytes of the value, one byte at a time (a name ends at a byte
 * that is whitespace as a Latin-1 character, even inside a multi-byte character): so every offset
 * here is a UTF-8 byte offset into the value. `$$` is the escape of a literal `$`.
 */

/** A name (`a`, `.b`) or a subscript (`["c"]`, `[0]`). */
export interface AccessorSyntax {
  kind: 'name' | 'subscript';
  /** The name; a subscript's string key or integer index (an unparsable index is kept as its text). */
  key: string | number;
  /** The whole accessor, `.` and brackets included. */
  start: number;
  end: number;
  /** The name, or the subscript's key or index without brackets and quotes. */
  keyStart: number;
  keyEnd: number;
}

export interface InterpolationSyntax {
  /** The literal text before it, `$$` unescaped. */
  text: string;
  /** The offset of its `$`. */
  start: number;
  /** After its `}`, or where the parse stopped (end of value, whitespace) when unclosed. */
  end: number;
  /** After `${`. */
  innerStart: number;
  /** At `}`, or `end` when unclosed. */
  innerEnd: number;
  closed: boolean;
  /** Never empty: `${}` has one empty name, as in ESC. */
  accessors: AccessorSyntax[];
}

/** A located problem; `start`/`end` as ESC's `rangeFrom(start)` (end = where the parser was). */
export interface TemplateProblem {
  start: number;
  end: number;
  summary: string;
}

export interface TemplateSyntax {
  interpolations: InterpolationSyntax[];
  /** The literal text after the last interpolation (the whole value when there is none). */
  trailing: string;
  problems: TemplateProblem[];
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const NON_ASCII = /[^\x00-\x7f]/;

/** Go's `unicode.IsSpace(rune(c))` for one byte. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;

const DOLLAR = 0x24;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const DOT = 0x2e;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The UTF-8 bytes of a value, read one at a time and decoded by slices. */
interface ByteText {
  length: number;
  at(offset: number): number | undefined;
  decode(from: number, to: number): string;
}

/** An ASCII value is its own bytes (no encoding, slices need no decoding); any other is encoded once. */
function byteText(value: string): ByteText {
  if (!NON_ASCII.test(value)) {
    return { length: value.length, at: (offset) => (offset < value.length ? value.charCodeAt(offset) : undefined), decode: (from, to) => value.slice(from, to) };
  }
  const bytes = utf8Encoder.encode(value);
  return { length: bytes.length, at: (offset) => bytes[offset], decode: (from, to) => utf8Decoder.decode(bytes.subarray(from, to)) };
}

/** One `${…}` from after its `${`; byte by byte, as ESC's `propertyAccessParser`. */
class AccessParser {
  readonly accessors: AccessorSyntax[] = [];
  offset: number;

  constructor(private readonly bytes: ByteText, start: number, private readonly problems: TemplateProblem[]) {
    this.offset = start;
  }

  private error(start: number, summary: string): void {
    this.problems.push({ start, end: this.offset, summary });
  }

  private peek(): number | undefined {
    return this.offset < this.bytes.length ? this.bytes.at(this.offset) : undefined;
  }

  private terminatesName(c: number): boolean {
    return c === DOT || c === OPEN_BRACKET || c === CLOSE_BRACE || isSpace(c);
  }

  private decode(from: number, to: number): string {
    return this.bytes.decode(from, to);
  }

  /** Parses up to and including the closing `}`; `closed` is false when there is none. */
  parse(): { closed: boolean } {
    for (;;) {
      const c = this.peek();
      if (c === undefined || isSpace(c)) {
        this.error(this.offset, "missing closing brace '}' in interpolation");
        this.finish(this.offset);
        return { closed: false };
      }
      if (c === CLOSE_BRACE) {
        this.finish(this.offset++);
        return { closed: true };
      }
      if (c === DOT) this.accessors.push(this.parseName(this.offset++));
      else if (c === OPEN_BRACKET) this.accessors.push(this.parseSubscript(this.offset++));
      else this.accessors.push(this.parseName(this.offset));
    }
  }

  /** As in ESC, an access with no accessor has one empty name (located at `start`, no error). */
  private finish(start: number): void {
    if (this.accessors.length === 0) this.accessors.push({ kind: 'name', key: '', start, end: this.offset, keyStart: start, keyEnd: start });
  }

  private parseName(start: number): AccessorSyntax {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && !this.terminatesName(c); c = this.peek()) this.offset++;
    const name = this.decode(from, this.offset);
    if (name.length === 0) this.error(start, 'property name must not be empty');
    return { kind: 'name', key: name, start, end: this.offset, keyStart: from, keyEnd: this.offset };
  }

  private parseSubscript(start: number): AccessorSyntax {
    let c = this.peek();
    if (c === undefined) {
      this.error(start, "subscript is missing closing bracket ']'");
      return { kind: 'subscript', key: '', start, end: this.offset, keyStart: this.offset, keyEnd: this.offset };
    }
    let key: string | number;
    let keyStart = this.offset;
    let keyEnd: number;
    if (c === QUOTE) {
      keyStart = ++this.offset;
      ({ key, keyEnd } = this.parseStringSubscript(start));
    } else {
      key = this.parseIndexSubscript(start);
      keyEnd = this.offset;
    }
    c = this.peek();
    if (c !== CLOSE_BRACKET) this.error(start, "subscript is missing closing bracket ']'");
    else this.offset++;
    return { kind: 'subscript', key, start, end: this.offset, keyStart, keyEnd };
  }

  private parseStringSubscript(start: number): { key: string; keyEnd: number } {
    // The key so far: `key` plus the bytes from `from` (cut only at an ASCII `\"`, never inside a character).
    let key = '';
    let from = this.offset;
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.error(start + 1, "key subscript is missing closing quote '\"'");
        return { key: key + this.decode(from, this.offset), keyEnd: this.offset };
      }
      if (c === QUOTE) {
        key += this.decode(from, this.offset);
        this.offset++;
        if (key.length === 0) this.error(start + 1, 'key subscript must not be empty');
        return { key, keyEnd: this.offset - 1 };
      }
      this.offset++;
      if (c === BACKSLASH && this.peek() === QUOTE) {
        key += `${this.decode(from, this.offset - 1)}"`;
        this.offset++;
        from = this.offset;
      }
    }
  }

  private parseIndexSubscript(start: number): string | number {
    const from = this.offset;
    for (let c = this.peek(); c !== undefined && c !== CLOSE_BRACKET && !this.terminatesName(c); c = this.peek()) this.offset++;
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

/** Splits a string value into literal text and `${…}` property accesses (offsets: UTF-8 bytes of `value`). */
export function parseTemplate(value: string): TemplateSyntax {
  const problems: TemplateProblem[] = [];
  // Fast path: no `$` at all.
  if (!value.includes('$')) return { interpolations: [], trailing: value, problems };
  const interpolations: InterpolationSyntax[] = [];
  const bytes = byteText(value);
  const decode = (from: number, to: number): string => bytes.decode(from, to);
  // The literal text so far: `pending` plus the bytes from `textStart` (cut only at an ASCII `$`,
  // so never inside a character).
  let pending = '';
  let textStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes.at(i);
    if (c === DOLLAR && bytes.at(i + 1) === DOLLAR) {
      pending += decode(textStart, i + 1);
      i += 2;
      textStart = i;
    } else if (c === DOLLAR && bytes.at(i + 1) === OPEN_BRACE) {
      const text = pending + decode(textStart, i);
      const parser = new AccessParser(bytes, i + 2, problems);
      const { closed } = parser.parse();
      const end = parser.offset;
      interpolations.push({ text, start: i, end, innerStart: i + 2, innerEnd: closed ? end - 1 : end, closed, accessors: parser.accessors });
      pending = '';
      i = textStart = end;
    } else {
      i++;
    }
  }
  return { interpolations, trailing: pending + decode(textStart, bytes.length), problems };
}

/**
 * Renders keys as they can be written inside `${…}` (`a.b["c d"][0]`): a key is bare when it reads
 * back as one name (letters, digits, `_`, `-`; not starting with a digit or `-`), else quoted.
 * (ESC's own printed form, `syntax/propertyPath.ts`, quotes `-` too.)
 */
export function formatAccess(keys: readonly (string | number)[]): string {
  let out = '';
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out.length === 0 ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}
