/**
 * The `${...}` interpolations of one YAML scalar, located in the document for the language
 * features (completion, hover, navigation, semantic tokens). The parse is the evaluator's
 * (syntax/interpolation.ts), of the same decoded value; this file only maps its UTF-8 byte offsets
 * back to the scalar's source — through quotes, escapes, indentation, folding and a block
 * scalar's header. Unfinished text is kept (closed = false) so
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

const DOUBLE_QUOTED_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The text of the `\` escape of a double-quoted scalar at `i` ('' for an escaped line break), and the offset after it. */
function escapeAt(source: string, i: number): { text: string; next: number } {
  const e = source[i + 1] ?? '';
  if (e === '\n' || e === '\r') {
    // An escaped line break joins the lines: it and the next line's indentation are no text.
    let j = i + 2;
    if (e === '\r' && source[j] === '\n') j++;
    while (j < source.length && (source[j] === ' ' || source[j] === '\t')) j++;
    return { text: '', next: j };
  }
  const hex = HEX_ESCAPE_LENGTH[e];
  if (hex !== undefined) {
    const digits = source.slice(i + 2, i + 2 + hex);
    const code = digits.length === hex && /^[0-9a-fA-F]+$/.test(digits) ? Number.parseInt(digits, 16) : undefined;
    if (code !== undefined && code <= 0x10ffff) return { text: String.fromCodePoint(code), next: i + 2 + hex };
  }
  return { text: DOUBLE_QUOTED_ESCAPES[e] ?? e, next: i + 2 };
}

/**
 * The document offset of each UTF-16 unit of a scalar's decoded `value` (and one past its end),
 * found by walking its `source` (at document offset `base`) along the value: a character is
 * matched as written, through an escape (`\"`, `\u00e9`, `''`), or as a folded line break;
 * indentation, a block scalar's header, quotes and chomped breaks are skipped. The value is
 * `yaml`'s decoding, so nothing of YAML's folding or chomping is written again here.
 */
function sourceOffsets(source: string, value: string, type: Scalar.Type | undefined, base: number): number[] {
  const at: number[] = [];
  let j = 0;
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) j = 1;
  else if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) j = source.indexOf('\n') + 1 || source.length;
  let k = 0;
  while (k < value.length && j < source.length) {
    const v = value[k]!;
    const c = source[j]!;
    if (type === Scalar.QUOTE_DOUBLE && c === '\\') {
      const escape = escapeAt(source, j);
      if (value.startsWith(escape.text, k)) {
        for (let u = 0; u < escape.text.length; u++) at.push(base + j);
        k += escape.text.length;
        j = escape.next;
        continue;
      }
    }
    if (type === Scalar.QUOTE_SINGLE && c === "'" && source[j + 1] === "'" && v === "'") {
      at.push(base + j);
      k++;
      j += 2;
    } else if (c === v || ((c === '\n' || c === '\r') && (v === ' ' || v === '\n'))) {
      at.push(base + j);
      k++;
      j += c === '\r' && source[j + 1] === '\n' && v === '\n' ? 2 : 1;
    } else {
      j++; // indentation, a quote, a header: no value text (or a mismatch, not expected)
    }
  }
  const end = base + j;
  while (at.length <= value.length) at.push(end);
  return at;
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
 * The interpolations of a string scalar: its decoded `value`, its `source` at document offset
 * `base`, and its style `type` (`yaml`'s Scalar.Type; undefined when the source is the value).
 */
export function scalarInterpolations(source: string, value: string, type: Scalar.Type | undefined, base: number): Interpolation[] {
  const template = parseTemplate(value);
  if (template.interpolations.length === 0) return [];
  const unit = byteToUnit(value);
  // Nearly always the value is written as it is (plain, or quoted without escapes): no walk.
  const shift = type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE ? 1 : 0;
  if (source.startsWith(value, shift) && (type === undefined || type === Scalar.PLAIN || shift === 1)) {
    return template.interpolations.map((i) => locate(i, (byte) => base + shift + unit(byte)));
  }
  const at = sourceOffsets(source, value, type, base);
  return template.interpolations.map((i) => locate(i, (byte) => at[unit(byte)]!));
}

/**
 * The accessors of the access `text` (what follows `${` on the line, up to the cursor), at
 * document offset `base`: the property path completion extends. In a double-quoted scalar the
 * text is read through its escapes (`[\"key\"]`).
 */
export function accessorsOfText(text: string, base: number, doubleQuoted = false): Accessor[] {
  const source = doubleQuoted ? `"\${${text}` : `\${${text}`;
  const value = doubleQuoted ? decodeDoubleQuoted(source) : source;
  return scalarInterpolations(source, value, doubleQuoted ? Scalar.QUOTE_DOUBLE : undefined, base - source.length + text.length)[0]?.accessors ?? [];
}

/** The value of (the start of) a double-quoted scalar's source, its escapes decoded. */
function decodeDoubleQuoted(source: string): string {
  let value = '';
  for (let i = 1; i < source.length;) {
    if (source[i] === '\\' && i + 1 < source.length) {
      const escape = escapeAt(source, i);
      value += escape.text;
      i = escape.next;
    } else {
      value += source[i];
      i++;
    }
  }
  return value;
}
