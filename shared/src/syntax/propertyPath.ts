/**
 * ESC property paths: `values.a["fn::rotate::swap"].state`, `a.b["c"][0]`.
 *
 * The text form is the one ESC prints in diagnostics and patch `DocPath`s (its `util.JoinKey`):
 * a key made only of ASCII letters, digits and `_` (not starting with a digit) is written bare
 * (`.key`, or `key` at the start); any other key as `["key"]` with `"` escaped as `\"`; an
 * index as `[0]`. Parsing follows Pulumi's `resource.ParsePropertyPath`, which ESC uses for
 * `rotatePaths`: `.name`, `["quoted"]` (only `\"` is an escape), `[0]`, and `[*]` (kept as the
 * string `"*"`).
 */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

export class PropertyPathError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the path text where the problem is. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PropertyPathError';
  }
}

/** True when ESC must write the key in brackets (`["key"]`) rather than bare. */
export function mustQuoteKey(key: string): boolean {
  if (key.length === 0) return true;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    const digit = c >= 0x30 && c <= 0x39;
    if (letter) continue;
    if (digit && i > 0) continue;
    return true;
  }
  return false;
}

/**
 * Appends one key to a path in ESC's text form (ESC's `util.JoinKey`). As in ESC an empty key
 * leaves the path unchanged.
 */
export function joinKey(root: string, key: string): string {
  if (key === '') return root;
  if (!mustQuoteKey(key)) return root === '' ? key : `${root}.${key}`;
  return `${root}["${key.replace(/"/g, '\\"')}"]`;
}

/** Appends one array index to a path in ESC's text form. */
export function joinIndex(root: string, index: number): string {
  return `${root}[${index}]`;
}

/** Formats segments in ESC's text form: `["values", "a", 0]` → `values.a[0]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out = typeof s === 'number' ? joinIndex(out, s) : joinKey(out, s);
  return out;
}

/**
 * Parses a property path into segments. Throws {@link PropertyPathError} with the offset of
 * the problem for malformed text (unterminated quote or bracket, bad index, empty name).
 */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (i === 0 || i + 1 >= text.length || text[i + 1] === '.' || text[i + 1] === '[') {
        throw new PropertyPathError(`expected a property name after "." at offset ${i}`, i);
      }
      i++;
      continue;
    }
    if (c === '[') {
      if (text[i + 1] === '"') {
        let key = '';
        let j = i + 2;
        for (;;) {
          if (j >= text.length) throw new PropertyPathError(`missing closing quote in property name at offset ${i}`, i);
          const d = text[j];
          if (d === '"') {
            j++;
            break;
          }
          if (d === '\\' && text[j + 1] === '"') {
            key += '"';
            j += 2;
          } else {
            key += d;
            j++;
          }
        }
        if (text[j] !== ']') throw new PropertyPathError(`missing closing bracket in property access at offset ${j}`, j);
        segments.push(key);
        i = j + 1;
      } else {
        const close = text.indexOf(']', i);
        if (close < 0) throw new PropertyPathError(`missing closing bracket in array index at offset ${i}`, i);
        const inner = text.slice(i + 1, close);
        if (inner === '*') {
          segments.push('*');
        } else if (/^[+-]?[0-9]+$/.test(inner)) {
          const n = Number(inner);
          if (!Number.isSafeInteger(n)) throw new PropertyPathError(`invalid array index "${inner}" at offset ${i + 1}`, i + 1);
          segments.push(n === 0 ? 0 : n); // normalise -0
        } else {
          throw new PropertyPathError(`invalid array index "${inner}" at offset ${i + 1}`, i + 1);
        }
        i = close + 1;
      }
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
    segments.push(text.slice(i, j));
    i = j;
  }
  return segments;
}

/** True when both paths name the same node (compared segment by segment, so `a.b` equals `a["b"]`). */
export function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** A canonical string for a path, usable as a map key (ESC's text form of the parsed segments). */
export function canonicalPath(text: string): string {
  return formatPath(parsePath(text));
}
