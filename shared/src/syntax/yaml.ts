/**
 * YAML text → ESC syntax nodes, with the source ranges ESC (Go, yaml.v3) reports: a node starts
 * where yaml.v3 puts it (first key of a block mapping, `-` of a block sequence, the bracket of a
 * flow collection, the quote of a quoted scalar) and ends where ESC's `yamlEndPos` says: a scalar
 * ends at start column + the UTF-8 length of its decoded value (literal blocks: on the last line),
 * a collection ends where its last child ends.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostic';
import type { Pos, Range } from './range';
import type { ObjectEntry, SyntaxNode } from './nodes';
import { joinIndex, joinKey } from './propertyPath';
import { parseWholeTree, treeOfText, type LiteralTree } from './literalTree';

export interface ParsedYaml {
  /** Undefined when the text has YAML errors (ESC then has no environment) or is empty. */
  root?: SyntaxNode;
  diagnostics: Diagnostic[];
}

const textEncoder = new TextEncoder();

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/** Maps UTF-16 offsets of the text to ESC positions (line, code-point column, UTF-8 byte). */
export class PositionIndex {
  private readonly lineStarts: number[] = [0];
  private readonly lineStartBytes: number[] = [0];
  private readonly asciiLines: boolean[] = [];

  constructor(private readonly environment: string, private readonly text: string) {
    let ascii = true;
    let bytes = 0;
    let lineStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) ascii = false;
      if (c === 10) {
        bytes += ascii ? i + 1 - lineStart : utf8Length(text.slice(lineStart, i + 1));
        this.asciiLines.push(ascii);
        this.lineStarts.push(i + 1);
        this.lineStartBytes.push(bytes);
        lineStart = i + 1;
        ascii = true;
      }
    }
    this.asciiLines.push(ascii);
  }

  /** 0-based index of the line last found: nodes are decoded in document order, so usually it or the next. */
  private lastLine = 0;

  /** 1-based line of a UTF-16 offset. */
  lineOf(offset: number): number {
    const starts = this.lineStarts;
    const last = this.lastLine;
    if (starts[last] <= offset) {
      if (last + 1 === starts.length || offset < starts[last + 1]) return last + 1;
      if (last + 2 === starts.length || offset < starts[last + 2]) {
        this.lastLine = last + 1;
        return last + 2;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return lo + 1;
  }

  at(offset: number): Pos {
    const line = this.lineOf(offset);
    const start = this.lineStarts[line - 1];
    if (this.asciiLines[line - 1]) {
      return { line, column: offset - start + 1, byte: this.lineStartBytes[line - 1] + offset - start };
    }
    const prefix = this.text.slice(start, offset);
    return { line, column: [...prefix].length + 1, byte: this.lineStartBytes[line - 1] + utf8Length(prefix) };
  }

  /** A position given as ESC computes it: a line and a column (which may run past the line's end). */
  pos(line: number, column: number): Pos {
    if (line < 1 || line > this.lineStarts.length) return { line, column, byte: 0 };
    const start = this.lineStarts[line - 1];
    if (this.asciiLines[line - 1]) return { line, column, byte: this.lineStartBytes[line - 1] + column - 1 };
    const end = line < this.lineStarts.length ? this.lineStarts[line] : this.text.length;
    const chars = [...this.text.slice(start, end)];
    const prefix = chars.slice(0, column - 1).join('');
    return { line, column, byte: this.lineStartBytes[line - 1] + utf8Length(prefix) };
  }

  range(begin: Pos, end: Pos): Range {
    return { environment: this.environment, begin, end };
  }
}

/** Display width of a string as uniseg computes it, closely enough: wide East-Asian and emoji = 2, marks = 0. */
export function stringWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if ((c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd)) {
      w += 2;
    } else {
      w += 1;
    }
  }
  return w;
}

const textDecoder = new TextDecoder();
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The column of value byte `offset` in a single-line scalar whose value is `value`, starting at
 * column `column` (ESC's `ScalarRange`: start column + display width of the value's first `offset`
 * bytes). ASCII values (nearly all) need no encoding: bytes are characters of width 1. Others are
 * encoded, and the byte prefix decoded as Go's conversion would (a split character becomes U+FFFD).
 */
function valueColumn(column: number, value: string, offset: number): number {
  // (Negative offsets count from the end, as Uint8Array.slice does.)
  if (!NON_ASCII.test(value)) return column + (offset >= 0 ? Math.min(offset, value.length) : Math.max(0, value.length + offset));
  return column + stringWidth(textDecoder.decode(textEncoder.encode(value).slice(0, offset)));
}

/** Where a decoded node's range ends: at its start, at its last child's end, or at a line and column from its start. */
const END_AT_START = -1;
const END_AT_LAST_CHILD = -2;

/**
 * A decoded node. Its range is kept as offsets and built on first read: most are never read (only
 * diagnostics, hover's exports and rotation write-back read them), so a decode makes one object
 * per node, not five (node, range, its two positions, and a `scalarRange` closure).
 */
class DecodedNode {
  #range: Range | undefined;
  readonly #index: PositionIndex;
  /** UTF-16 offset where the node starts. */
  readonly #start: number;
  /** END_AT_START, END_AT_LAST_CHILD, or the lines from the start line to the end line. */
  readonly #endLines: number;
  /** Columns from the start column to the end column (ESC's `yamlEndPos`). */
  readonly #endColumns: number;
  /** The value text `scalarRange` maps (single-line plain untagged scalars). */
  readonly #mapped: string | undefined;
  // Declared, not initialised: each kind gets only its own fields (as the object literals had).
  declare value?: boolean | number | string;
  declare text?: string;
  declare entries?: ObjectEntry[];
  declare elements?: SyntaxNode[];
  declare scalarRange?: (this: DecodedNode, start: number, end: number) => Range;

  /** The collection holding this node (none for the root), and its key there (or index). */
  readonly #parent: DecodedNode | undefined;
  readonly #key: string | number;
  #path: string | undefined;

  constructor(readonly kind: SyntaxNode['kind'], at: Place, index: PositionIndex, start: number, endLines: number, endColumns = 0, mapped?: string) {
    this.#parent = at.parent;
    this.#key = at.key;
    this.#index = index;
    this.#start = start;
    this.#endLines = endLines;
    this.#endColumns = endColumns;
    this.#mapped = mapped;
    if (mapped !== undefined) this.scalarRange = mapScalarRange;
  }

  get range(): Range {
    this.#range ??= this.#locate();
    return this.#range;
  }

  /** Built on first read too (a path string per node is most of a decode's strings). */
  get path(): string {
    this.#path ??= pathOf({ parent: this.#parent, key: this.#key });
    return this.#path;
  }

  #locate(): Range {
    const index = this.#index;
    const begin = index.at(this.#start);
    if (this.#endLines === END_AT_START) return index.range(begin, begin);
    if (this.#endLines === END_AT_LAST_CHILD) {
      const last = this.entries ? this.entries[this.entries.length - 1]?.value : this.elements?.[this.elements.length - 1];
      return index.range(begin, last ? last.range.end : begin);
    }
    return index.range(begin, index.pos(begin.line + this.#endLines, begin.column + this.#endColumns));
  }

  /** ESC's `ScalarRange` (see syntax/nodes.ts), for the nodes `mapScalarRange` is set on. */
  mapValueRange(start: number, end: number): Range {
    const begin = this.range.begin;
    const value = this.#mapped ?? '';
    return this.#index.range(
      { line: begin.line, column: valueColumn(begin.column, value, start), byte: begin.byte + start },
      { line: begin.line, column: valueColumn(begin.column, value, end), byte: begin.byte + end },
    );
  }

  /** The node as plain data (what it was as an object literal; `scalarRange` as a function of this node). */
  toJSON(): unknown {
    const { kind, value, text, entries, elements, range, path } = this;
    return { kind, value, text, entries, elements, range, path, scalarRange: this.scalarRange && ((a: number, b: number) => this.mapValueRange(a, b)) };
  }
}

/** Where a node is: the collection holding it (none for the root) and its key there, or index. */
interface Place {
  parent: DecodedNode | undefined;
  key: string | number;
}

const ROOT: Place = { parent: undefined, key: '' };

function pathOf(at: Place): string {
  if (at.parent === undefined) return '';
  return typeof at.key === 'number' ? joinIndex(at.parent.path, at.key) : joinKey(at.parent.path, at.key);
}

/** The `scalarRange` of every node that maps value offsets (one function, no closure per node). */
function mapScalarRange(this: DecodedNode, start: number, end: number): Range {
  return this.mapValueRange(start, end);
}

const PLAIN_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

type Resolved = { kind: 'null' } | { kind: 'boolean'; value: boolean } | { kind: 'number'; value: number; text: string } | { kind: 'string'; value: string };

/** Resolves a plain scalar as yaml.v3 does when decoding into an interface{}. */
function resolvePlain(text: string): Resolved {
  switch (text) {
    case '': case '~': case 'null': case 'Null': case 'NULL':
      return { kind: 'null' };
    case 'true': case 'True': case 'TRUE':
      return { kind: 'boolean', value: true };
    case 'false': case 'False': case 'FALSE':
      return { kind: 'boolean', value: false };
    case '.inf': case '.Inf': case '.INF': case '+.inf': case '+.Inf': case '+.INF':
      return { kind: 'number', value: Infinity, text: '+Inf' };
    case '-.inf': case '-.Inf': case '-.INF':
      return { kind: 'number', value: -Infinity, text: '-Inf' };
    case '.nan': case '.NaN': case '.NAN':
      return { kind: 'number', value: NaN, text: 'NaN' };
  }
  const c = text[0];
  if (!((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.')) return { kind: 'string', value: text };
  const plain = text.replace(/_/g, '');
  const int = parseGoInt(plain);
  if (int !== undefined) return { kind: 'number', value: int, text: String(int) };
  if (PLAIN_FLOAT.test(plain)) {
    const value = Number(plain);
    if (!Number.isNaN(value)) return { kind: 'number', value, text: formatFloat(value) };
  }
  return { kind: 'string', value: text };
}

/** strconv.ParseInt(s, 0, 64): optional sign, 0x/0o/0b prefixes, leading-0 octal. */
function parseGoInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2];
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (body.length > 1 && body[0] === '0') n = parseInt(body.slice(1), 8);
  else n = parseInt(body, 10);
  if (!Number.isSafeInteger(n) && Math.abs(n) > 2 ** 63) return undefined;
  return sign * n;
}

function formatFloat(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : String(v);
}

class Decoder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly text: string, private readonly index: PositionIndex) {}

  private error(range: Range, summary: string, path: string): void {
    this.diagnostics.push({ severity: 1, summary, path, range });
  }

  /** yaml.v3's start offset of a node: before any tag/anchor properties, after the indicator for empty scalars. */
  private startOffset(node: YamlNode): number {
    const r = node.range ?? [0, 0, 0];
    let start = r[0];
    if (isScalar(node) && r[0] === r[1]) {
      // An empty scalar sits right after the indicator that introduced it (`-`, `:`, `?`).
      let i = start - 1;
      while (i >= 0 && (this.text[i] === ' ' || this.text[i] === '\t' || this.text[i] === '\n' || this.text[i] === '\r')) i--;
      if (i >= 0 && '-:?'.includes(this.text[i])) start = i + 1;
    }
    if ((node.tag !== undefined || node.anchor !== undefined) && !(isScalar(node) && r[0] === r[1])) {
      // Explicit properties (`!!str`, `&a`) precede the content; yaml.v3 starts the node there.
      let i = start - 1;
      for (;;) {
        while (i >= 0 && (this.text[i] === ' ' || this.text[i] === '\t')) i--;
        let j = i;
        while (j >= 0 && !/\s/.test(this.text[j])) j--;
        const word = this.text.slice(j + 1, i + 1);
        if (word.startsWith('!') || word.startsWith('&')) {
          start = j + 1;
          i = j;
        } else break;
      }
    }
    return start;
  }

  private startPos(node: YamlNode): Pos {
    return this.index.at(this.startOffset(node));
  }

  /**
   * ESC's yamlEndPos of a scalar, as lines and columns from its start: a literal block scalar
   * ends on its last line (at the start column plus that line's UTF-8 length), any other scalar
   * at the start column plus its value's UTF-8 length (after the tag of a tagged plain scalar).
   */
  private scalarEnd(node: Scalar, s: string): [lines: number, columns: number] {
    let lines = 0;
    let columns = 0;
    if (node.type === Scalar.BLOCK_LITERAL) {
      for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n')) {
        lines++;
        s = s.slice(nl + 1);
      }
    } else if (node.tag !== undefined && node.type === Scalar.PLAIN) {
      columns += shortTag(node.tag).length + 1;
    }
    return [lines, columns + utf8Length(s)];
  }

  /** An empty (null) node standing where a key or value is missing. */
  private nullAt(offset: number, at: Place): SyntaxNode {
    return new DecodedNode('null', at, this.index, offset, END_AT_START) as SyntaxNode;
  }

  /** The node of `node`, placed at `at` in its parent (its path). */
  decode(node: YamlNode | null | undefined, at: Place): SyntaxNode | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) {
      const begin = this.startPos(node);
      const end = this.index.pos(begin.line, begin.column + utf8Length(node.source) + 1);
      this.error(this.index.range(begin, end), 'alias nodes are not supported', pathOf(at));
      return undefined;
    }
    const start = this.startOffset(node);
    if (isMap(node)) {
      const entries: ObjectEntry[] = [];
      const result = new DecodedNode('object', at, this.index, start, node.items.length === 0 ? END_AT_START : END_AT_LAST_CHILD);
      result.entries = entries;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const child: Place = { parent: result, key: keyNode && isScalar(keyNode) ? scalarString(keyNode) : '' };
        const key = this.decode(keyNode, child) ?? this.nullAt(keyNode ? this.startOffset(keyNode) : start, child);
        if (key.kind !== 'string') this.error(key.range, 'mapping keys must be strings', key.path);
        const value = this.decode(pair.value as YamlNode | null, child) ?? this.nullAt(keyNode?.range ? keyNode.range[1] + 1 : 0, child);
        entries.push({ key, value });
      }
      return result as SyntaxNode;
    }
    if (isSeq(node)) {
      const elements: SyntaxNode[] = [];
      const result = new DecodedNode('array', at, this.index, start, node.items.length === 0 ? END_AT_START : END_AT_LAST_CHILD);
      result.elements = elements;
      for (let i = 0; i < node.items.length; i++) {
        const child = this.decode(node.items[i] as YamlNode, { parent: result, key: i });
        if (child) elements.push(child);
      }
      return result as SyntaxNode;
    }
    if (isScalar(node)) {
      const s = scalarString(node);
      const [lines, columns] = this.scalarEnd(node, s);
      const flowStyle = node.type === Scalar.PLAIN || node.type === undefined;
      const mapped = lines === 0 && flowStyle && node.tag === undefined ? s : undefined;
      const resolved = this.resolveScalar(node, s);
      const out = new DecodedNode(resolved.kind, at, this.index, start, lines, columns, mapped);
      if (resolved.kind !== 'null') out.value = resolved.value;
      if (resolved.kind === 'number') out.text = resolved.text;
      return out as SyntaxNode;
    }
    const begin = this.startPos(node);
    this.error(this.index.range(begin, begin), 'unexpected node kind', pathOf(at));
    return undefined;
  }

  private resolveScalar(node: Scalar, text: string): Resolved {
    const tag = node.tag === undefined ? undefined : shortTag(node.tag);
    if (tag === undefined) {
      return node.type === Scalar.PLAIN ? resolvePlain(text) : { kind: 'string', value: text };
    }
    switch (tag) {
      case '!!null': return { kind: 'null' };
      case '!!bool': {
        const r = resolvePlain(text);
        return r.kind === 'boolean' ? r : { kind: 'string', value: text };
      }
      case '!!int': case '!!float': {
        const r = resolvePlain(text);
        return r.kind === 'number' ? r : { kind: 'string', value: text };
      }
      default: return { kind: 'string', value: text };
    }
  }
}

/**
 * A scalar's text as yaml.v3 decodes it before resolving (the failsafe schema's string): the
 * source the `yaml` package read, unescaped and folded. (The tree's own `value` is the core
 * schema's number, boolean or null, which is not ESC's resolution.) The `yaml` package resolves
 * the explicit tags it knows beyond its schema (`!!binary`, `!!timestamp`) into objects under
 * any schema; their text stays what it was (`!!binary`: the decoded bytes, as yaml.v3 gives).
 */
function scalarString(node: Scalar): string {
  const v: unknown = node.value;
  if (node.source !== undefined && (v === null || typeof v !== 'object')) return node.source;
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? '!!' + tag.slice('tag:yaml.org,2002:'.length) : tag;
}

/** yaml.v3's wording for the YAML errors people actually make, where we can tell; else the yaml package's. */
function yamlErrorSummary(text: string, index: PositionIndex, code: string, message: string, offset: number): string {
  // Scanner errors: yaml.v3 reports the 1-based line of the problem (or of the token it was scanning).
  switch (code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return `yaml: line ${index.lineOf(offset)}: mapping values are not allowed in this context`;
    case 'TAB_AS_INDENT':
      return `yaml: line ${index.lineOf(offset)}: found character that cannot start any token`;
    case 'MISSING_CHAR':
      if (/quote/i.test(message)) {
        const quote = Math.max(text.lastIndexOf('"', offset - 1), text.lastIndexOf("'", offset - 1));
        return `yaml: line ${index.lineOf(quote >= 0 ? quote : offset)}: found unexpected end of stream`;
      }
      break;
  }
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const flow = /^Flow (sequence|map|mapping) in block collection|^Missing closing|^Expected a ?(,|]|\}|flow)/i.exec(firstLine);
  if (flow) {
    // yaml.v3 reports the 0-based line of the collection's opening bracket.
    const isSeq = /sequence|\]/.test(firstLine);
    const open = text.lastIndexOf(isSeq ? '[' : '{', Math.max(0, offset - 1));
    // yaml.v3 names the (0-based) line of the collection's start, or of the problem when that is 0.
    let line = index.lineOf(open >= 0 ? open : offset) - 1;
    if (line === 0) line = index.lineOf(offset) - 1;
    const where = line > 0 ? `line ${line}: ` : '';
    return `yaml: ${where}did not find expected ',' or '${isSeq ? ']' : '}'}'`;
  }
  const line = index.lineOf(offset);
  return `yaml: line ${line}: ${firstLine}`;
}

/**
 * Parses an environment's YAML text into syntax nodes. Never throws. The tree is the one parse
 * of this text (syntax/literalTree.ts): the editor model's when it holds this version, else a
 * parse by segment re-using the segments of earlier parses, or simpleYaml.ts's fast path;
 * `fastPath: false` forces a whole parse (the differential tests compare the paths).
 */
export function parseYaml(environment: string, text: string, options: { fastPath?: boolean } = {}): ParsedYaml {
  return decodeTree(environment, options.fastPath === false ? parseWholeTree(text) : treeOfText(text));
}

/** The syntax nodes of a parsed tree, with ESC's messages for its YAML errors. */
function decodeTree(environment: string, tree: LiteralTree): ParsedYaml {
  const text = tree.text;
  const index = new PositionIndex(environment, text);
  if (tree.excess !== undefined) {
    const at = index.at(tree.excess.offset);
    return { diagnostics: [{ severity: 1, summary: tree.excess.message, path: '', range: index.range(at, at) }] };
  }
  if (tree.errors.length > 0) {
    const diagnostics: Diagnostic[] = tree.errors.map((e) => {
      const [from, to] = e.pos;
      return {
        severity: 1 as const,
        summary: e.code === 'THROWN' ? `yaml: ${e.message}` : yamlErrorSummary(text, index, e.code, e.message, from),
        path: '',
        range: index.range(index.at(from), index.at(Math.max(from, to))),
      };
    });
    return { diagnostics };
  }
  const contents = tree.contents as YamlNode | null;
  if (contents === null || (isScalar(contents) && contents.range && contents.range[0] === contents.range[1] && scalarString(contents) === '')) {
    return { diagnostics: [] };
  }
  const decoder = new Decoder(text, index);
  const root = decoder.decode(contents, ROOT);
  return { root, diagnostics: decoder.diagnostics };
}
