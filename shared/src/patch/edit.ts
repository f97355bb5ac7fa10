/**
 * Minimal text edits on a YAML document: locate a node by property path with the `yaml`
 * package's parsed document (source ranges), then splice new text in place so that every byte
 * outside the replaced node — comments, blank lines, quoting, key order, CRLF — is unchanged.
 */
import * as YAML from 'yaml';
import { formatPath, type PathSegment } from '../syntax/propertyPath';
import { PatchError, isInline, renderBlock, renderFlow, renderJson, type YamlData } from './valueToYaml';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

type Collection = YAML.YAMLMap<unknown, unknown> | YAML.YAMLSeq<unknown>;

export function parseDocument(text: string): YAML.Document.Parsed {
  // Duplicate keys are ESC diagnostics, not reasons to refuse an edit: the first one wins, as in ESC.
  const doc = YAML.parseDocument(text, { uniqueKeys: false, keepSourceTokens: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = err.linePos?.[0];
    const at = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
    throw new PatchError(`the document is not valid YAML${at}: ${err.message.split('\n')[0] ?? ''}`, pos?.line, pos?.col);
  }
  return doc;
}

/** Everything needed to edit text around one document. */
export class YamlText {
  readonly newline: string;
  readonly step: number;

  constructor(readonly text: string) {
    this.newline = text.includes('\r\n') ? '\r\n' : '\n';
    this.step = detectIndentStep(text);
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** 1-based line and column of an offset, for messages. */
  position(offset: number): { line: number; column: number } {
    let line = 1;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) line++;
    return { line, column: this.column(offset) + 1 };
  }

  /** The end of the line holding `offset` (before `\r\n` or `\n`). */
  lineEnd(offset: number): number {
    let i = this.text.indexOf('\n', offset);
    if (i < 0) return this.text.length;
    if (i > 0 && this.text[i - 1] === '\r') i--;
    return i;
  }

  /** Right after the `:` that separates a pair's key from its value. */
  colonEnd(pair: YAML.Pair<unknown, unknown>): number {
    const key = pair.key;
    const from = YAML.isNode(key) && key.range ? key.range[1] : undefined;
    if (from === undefined) throw new PatchError('cannot edit a mapping entry without a key');
    const i = this.text.indexOf(':', from);
    if (i < 0) throw new PatchError('cannot find the ":" of a mapping entry');
    return i + 1;
  }

  /** Where a node's own text ends: no trailing comments, newlines or following lines. */
  contentEnd(node: unknown, pair?: YAML.Pair<unknown, unknown>): number {
    if (isEmptyScalar(node)) {
      if (pair !== undefined) return this.colonEnd(pair);
      return (node as YAML.Scalar).range?.[0] ?? 0;
    }
    if (YAML.isScalar(node)) {
      let end = node.range?.[1] ?? 0;
      while (end > 0 && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
      return end;
    }
    if (YAML.isMap(node) || YAML.isSeq(node)) {
      const c = node as Collection;
      if (c.flow || c.items.length === 0) return c.range?.[1] ?? 0;
      const last = c.items[c.items.length - 1];
      if (YAML.isPair(last)) {
        if (last.value === null || last.value === undefined) return this.colonEnd(last);
        return this.contentEnd(last.value, last);
      }
      return this.contentEnd(last);
    }
    if (YAML.isAlias(node)) return node.range?.[1] ?? 0;
    throw new PatchError('cannot find the end of a node');
  }

  /** Lines after the first, shifted to `column`; blank lines stay empty (safe inside block scalars). */
  indentLines(lines: string[], column: number, indentFirst: boolean): string {
    const pad = ' '.repeat(column);
    return lines.map((l, i) => (l === '' || (i === 0 && !indentFirst) ? l : pad + l)).join(this.newline);
  }
}

/** A flow mapping written JSON-style (its keys double-quoted): new text there is JSON too. */
function isJsonStyle(node: unknown): boolean {
  if (!YAML.isMap(node) || !node.flow || node.items.length === 0) return false;
  return node.items.every((p) => YAML.isScalar(p.key) && p.key.type === 'QUOTE_DOUBLE');
}

function isEmptyScalar(node: unknown): boolean {
  return YAML.isScalar(node) && node.value === null && node.range !== undefined && node.range !== null && node.range[0] === node.range[1];
}

/** The indentation unit of the document: the smallest indentation of a content line (2 if none). */
export function detectIndentStep(text: string): number {
  let step = 0;
  for (const line of text.split('\n')) {
    const m = /^( +)[^ \r#]/.exec(line);
    if (m?.[1] !== undefined && (step === 0 || m[1].length < step)) step = m[1].length;
  }
  return step >= 1 && step <= 8 ? step : 2;
}

/** The text of a key as ESC sees it (plain scalars by their source text). */
function keyText(key: unknown): string | undefined {
  if (!YAML.isScalar(key)) return undefined;
  if (typeof key.value === 'string') return key.value;
  const source = (key as YAML.Scalar & { source?: unknown }).source;
  return typeof source === 'string' ? source : String(key.value);
}

export interface Location {
  /** The node at the path; undefined when the last key is missing from `parent`. */
  node: unknown;
  /** The pair holding `node` when its parent is a mapping. */
  pair?: YAML.Pair<unknown, unknown>;
  parent: unknown;
}

/** Finds the node at `path`. The last key may be missing (it is then created); anything else missing is an error. */
export function locate(doc: YAML.Document.Parsed, path: readonly PathSegment[]): Location {
  let node: unknown = doc.contents;
  let parent: unknown;
  let pair: YAML.Pair<unknown, unknown> | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as PathSegment;
    const here = formatPath(path.slice(0, i)) || 'the document root';
    parent = node;
    if (YAML.isMap(node) && typeof seg === 'string') {
      pair = node.items.find((p) => keyText(p.key) === seg);
      if (pair === undefined) {
        if (i === path.length - 1) return { node: undefined, parent };
        throw new PatchError(`${formatPath(path)} not found: ${here} has no key ${JSON.stringify(seg)}`);
      }
      node = pair.value;
    } else if (YAML.isSeq(node) && typeof seg === 'number') {
      pair = undefined;
      if (seg < 0 || seg >= node.items.length) throw new PatchError(`${formatPath(path)} not found: ${here} has no element ${seg}`);
      node = node.items[seg];
    } else {
      throw new PatchError(`${formatPath(path)} not found: ${here} is not ${typeof seg === 'number' ? 'a list' : 'a mapping'}`);
    }
  }
  return pair === undefined ? { node, parent } : { node, pair, parent };
}

/** The edit that replaces the node found at `loc` (or creates its key) with `data`. */
export function replacementEdit(t: YamlText, loc: Location, key: PathSegment | undefined, data: YamlData): Edit {
  const { node, pair, parent } = loc;
  const parentFlow = (YAML.isMap(parent) || YAML.isSeq(parent)) && (parent as Collection).flow === true;

  if (node === undefined) {
    if (!YAML.isMap(parent) || typeof key !== 'string') throw new PatchError('can only add a key to a mapping');
    return addKeyEdit(t, parent, key, data);
  }
  if (!YAML.isNode(node) || node.range === undefined || node.range === null) {
    throw new PatchError('cannot edit a node without a source position');
  }
  if ((YAML.isScalar(node) || YAML.isMap(node) || YAML.isSeq(node)) && node.anchor !== undefined) {
    const { line, column } = t.position(node.range[0]);
    throw new PatchError(`cannot replace a node that carries the anchor &${node.anchor} (line ${line}): aliases of it would change meaning`, line, column);
  }
  const start = node.range[0];
  const end = t.contentEnd(node, pair);
  const nodeFlow = (YAML.isMap(node) || YAML.isSeq(node)) && (node as Collection).flow === true;

  const blockCollection = (YAML.isMap(node) || YAML.isSeq(node)) && !nodeFlow;
  // A scalar or empty collection replacing a block collection goes on the key's line; a comment
  // that was on the key's line stays on it.
  if (isInline(data) && blockCollection && pair !== undefined && !parentFlow) {
    const colon = t.colonEnd(pair);
    const comment = /#[^\r\n]*/.exec(t.text.slice(colon, start))?.[0];
    return { start: colon, end, text: ` ${renderFlow(data)}${comment === undefined ? '' : ` ${comment}`}` };
  }
  // On one line: inside a flow collection, replacing a flow collection, or writing a scalar/empty collection.
  if (parentFlow || nodeFlow || isInline(data)) {
    const rendered = isJsonStyle(parent) || isJsonStyle(node) ? renderJson(data) : renderFlow(data);
    if (isEmptyScalar(node) && pair !== undefined) return { start: end, end, text: ` ${rendered}` };
    return { start, end, text: rendered };
  }

  const keyColumn = pair !== undefined && YAML.isNode(pair.key) && pair.key.range ? t.column(pair.key.range[0]) : -1;
  // A block collection replaced by a block collection: same place, same indentation.
  if ((YAML.isMap(node) || YAML.isSeq(node)) && t.column(start) > keyColumn) {
    return { start, end, text: t.indentLines(renderBlock(data, t.step), t.column(start), false) };
  }
  // A scalar (or a sequence at its key's column) replaced by a block: drop it from the key's line and
  // write the block under the key, leaving any comment on the key's line where it is.
  if (pair === undefined) {
    return { start, end, text: t.indentLines(renderBlock(data, t.step), t.column(start), false) };
  }
  const colon = t.colonEnd(pair);
  const eol = t.lineEnd(end);
  const block = t.newline + t.indentLines(renderBlock(data, t.step), keyColumn + t.step, true);
  const tail = t.text.slice(end, eol);
  const comment = /^\s*$/.test(tail) ? '' : tail.replace(/^[ \t]+/, ' ');
  return { start: colon, end: eol, text: comment + block };
}

function addKeyEdit(t: YamlText, map: YAML.YAMLMap<unknown, unknown>, key: string, data: YamlData): Edit {
  const json = isJsonStyle(map);
  const renderedKey = json ? JSON.stringify(key) : renderFlow(key);
  if (map.flow) {
    const close = (map.range?.[1] ?? 0) - 1;
    if (t.text[close] !== '}') throw new PatchError('cannot find the end of a flow mapping');
    let before = close;
    while (before > 0 && /\s/.test(t.text[before - 1] ?? '')) before--;
    const prev = t.text[before - 1];
    const sep = prev === '{' ? '' : prev === ',' ? ' ' : ', ';
    return { start: before, end: before, text: `${sep}${renderedKey}: ${json ? renderJson(data) : renderFlow(data)}` };
  }
  const first = map.items[0];
  if (first === undefined || !YAML.isNode(first.key) || !first.key.range) throw new PatchError('cannot add a key to an empty block mapping');
  const keyColumn = t.column(first.key.range[0]);
  const at = t.lineEnd(t.contentEnd(map));
  const value = isInline(data)
    ? ` ${renderFlow(data)}`
    : t.newline + t.indentLines(renderBlock(data, t.step), keyColumn + t.step, true);
  return { start: at, end: at, text: `${t.newline}${' '.repeat(keyColumn)}${renderedKey}:${value}` };
}

/** Applies non-overlapping edits (any order) to a text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new PatchError('internal error: overlapping edits');
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}
