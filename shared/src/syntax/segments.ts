/**
 * Segmented YAML parsing: an environment's text is cut at its top-level keys and at the direct
 * children of a block `values` map (where edits land in large files), each segment is parsed on
 * its own (by simpleYaml.ts's fast path, which gives the `yaml` package's exact nodes, else by
 * the package), and the document tree is assembled from the segments' pairs
 * with offsets shifted to document offsets. A segment whose text did not change since the
 * previous version of the same document is not parsed again: its nodes are taken over from that
 * version (and shifted in place by the lines inserted or removed above it), so a one-character
 * edit re-parses one segment. A child of `values` is cut at its key (not at its line's start):
 * the whole parse's ranges end where the next key starts. A node's `range[0..1]` (start, value
 * end: what the model's spans are made of) equal the whole parse's; `range[2]` (the end after
 * trailing comments) may end earlier.
 *
 * Why by hand: the `yaml` package has no incremental parse; its tree is what every consumer
 * already reads. The cut is only made where it is provably local — every segment starts with a
 * plain or quoted `key:` at its level, no tabs in indentation, no document markers or
 * directives, every segment parses without error or warning into one pair, no anchors or aliases
 * (they could cross segments), no empty block scalars, no indentation indicators, no explicit keys. Anything else answers undefined: the caller parses the whole
 * document (test/unit/syntax-segments-differential.test.ts compares the two on random edits).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, Scalar, YAMLMap } from 'yaml';
import type { Node, Pair, ParsedNode } from 'yaml';
import { findExcessNesting, MAX_DOCUMENT_CHARS, MAX_NESTING } from './limits';
import { parseSimpleYaml } from './simpleYaml';

/**
 * The `yaml` options of every parse of a document (whole or segmented; syntax/literalTree.ts):
 * the default (core) schema, which the editor's model reads; the evaluator reads scalars' source
 * text and resolves them as yaml.v3 does (syntax/yaml.ts).
 */
export const MODEL_YAML_OPTIONS = { uniqueKeys: false, strict: false, prettyErrors: false, keepSourceTokens: false } as const;

/** How many times the `yaml` package parsed a whole document or a segment (test/unit/syntax-one-parse.test.ts reads it). */
export const parseCounter = { parses: 0 };

type Kind = 'top' | 'values' | 'child';

/** One parsed segment: its text, where it starts, and its one pair (at document offsets). */
export interface ParsedSegment {
  kind: Kind;
  text: string;
  start: number;
  pair: Pair<ParsedNode, ParsedNode | null>;
  /** The range the segment's own root map had (document offsets): assembles the parents' ranges. */
  mapRange: [number, number, number];
  /** `values` segments: the header's own value (null), which the assembled children replace. */
  ownValue?: ParsedNode | null;
  /** Built by the fast path (simpleYaml.ts): its text has no YAML error even under a strict parse. */
  fast: boolean;
}

export interface SegmentedTree {
  contents: YAMLMap.Parsed;
  segments: ParsedSegment[];
  /** Segments parsed for this version (the rest were taken over from the previous one). */
  parsed: number;
  /** Every segment was built by the fast path. */
  fast: boolean;
}

interface Cut {
  kind: Kind;
  start: number;
  end: number;
}

const TOP_KEY = /^([A-Za-z0-9_$][^:#]*?|"[^"\\\n]*"|'[^'\n]*'):(?:[ \t]|$)/;
const CHILD_KEY = /^([A-Za-z0-9_$][^:#]*?|"[^"\\\n]*"|'[^'\n]*'):(?:[ \t]|$)/;
const BLOCK_VALUES = /^values:[ \t]*(#.*)?$/;
/** A line whose value is empty (a key or a `-` with nothing after it, comments aside). */
const EMPTY_VALUE = /(^|:|-)[ \t]*$/;
/** A line that starts a block scalar (its value is `|` or `>` with indicators, comments aside). */
const BLOCK_SCALAR_HEADER = /(^|[\s:-])[|>][-+0-9]*[ \t]*(#.*)?$/;
/** An explicit key (`? k`): its map's value end runs on over trailing comments. */
const EXPLICIT_KEY = /(^|[\s[{,])\?(\s|$)/;

/**
 * Where the text is cut, or undefined when the layout is not one this can prove local. A segment
 * starts at its key, or at the blank and comment lines right before it: the whole parse ends a
 * value before them. (Except after an empty value, whose range the whole parse runs on to the
 * next key: such a layout is declined.)
 */
export function cutSegments(text: string): Cut[] | undefined {
  // One pass over character codes: no per-line strings except on key lines (this runs on every
  // version of the document).
  const cuts: Cut[] = [];
  let inValues = false;
  let childIndent = -1;
  let sawValues = false;
  /** Start of the blank/comment lines since the last content line (-1: none). */
  let runStart = -1;
  /** The last content line (its value may be empty: see `cut`). */
  let lastLineStart = 0;
  let lastLineEnd = 0;
  let lastWasValuesHeader = false;
  /** A comment at or left of the children's column since the last child's key. */
  let shallowComment = false;
  let offset = 0;
  /** The segment being read has a block scalar (`|`, `>`): blank and `#` lines after it may be its text. */
  let blockScalar = false;
  const cut = (kind: Kind, keyAt: number): boolean => {
    if (cuts.length > 0 && runStart >= 0 && (blockScalar || (!lastWasValuesHeader && EMPTY_VALUE.test(text.slice(lastLineStart, lastLineEnd).replace(/[ \t]#.*$/, ''))))) return false;
    blockScalar = false;
    cuts.push({ kind, start: cuts.length === 0 ? 0 : runStart >= 0 ? runStart : keyAt, end: 0 });
    return true;
  };
  const n = text.length;
  while (offset < n) {
    let newline = text.indexOf('\n', offset);
    if (newline < 0) newline = n;
    const next = newline + 1;
    const lineEnd = newline > offset && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
    let indent = 0;
    while (offset + indent < lineEnd && text.charCodeAt(offset + indent) === 32) indent++;
    const first = offset + indent < lineEnd ? text.charCodeAt(offset + indent) : -1;
    if (first === 9) return undefined;
    if (first === -1 || first === 35 /* # */) {
      if (runStart < 0) runStart = offset;
      if (first === 35 && inValues && childIndent >= 0 && indent <= childIndent) shallowComment = true;
      offset = next;
      continue;
    }
    let header = false;
    if (indent === 0) {
      const line = text.slice(offset, lineEnd);
      if (!TOP_KEY.test(line)) return undefined;
      inValues = false;
      if (line.startsWith('values:')) {
        if (sawValues) return undefined;
        sawValues = true;
        inValues = BLOCK_VALUES.test(line);
        header = inValues;
        childIndent = -1;
      }
      if (!cut(inValues ? 'values' : 'top', offset)) return undefined;
    } else if (cuts.length === 0) {
      return undefined;
    } else if (inValues) {
      if (childIndent < 0) childIndent = indent;
      if (indent < childIndent) return undefined;
      // Parsed from its key's column, a child segment would read that comment as deeper text.
      if (indent > childIndent && shallowComment) return undefined;
      shallowComment = false;
      if (indent === childIndent) {
        if (!CHILD_KEY.test(text.slice(offset + indent, lineEnd))) return undefined;
        // Cut at the key, not the line: the whole parse's ranges end where the next key starts.
        if (!cut('child', offset + indent)) return undefined;
      }
    }
    if (!blockScalar && mayStartBlockScalar(text, offset, lineEnd)) blockScalar = BLOCK_SCALAR_HEADER.test(text.slice(offset, lineEnd));
    runStart = -1;
    lastLineStart = offset;
    lastLineEnd = lineEnd;
    lastWasValuesHeader = header;
    offset = next;
  }
  if (cuts.length === 0) return undefined;
  for (let i = 0; i < cuts.length; i++) cuts[i]!.end = i + 1 < cuts.length ? cuts[i + 1]!.start : text.length;
  // A block `values` with no children is an ordinary top-level segment.
  for (let i = 0; i < cuts.length; i++) if (cuts[i]!.kind === 'values' && cuts[i + 1]?.kind !== 'child') cuts[i]!.kind = 'top';
  return cuts;
}

/**
 * Whether the line [from, to) holds a `|` or `>` (the only lines worth the header test). Scans the
 * line alone: a `lastIndexOf` from the line's end would run back over the whole text on every
 * line without one, quadratic in a long document.
 */
function mayStartBlockScalar(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 124 /* | */ || code === 62 /* > */) return true;
  }
  return false;
}

/** Adds `delta` to every range in the subtree of `node` (pairs, collections, scalars). */
function shift(node: unknown, delta: number): void {
  if (isPair(node)) {
    shift(node.key, delta);
    shift(node.value, delta);
    return;
  }
  const range = (node as Node | null)?.range;
  if (range) {
    range[0] += delta;
    range[1] += delta;
    range[2] += delta;
  }
  if (isMap(node) || isSeq(node)) for (const item of node.items) shift(item, delta);
}

/**
 * True when the subtree holds what a segment cannot parse as the whole document does: an anchor
 * or an alias (they may reach across segments), or an empty block scalar (its range ends at the
 * next line's start, which a segment cut at a key does not have).
 */
function notLocal(node: unknown): boolean {
  if (isPair(node)) return notLocal(node.key) || notLocal(node.value);
  if (isAlias(node)) return true;
  if ((node as Node | null)?.anchor !== undefined) return true;
  if (isScalar(node)) return (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) && node.value === '';
  if (isMap(node) || isSeq(node)) return node.items.some(notLocal);
  return false;
}

/**
 * A block scalar's explicit indentation indicator (`|2`) counts from its parent's indentation,
 * which a child segment (parsed from its key's column) does not share with the whole document.
 */
const INDENTATION_INDICATOR = /[|>][+-]?[1-9]/;

function parseSegment(kind: Kind, text: string, start: number): ParsedSegment | undefined {
  // The nesting limit is checked per new segment (a segment is at most two levels below the
  // document's root); a segment near it is left to the whole parse, which checks the whole text.
  if (findExcessNesting(text, MAX_NESTING - 2) !== undefined) return undefined;
  if ((kind === 'child' && INDENTATION_INDICATOR.test(text)) || EXPLICIT_KEY.test(text)) return undefined;
  parseCounter.parses++;
  // Most segments are in the fast path's subset: its nodes are the package's, exactly.
  let root = parseSimpleYaml(text, { exactRanges: true }) as ParsedNode | undefined;
  const fast = root !== undefined;
  if (root === undefined) {
    const doc = parseDocument(text, MODEL_YAML_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
    root = doc.contents ?? undefined;
  }
  if (!isMap(root) || root.items.length !== 1 || !root.range) return undefined;
  const pair = root.items[0]! as Pair<ParsedNode, ParsedNode | null>;
  if (!isScalar(pair.key) || notLocal(pair)) return undefined;
  // A `values` header has no value of its own (null).
  if (kind === 'values' && pair.value !== null && !(isScalar(pair.value) && pair.value.value === null)) return undefined;
  shift(pair, start);
  const [a, b, c] = root.range;
  return { kind, text, start, pair, mapRange: [a + start, b + start, c + start], ...(kind === 'values' ? { ownValue: pair.value } : {}), fast };
}

/** A map of `pairs` whose range is that of the maps the pairs were parsed in, joined. */
function assemble(segments: ParsedSegment[]): YAMLMap.Parsed {
  const map = new YAMLMap<ParsedNode, ParsedNode | null>();
  map.items = segments.map((s) => s.pair);
  const first = segments[0]!.mapRange;
  const last = segments[segments.length - 1]!.mapRange;
  map.range = [first[0], last[1], last[2]];
  // A parsed map is a map with a range and parsed items: what this now is.
  return map as unknown as YAMLMap.Parsed;
}

/**
 * The tree of `text` from its segments, re-using the segments of `previous` (a tree of an earlier
 * version of the same document, which this takes over: its nodes move) whose text is unchanged,
 * then those of `spare` (segments no tree holds any more, which this takes out of it).
 * Undefined when the text cannot be cut provably (the caller parses it whole).
 */
export function parseSegmented(text: string, previous?: SegmentedTree, spare?: SegmentCache): SegmentedTree | undefined {
  const reusable = new SegmentCache(Infinity);
  for (const s of previous?.segments ?? []) reusable.keep(s);
  if (previous) previous.segments = [];
  return parseFrom(text, reusable, false, spare);
}

/**
 * Parsed segments by text, for a parser whose trees are used synchronously and then dropped
 * (the evaluator's own parses: syntax/yaml.ts decodes the tree into its own nodes at once), so one
 * segment's nodes can serve any later document with the same segment, wherever it is.
 * Least recently used first out, bounded by the characters of text kept.
 */
export class SegmentCache {
  private readonly byKey = new Map<string, ParsedSegment[]>();
  private size = 0;

  constructor(private readonly maxChars: number) {}

  /** True when any segment of `text` (as cut) is held. */
  holdsSegmentOf(text: string): boolean {
    if (this.size === 0) return false;
    const cuts = cutSegments(text);
    return cuts !== undefined && cuts.some((cut) => this.byKey.has(`${cut.kind}\u0000${text.slice(cut.start, cut.end)}`));
  }

  /** A segment of this kind and text (removed from the cache until kept again). */
  take(kind: Kind, text: string): ParsedSegment | undefined {
    const key = `${kind}\u0000${text}`;
    const list = this.byKey.get(key);
    const found = list?.shift();
    if (!found) return undefined;
    if (list!.length === 0) this.byKey.delete(key);
    this.size -= text.length;
    return found;
  }

  keep(segment: ParsedSegment): void {
    const key = `${segment.kind}\u0000${segment.text}`;
    const list = this.byKey.get(key);
    // Most recently used last (re-inserted).
    this.byKey.delete(key);
    this.byKey.set(key, list ? [...list, segment] : [segment]);
    this.size += segment.text.length;
    for (const [oldest, entries] of this.byKey) {
      if (this.size <= this.maxChars) break;
      this.byKey.delete(oldest);
      for (const e of entries) this.size -= e.text.length;
    }
  }
}

/** The tree of `text` from `cache`'s segments where it has them; every segment is kept in it after. */
export function parseSegmentedCached(text: string, cache: SegmentCache): SegmentedTree | undefined {
  return parseFrom(text, cache, true);
}

function parseFrom(text: string, source: SegmentCache, keepAfter = false, spare?: SegmentCache): SegmentedTree | undefined {
  if (text.length > MAX_DOCUMENT_CHARS) return undefined;
  const cuts = cutSegments(text);
  if (!cuts) return undefined;
  const segments: ParsedSegment[] = [];
  let parsed = 0;
  let failed = false;
  for (const cut of cuts) {
    const segmentText = text.slice(cut.start, cut.end);
    const old = source.take(cut.kind, segmentText) ?? spare?.take(cut.kind, segmentText);
    if (old) {
      const delta = cut.start - old.start;
      if (old.kind === 'values') old.pair.value = old.ownValue ?? null;
      if (delta !== 0) {
        shift(old.pair, delta);
        old.mapRange = [old.mapRange[0] + delta, old.mapRange[1] + delta, old.mapRange[2] + delta];
        old.start = cut.start;
      }
      segments.push(old);
      continue;
    }
    const fresh = parseSegment(cut.kind, segmentText, cut.start);
    parsed++;
    if (!fresh) {
      failed = true;
      break;
    }
    segments.push(fresh);
  }
  if (keepAfter) for (const s of segments) source.keep(s);
  if (failed) return undefined;
  const top: ParsedSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind !== 'values') {
      top.push(s);
      continue;
    }
    let j = i + 1;
    while (j < segments.length && segments[j]!.kind === 'child') j++;
    const children = segments.slice(i + 1, j);
    const values = assemble(children);
    s.pair.value = values;
    // The values pair's extent is the header's key to the last child's.
    top.push({ ...s, mapRange: [s.mapRange[0], values.range![1], values.range![2]] });
    i = j - 1;
  }
  return { contents: assemble(top), segments, parsed, fast: segments.every((s) => s.fast) };
}
