/**
 * The `${...}` interpolations of one YAML scalar, located in the document for the language
 * features (completion, hover, navigation, semantic tokens). The parse is the evaluator's
 * (syntax/interpolation.ts); this file only decodes the scalar's source — quotes, escapes, a block
 * scalar's header — into its value with the document offset of every character, and maps the
 * parse's UTF-8 byte offsets back through it. Unfinished text is kept (closed = false) so
 * completion works while the user is still typing.
 */
import { Scalar } from 'yaml';
import { parseTemplate, type InterpolationSyntax } from '../syntax/interpolation';
import type { Span } from './text';

export interface Accessor {
  key: string | number;
  /** The name, or the bracketed key or index without brackets and quotes, in the document. */
  span: Span;
}

export interface Interpolation {
  /** From `$` to the closing `}` inclusive (or to where the parse stopped when unclosed). */
  span: Span;
  /** Between `${` and `}`. */
  inner: Span;
  accessors: Accessor[];
  closed: boolean;
}

/** A scalar's value with, for each UTF-16 unit of it and one past its end, the document offset it comes from. */
interface DecodedScalar {
  value: string;
  at: number[];
}

const DOUBLE_QUOTED_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Decodes a scalar's source (`source` starts at document offset `base`). Line folding is not
 * applied: a line break and indentation stay whitespace, which ends an interpolation either way.
 */
function decodeScalar(source: string, type: Scalar.Type | undefined, base: number): DecodedScalar {
  let value = '';
  const at: number[] = [];
  const push = (text: string, offset: number): void => {
    value += text;
    for (let k = 0; k < text.length; k++) at.push(base + offset);
  };
  let i = 0;
  let end = source.length;
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) {
    const quote = source[0];
    i = 1;
    if (end > 1 && source[end - 1] === quote) end--;
  } else if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) {
    const header = source.indexOf('\n');
    i = header < 0 ? end : header + 1;
  }
  while (i < end) {
    const c = source[i]!;
    if (type === Scalar.QUOTE_SINGLE && c === "'" && source[i + 1] === "'") {
      push("'", i);
      i += 2;
    } else if (type === Scalar.QUOTE_DOUBLE && c === '\\' && i + 1 < end) {
      i = decodeEscape(source, i, end, push);
    } else {
      push(c, i);
      i++;
    }
  }
  at.push(base + end);
  return { value, at };
}

/** One `\` escape of a double-quoted scalar at `i`; returns the offset after it. */
function decodeEscape(source: string, i: number, end: number, push: (text: string, offset: number) => void): number {
  const e = source[i + 1]!;
  if (e === '\n' || e === '\r') {
    // An escaped line break joins the lines: it and the next line's indentation are no text.
    let j = i + 2;
    if (e === '\r' && source[j] === '\n') j++;
    while (j < end && (source[j] === ' ' || source[j] === '\t')) j++;
    return j;
  }
  const hex = HEX_ESCAPE_LENGTH[e];
  if (hex !== undefined) {
    const digits = source.slice(i + 2, i + 2 + hex);
    const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex ? Number.parseInt(digits, 16) : undefined;
    if (code !== undefined && code <= 0x10ffff) {
      push(String.fromCodePoint(code), i);
      return i + 2 + hex;
    }
  }
  push(DOUBLE_QUOTED_ESCAPES[e] ?? e, i);
  return i + 2;
}

/** UTF-8 byte offset → UTF-16 index into `value` (the parse counts bytes; documents count UTF-16 units). */
function byteToUnit(value: string): (byte: number) => number {
  if (!/[^\x00-\x7f]/.test(value)) return (byte) => byte;
  const units: number[] = [];
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    // A surrogate pair's 4 bytes all map to its first unit (the low surrogate has none).
    for (let b = 0; b < bytes; b++) units.push(k);
  }
  units.push(value.length);
  return (byte) => units[Math.min(byte, units.length - 1)]!;
}

function locate(syntax: InterpolationSyntax, offset: (byte: number) => number): Interpolation {
  return {
    span: { start: offset(syntax.start), end: offset(syntax.end) },
    inner: { start: offset(syntax.innerStart), end: offset(syntax.innerEnd) },
    accessors: syntax.accessors.map((a) => ({ key: a.key, span: { start: offset(a.keyStart), end: offset(a.keyEnd) } })),
    closed: syntax.closed,
  };
}

/**
 * The interpolations of the scalar whose source is `source`, at document offset `base`. `type`
 * is the scalar's style (`yaml`'s Scalar.Type); undefined reads the source as written.
 */
export function scalarInterpolations(source: string, type: Scalar.Type | undefined, base: number): Interpolation[] {
  const decoded = decodeScalar(source, type, base);
  const unit = byteToUnit(decoded.value);
  const offset = (byte: number): number => decoded.at[unit(byte)]!;
  return parseTemplate(decoded.value).interpolations.map((i) => locate(i, offset));
}

/**
 * The accessors of the access `text` (what follows `${` on the line, up to the cursor), at
 * document offset `base`: the property path completion extends.
 */
export function accessorsOfText(text: string, base: number): Accessor[] {
  return scalarInterpolations(`\${${text}`, undefined, base - 2)[0]?.accessors ?? [];
}
