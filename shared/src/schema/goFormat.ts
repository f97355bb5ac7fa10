/**
 * Go-compatible renderings used inside ESC's validation messages, so that our messages match
 * the reference byte for byte: `strconv.Quote` (`%q`) and `encoding/json.Marshal` (constants
 * in `expected ["hello",42]`).
 */
import type { Json } from './schema';

/**
 * Go's `unicode.IsPrint`, close enough: letters, marks, numbers, punctuation, symbols, ASCII space.
 * Made on first use: V8 builds a Unicode-class pattern's ranges when the literal is evaluated, and a
 * module-level one is evaluated by every program that bundles this file (~5% of `esc-local check`).
 */
let printable: RegExp | undefined;
function isPrintable(ch: string): boolean {
  printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
  return printable.test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's `strconv.Quote`: a double-quoted string with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    // Printable ASCII first: the Unicode-class pattern costs milliseconds to compile on first use.
    if ((cp >= 0x20 && cp < 0x7f) || isPrintable(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${hex(c, 4)}`;
    else out += ch;
  }
  return out + '"';
}

/** Byte-order (code point) comparison, as Go's `sort.Strings`. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Keys of an object in Go's sorted order. */
export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort(compareStrings);
}

/** Go's `json.Marshal` of a JSON value: compact, object keys sorted, HTML characters escaped. */
export function goJson(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  return `{${sortedKeys(v).map((k) => `${goJsonString(k)}:${goJson(v[k] as Json)}`).join(',')}}`;
}

/** Renders a schema number the way ESC prints it in messages (`%v` of the JSON number). */
export function formatNumber(n: number): string {
  return JSON.stringify(n);
}
