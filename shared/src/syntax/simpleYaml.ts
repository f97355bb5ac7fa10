/**
 * A fast path for the YAML that environment files are made of: block mappings and sequences,
 * single-line plain and quoted scalars, single-line flow collections, literal and folded block
 * scalars (`|`, `|-`, `>`, `>-`: certificates, scripts, policies) and comments, in printable
 * ASCII. It builds the same `yaml` package nodes that `parseDocument(text, MODEL_YAML_OPTIONS)`
 * gives as `contents` — classes, core-schema values (numbers, booleans, null, with the `format`
 * the package records), each scalar's `source`, `type`, `flow`, and all three range offsets —
 * without the package's token-by-token generator pipeline: 4–7× faster (10,000 lines: 29 against 134–195 ms), and far less garbage.
 * Where a full-line comment sits between content lines, the package's ranges depend on where
 * its parser hangs the comment (a scalar's end, a collection's trailing comment, the next
 * item); `exactRanges` declines such a text, else only those comment-dependent range ends may
 * differ (the evaluator's decoder, syntax/yaml.ts, reads starts and value ends only).
 *
 * It is deliberately conservative: anything outside that subset — tabs, CR, non-ASCII, tags,
 * anchors, aliases, escapes, multi-line flow scalars or flow collections, block scalars with
 * `+` chomping, an indentation indicator, a header comment, leading or whitespace-only lines or
 * (folded) more-indented lines, document markers, explicit keys, odd indentation, anything the
 * `yaml` package would report as an
 * error — returns `undefined`, and the caller parses with the `yaml` package as before. A
 * differential test (test/integration/syntax-fast.test.ts) holds the two paths to the same
 * nodes and the same decoded output.
 */
import { isScalar, Pair, Scalar, Schema, YAMLMap, YAMLSeq } from 'yaml';
import type { Node as YamlNode, ScalarTag } from 'yaml';

/** Thrown inside the fast parser when the text leaves the supported subset. */
class Unsupported extends Error {}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const PIPE = 0x7c;
const GREATER = 0x3e;

/** YAML indicator characters a plain scalar must not start with (`-`, `?`, `:` handled apart). */
const NOT_PLAIN_START = new Set([...',[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** One non-blank, non-comment line. */
interface Line {
  /** Column (0-based) where the line's content — or the part still to parse — starts. */
  indent: number;
  /** Offset of that content. */
  start: number;
  /** Offset of the line's end (its newline, or the end of the text). */
  end: number;
}

/**
 * Parses `text` into the `yaml` package node `parseDocument(text, MODEL_YAML_OPTIONS)` would give
 * as `contents`, or returns `undefined` when the text is outside the fast path's subset (see the
 * file header for `exactRanges`).
 */
export function parseSimpleYaml(text: string, options: { exactRanges?: boolean } = {}): YamlNode | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < SPACE && c !== NEWLINE) || c > 0x7e) return undefined;
  }
  const lines: Line[] = [];
  /** Offsets of the lines that look like comments after the first content line (some are block scalar text). */
  const commentLines: number[] = [];
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let i = start;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    if (i < end && text.charCodeAt(i) !== HASH) {
      // Document markers and directives belong to the full parser.
      if (i === start && (text.startsWith('---', i) || text.startsWith('...', i) || text.charCodeAt(i) === 0x25)) return undefined;
      lines.push({ indent: i - start, start: i, end });
    } else if (i < end && lines.length > 0) {
      commentLines.push(start);
    }
    start = end + 1;
  }
  if (lines.length === 0) return undefined;
  try {
    const parser = new SimpleParser(text, lines, options.exactRanges === true);
    const root = parser.block(lines[0].indent);
    if (parser.index !== lines.length) return undefined;
    if (options.exactRanges && !parser.onlyBlockScalarText(commentLines)) return undefined;
    return root;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** What the `yaml` package's scalar resolvers are given as options (MODEL_YAML_OPTIONS leaves these at their defaults). */
const RESOLVE_OPTIONS = { intAsBigInt: false };

/** The core schema's tags that a plain scalar is tested against, in the package's order. */
let plainTags: ScalarTag[] | undefined;

function corePlainTags(): ScalarTag[] {
  plainTags ??= new Schema({}).tags.filter((t): t is ScalarTag => !('collection' in t && t.collection) && t.default === true && t.test !== undefined);
  return plainTags;
}

/**
 * A plain scalar as the package composes it under the core schema: the first tag whose test
 * matches resolves the text (else a string). Every core test needs the text to be empty or
 * start with one of `~nNtTfF+-.` or a digit, so other texts skip the tests.
 */
function plainScalar(source: string): Scalar {
  const c = source.length === 0 ? 0 : source.charCodeAt(0);
  const mayResolve = c === 0 || (c >= 0x30 && c <= 0x39) || c === 0x7e || c === 0x2b || c === 0x2d || c === 0x2e ||
    c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46;
  const tag = mayResolve ? corePlainTags().find((t) => t.test!.test(source)) : undefined;
  let node: Scalar;
  if (tag === undefined) {
    node = new Scalar(source);
  } else {
    let failed = false;
    const resolved = tag.resolve(source, () => (failed = true), RESOLVE_OPTIONS);
    if (failed) throw new Unsupported();
    node = isScalar(resolved) ? resolved : new Scalar(resolved);
    if (tag.format) node.format = tag.format;
  }
  node.source = source;
  node.type = Scalar.PLAIN;
  return node;
}

/** A quoted or block scalar: always a string under the core schema. */
function stringScalar(value: string, type: Scalar.Type): Scalar {
  const node = new Scalar(value);
  node.source = value;
  node.type = type;
  return node;
}

class SimpleParser {
  index = 0;
  /** [first line after the header, end) of each block scalar read, in document order. */
  private readonly blockScalarText: [number, number][] = [];

  constructor(private readonly text: string, private readonly lines: Line[], private readonly exactRanges: boolean) {}

  /** Whether every line in `offsets` (sorted) lies in the text of a block scalar. */
  onlyBlockScalarText(offsets: readonly number[]): boolean {
    let k = 0;
    for (const offset of offsets) {
      while (k < this.blockScalarText.length && this.blockScalarText[k]![1] <= offset) k++;
      const span = this.blockScalarText[k];
      if (span === undefined || offset < span[0]) return false;
    }
    return true;
  }

  /** The offset after the line break ending at `lineEnd` (or the text's end): where a block-context node's trailing space, comment and line break end. */
  private afterLineBreak(lineEnd: number): number {
    return Math.min(lineEnd + 1, this.text.length);
  }

  private unsupported(): never {
    throw new Unsupported();
  }

  private code(i: number): number {
    return i < this.text.length ? this.text.charCodeAt(i) : NEWLINE;
  }

  private isSeqItem(line: Line): boolean {
    if (this.text.charCodeAt(line.start) !== DASH) return false;
    const next = this.code(line.start + 1);
    return next === SPACE || next === NEWLINE;
  }

  /** The block node (mapping or sequence) whose first line is the current one, at `indent`. */
  block(indent: number): YamlNode {
    const line = this.lines[this.index];
    if (line.indent !== indent) this.unsupported();
    return this.isSeqItem(line) ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): YAMLMap {
    const map = new YAMLMap();
    const first = this.lines[this.index].start;
    let end = first;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.indent < indent) break;
      if (line.indent > indent || this.isSeqItem(line)) this.unsupported();
      const { key, colon } = this.blockKey(line);
      const value = this.afterIndicator(colon + 1, line, indent, true);
      map.items.push(new Pair(key, value));
      end = (value.range ?? key.range ?? [0, 0, 0])[2];
    }
    map.range = [first, end, end];
    return map;
  }

  private sequence(indent: number): YAMLSeq {
    const seq = new YAMLSeq();
    const first = this.lines[this.index].start;
    let end = first;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index];
      if (line.indent < indent || (line.indent === indent && !this.isSeqItem(line))) break;
      if (line.indent > indent) this.unsupported();
      const item = this.afterIndicator(line.start + 1, line, indent, false);
      seq.items.push(item);
      end = (item.range ?? [0, 0, 0])[2];
    }
    seq.range = [first, end, end];
    return seq;
  }

  /**
   * The node after a `:` (mapping value) or `-` (sequence item) indicator at offset `from - 1` of
   * `line`, in a block collection at `indent`: an inline node, a nested block on the following
   * lines, or an empty scalar. Advances past the lines it consumed.
   */
  private afterIndicator(from: number, line: Line, indent: number, isMapValue: boolean): YamlNode {
    let i = from;
    while (i < line.end && this.text.charCodeAt(i) === SPACE) i++;
    if (i >= line.end || this.text.charCodeAt(i) === HASH) {
      if (i < line.end && i === from) this.unsupported(); // `-#…` / `:#…` is no indicator
      this.index++;
      const next = this.lines[this.index];
      if (next !== undefined && next.indent > indent) return this.block(next.indent);
      if (isMapValue && next !== undefined && next.indent === indent && this.isSeqItem(next)) return this.sequence(indent);
      // The package puts an empty value after the indicator's spaces. A comment after it runs its
      // range on over the next line's indentation, which only `exactRanges` asks to follow.
      if (i < line.end && this.exactRanges) this.unsupported();
      return this.emptyScalar(i, i < line.end ? this.afterLineBreak(line.end) : i);
    }
    if (i === from) this.unsupported();
    const c = this.text.charCodeAt(i);
    if (c === PIPE || c === GREATER) return this.blockScalar(i, line, indent);
    if (!isMapValue && this.startsMapping(i, line.end)) {
      // A compact mapping in a sequence item (`- key: value`): its keys line up at this column.
      const column = line.indent + (i - line.start);
      this.lines[this.index] = { indent: column, start: i, end: line.end };
      return this.mapping(column);
    }
    if (!isMapValue && c === DASH && (this.code(i + 1) === SPACE || this.code(i + 1) === NEWLINE)) this.unsupported();
    const { node, end } = this.flowNode(i, line.end, false);
    this.lineEnd(end, line.end);
    node.range![2] = this.afterLineBreak(line.end);
    this.index++;
    const next = this.lines[this.index];
    // A more indented line after an inline value would continue a multi-line scalar (or be an error).
    if (next !== undefined && next.indent > indent) this.unsupported();
    return node;
  }

  /**
   * A block scalar whose header (`|`, `|-`, `>` or `>-`) is at `header` on `line`, the value of
   * a block collection at `indent`. Its content is read from the text itself (the `lines` list
   * skips lines that look like comments, which are content here); the lines it covers are
   * consumed. Value and range as the `yaml` package gives them: the range runs from the header
   * to the end of the last content line.
   */
  private blockScalar(header: number, line: Line, indent: number): Scalar {
    const text = this.text;
    const folded = text.charCodeAt(header) === GREATER;
    let h = header + 1;
    const strip = h < line.end && text.charCodeAt(h) === DASH;
    if (strip) h++;
    // Keep chomping, indentation indicators and comments after the header: full parser.
    if (this.skipSpaces(h, line.end) !== line.end || line.end >= text.length) this.unsupported();
    const content: string[] = [];
    let contentIndent = -1;
    let end = line.end + 1; // just after the last content line
    let blanks = 0; // empty lines since the last content line
    for (let start = line.end + 1; start < text.length;) {
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd === -1) lineEnd = text.length;
      let i = start;
      while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i === lineEnd) {
        // Empty lines before the content and lines of spaces only: full parser.
        if (lineEnd > start || contentIndent < 0) this.unsupported();
        blanks++;
      } else {
        const spaces = i - start;
        if (contentIndent < 0) {
          if (spaces <= indent) this.unsupported(); // no content at all
          contentIndent = spaces;
        } else if (spaces < contentIndent) {
          break;
        }
        if (folded && spaces > contentIndent) this.unsupported(); // more-indented lines are not folded
        // A last line without its line break: full parser.
        if (lineEnd === text.length) this.unsupported();
        for (; blanks > 0; blanks--) content.push('');
        content.push(text.slice(start + contentIndent, lineEnd));
        end = lineEnd + 1;
      }
      start = lineEnd + 1;
    }
    if (contentIndent < 0) this.unsupported();
    while (this.index < this.lines.length && this.lines[this.index].start < end) this.index++;
    const next = this.lines[this.index];
    if (next !== undefined && next.indent > indent) this.unsupported();
    this.blockScalarText.push([line.end + 1, end]);
    const node = stringScalar((folded ? foldLines(content) : content.join('\n')) + (strip ? '' : '\n'), folded ? Scalar.BLOCK_FOLDED : Scalar.BLOCK_LITERAL);
    node.range = [header, end, end];
    return node;
  }

  /** An empty value (null under the core schema) at `at`, its trailing comment up to `end`. */
  private emptyScalar(at: number, end: number): Scalar {
    const s = plainScalar('');
    s.range = [at, at, end];
    return s;
  }

  /** Whether a block mapping key (`key:` followed by a space or the line end) starts at `i`. */
  private startsMapping(i: number, lineEnd: number): boolean {
    const c = this.text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const { end } = this.quoted(i, lineEnd);
      return end < lineEnd && this.text.charCodeAt(end) === COLON;
    }
    // A flow collection here is the item itself (`- {a: b}`); one used as a key is left to the full parser.
    if (c === LBRACKET || c === LBRACE) return false;
    for (let j = i; j < lineEnd; j++) {
      const d = this.text.charCodeAt(j);
      if (d === COLON && (j + 1 === lineEnd || this.text.charCodeAt(j + 1) === SPACE)) return true;
      if (d === HASH && this.text.charCodeAt(j - 1) === SPACE) return false;
    }
    return false;
  }

  /** A block mapping key at the start of `line`; `colon` is the offset of its `:` indicator. */
  private blockKey(line: Line): { key: Scalar; colon: number } {
    const i = line.start;
    const c = this.text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const { node, end } = this.quoted(i, line.end);
      if (end >= line.end || this.text.charCodeAt(end) !== COLON) this.unsupported();
      return { key: node, colon: end };
    }
    this.plainStart(i, line.end, false);
    for (let j = i + 1; j < line.end; j++) {
      const d = this.text.charCodeAt(j);
      if (d === HASH && this.text.charCodeAt(j - 1) === SPACE) break;
      if (d === COLON && (j + 1 === line.end || this.text.charCodeAt(j + 1) === SPACE)) {
        // Trailing spaces before the `:` and very long implicit keys are left to the full parser.
        if (this.text.charCodeAt(j - 1) === SPACE || j - i > 1000) this.unsupported();
        return { key: this.plain(i, j), colon: j };
      }
    }
    return this.unsupported();
  }

  /** Checks that a plain scalar may start at `i` (block or flow context). */
  private plainStart(i: number, lineEnd: number, inFlow: boolean): void {
    const c = this.text.charCodeAt(i);
    if (NOT_PLAIN_START.has(c)) this.unsupported();
    if (c === DASH || c === COLON || c === 0x3f) {
      const next = i + 1 < lineEnd ? this.text.charCodeAt(i + 1) : NEWLINE;
      if (next === SPACE || next === NEWLINE || (inFlow && isFlowIndicator(next)) || c !== DASH) this.unsupported();
    }
  }

  private plain(start: number, end: number): Scalar {
    const s = plainScalar(this.text.slice(start, end));
    s.range = [start, end, end];
    return s;
  }

  /**
   * An inline node starting at `i` (before `lineEnd`): a quoted scalar, a single-line flow
   * collection or a plain scalar. `end` is the offset just after it.
   */
  private flowNode(i: number, lineEnd: number, inFlow: boolean, isFlowKey = false): { node: YamlNode; end: number } {
    const c = this.text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(i, lineEnd);
    if (c === LBRACKET || c === LBRACE) return this.flowCollection(i, lineEnd);
    this.plainStart(i, lineEnd, inFlow);
    let j = i + 1;
    let last = i + 1; // end of the scalar without trailing spaces
    for (; j < lineEnd; j++) {
      const d = this.text.charCodeAt(j);
      if (d === SPACE) continue;
      if (d === HASH && this.text.charCodeAt(j - 1) === SPACE) break;
      if (d === COLON) {
        const next = j + 1 < lineEnd ? this.text.charCodeAt(j + 1) : NEWLINE;
        // A flow mapping's key ends at its `: `; elsewhere a value indicator inside an inline value
        // is a nested mapping (or an error): full parser.
        if (isFlowKey && next === SPACE) break;
        if (next === SPACE || next === NEWLINE || (inFlow && isFlowIndicator(next))) this.unsupported();
      }
      if (inFlow && isFlowIndicator(d)) break;
      last = j + 1;
    }
    return { node: this.plain(i, last), end: last };
  }

  /** A single-line quoted scalar without escapes starting at `i`. */
  private quoted(i: number, lineEnd: number): { node: Scalar; end: number } {
    const quote = this.text.charCodeAt(i);
    let value = '';
    let from = i + 1;
    for (let j = i + 1; j < lineEnd; j++) {
      const d = this.text.charCodeAt(j);
      if (quote === DQUOTE && d === BACKSLASH) this.unsupported();
      if (d !== quote) continue;
      if (quote === SQUOTE && this.code(j + 1) === SQUOTE && j + 1 < lineEnd) {
        value += this.text.slice(from, j + 1);
        from = j + 2;
        j++;
        continue;
      }
      value += this.text.slice(from, j);
      const s = stringScalar(value, quote === DQUOTE ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE);
      s.range = [i, j + 1, j + 1];
      return { node: s, end: j + 1 };
    }
    return this.unsupported();
  }

  /** A flow sequence or mapping that closes on the same line. */
  private flowCollection(i: number, lineEnd: number): { node: YamlNode; end: number } {
    const isSeq = this.text.charCodeAt(i) === LBRACKET;
    const close = isSeq ? RBRACKET : RBRACE;
    const collection = isSeq ? new YAMLSeq() : new YAMLMap();
    collection.flow = true;
    let j = this.skipSpaces(i + 1, lineEnd);
    if (j < lineEnd && this.text.charCodeAt(j) === close) {
      collection.range = [i, j + 1, j + 1];
      return { node: collection, end: j + 1 };
    }
    for (;;) {
      if (j >= lineEnd) this.unsupported();
      if (isSeq) {
        const item = this.flowNode(j, lineEnd, true);
        (collection as YAMLSeq).items.push(item.node);
        j = this.skipSpaces(item.end, lineEnd);
        item.node.range![2] = j; // an item's extent takes the spaces before the `,` or bracket
      } else {
        const key = this.flowNode(j, lineEnd, true, true);
        if (!(key.node instanceof Scalar)) this.unsupported();
        j = key.end;
        if (this.code(j) !== COLON || this.code(j + 1) !== SPACE || j + 1 >= lineEnd) this.unsupported();
        j = this.skipSpaces(j + 1, lineEnd);
        if (j >= lineEnd) this.unsupported();
        const d = this.text.charCodeAt(j);
        if (d === COMMA || d === RBRACE || d === HASH) this.unsupported();
        const value = this.flowNode(j, lineEnd, true);
        (collection as YAMLMap).items.push(new Pair(key.node, value.node));
        j = this.skipSpaces(value.end, lineEnd);
        value.node.range![2] = j;
      }
      if (j >= lineEnd) this.unsupported();
      const d = this.text.charCodeAt(j);
      if (d === close) {
        collection.range = [i, j + 1, j + 1];
        return { node: collection, end: j + 1 };
      }
      if (d !== COMMA) this.unsupported();
      j = this.skipSpaces(j + 1, lineEnd);
      // Empty entries and trailing commas are left to the full parser.
      if (j >= lineEnd || this.text.charCodeAt(j) === COMMA || this.text.charCodeAt(j) === close) this.unsupported();
    }
  }

  private skipSpaces(i: number, lineEnd: number): number {
    while (i < lineEnd && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** After an inline node: only spaces, then the line end or a comment. */
  private lineEnd(i: number, lineEnd: number): void {
    if (i >= lineEnd) return;
    if (this.text.charCodeAt(i) !== SPACE) this.unsupported();
    const j = this.skipSpaces(i, lineEnd);
    if (j < lineEnd && this.text.charCodeAt(j) !== HASH) this.unsupported();
  }
}

/** A folded block scalar's lines (none more indented) joined: a line break between two lines is a space, empty lines are line breaks. */
function foldLines(lines: readonly string[]): string {
  let out = lines[0];
  let breaks = 0;
  for (let k = 1; k < lines.length; k++) {
    if (lines[k] === '') {
      breaks++;
      continue;
    }
    out += breaks > 0 ? '\n'.repeat(breaks) + lines[k] : ` ${lines[k]}`;
    breaks = 0;
  }
  return out;
}
