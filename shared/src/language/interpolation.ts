/**
 * Finds `${...}` interpolations in the raw source of a YAML scalar and parses their property
 * accesses (`a.b["c"][0]`), keeping the offset of every part so features can point at it.
 * `$$` is ESC's escape for a literal `$`. Unclosed interpolations are kept (closed = false) so
 * completion works while the user is still typing.
 */
import type { Span } from './text';

export interface Accessor {
  key: string | number;
  /** The name (or the bracketed key/index, without brackets) in the document. */
  span: Span;
}

export interface Interpolation {
  /** From `$` to the closing `}` inclusive (or to the end of the scalar when unclosed). */
  span: Span;
  /** Between `${` and `}`. */
  inner: Span;
  accessors: Accessor[];
  closed: boolean;
  /** The access text as written, e.g. `a.b["c"]`. */
  text: string;
}

/**
 * @param source the scalar's raw source text
 * @param base the offset of `source` in the document
 */
export function findInterpolations(source: string, base: number): Interpolation[] {
  const found: Interpolation[] = [];
  let i = 0;
  while (i < source.length) {
    const dollar = source.indexOf('$', i);
    if (dollar < 0) break;
    if (source[dollar + 1] === '$') {
      i = dollar + 2;
      continue;
    }
    if (source[dollar + 1] !== '{') {
      i = dollar + 1;
      continue;
    }
    const innerStart = dollar + 2;
    let close = source.indexOf('}', innerStart);
    const newline = source.indexOf('\n', innerStart);
    if (newline >= 0 && (close < 0 || newline < close)) close = -1;
    const innerEnd = close < 0 ? (newline >= 0 ? newline : source.length) : close;
    const text = source.slice(innerStart, innerEnd);
    found.push({
      span: { start: base + dollar, end: base + (close < 0 ? innerEnd : close + 1) },
      inner: { start: base + innerStart, end: base + innerEnd },
      accessors: parseAccessors(text, base + innerStart),
      closed: close >= 0,
      text,
    });
    i = close < 0 ? innerEnd : close + 1;
  }
  return found;
}

/** Parses a property access; tolerant: stops at the first malformed part. */
export function parseAccessors(text: string, base: number): Accessor[] {
  const out: Accessor[] = [];
  let i = 0;
  const readName = (): void => {
    const start = i;
    while (i < text.length && text[i] !== '.' && text[i] !== '[') i++;
    out.push({ key: text.slice(start, i).trim(), span: { start: base + start, end: base + i } });
  };
  if (text.length === 0) return out;
  if (text[0] !== '[') readName();
  while (i < text.length) {
    if (text[i] === '.') {
      i++;
      readName();
    } else if (text[i] === '[') {
      i++;
      const quote = text[i] === '"' || text[i] === '\\' ? '"' : text[i] === "'" ? "'" : undefined;
      if (quote !== undefined) {
        if (text[i] === '\\') i++; // `\"` inside a double-quoted YAML scalar
        i++;
        const start = i;
        let key = '';
        while (i < text.length && text[i] !== quote && !(text[i] === '\\' && text[i + 1] === quote)) {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          key += text[i];
          i++;
        }
        out.push({ key, span: { start: base + start, end: base + i } });
        if (text[i] === '\\') i++;
        if (i < text.length) i++;
      } else {
        const start = i;
        while (i < text.length && text[i] !== ']') i++;
        const raw = text.slice(start, i).trim();
        const index = /^\d+$/.test(raw) ? Number(raw) : raw;
        out.push({ key: index, span: { start: base + start, end: base + i } });
      }
      if (text[i] === ']') i++;
      else if (i < text.length) break;
    } else {
      break;
    }
  }
  return out;
}

/** Renders a key path in ESC property-path syntax: `a.b["c d"][0]`. */
export function formatPath(keys: readonly (string | number)[]): string {
  let out = '';
  for (const key of keys) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out.length === 0 ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}
