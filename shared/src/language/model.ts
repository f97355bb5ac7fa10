/**
 * The language service's view of one environment document: the YAML tree (from the `yaml`
 * package, with offsets) plus what ESC gives meaning to — imports, value properties, builtin
 * calls and interpolations — each with its span. Built once per document version and shared by
 * every feature; it never throws, whatever the text (broken YAML still has a tree: the `yaml`
 * package is error-tolerant). The tree is the version's one parse (syntax/literalTree.ts), which
 * the evaluator decodes too: by segment re-using the unchanged segments of the previous version,
 * else whole.
 */
import { isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Node, Pair, ParsedNode, YAMLMap } from 'yaml';
import { parseLiteralTree, type LiteralTree } from '../syntax/literalTree';
import { scalarInterpolations, type Interpolation } from './scalarInterpolations';
import { LineIndex, type Span } from './text';

export type PathKey = string | number;

export interface ImportEntry {
  name: string;
  span: Span;
  /** `merge: false` in the long form `- name: {merge: false}`. */
  merge: boolean;
  index: number;
}

export interface PropertyNode {
  /** The path under `values`, e.g. ['aws', 'login']. */
  path: PathKey[];
  key: string;
  keySpan: Span;
  value: Node | null;
  /** The whole `key: value` pair. */
  span: Span;
}

export interface BuiltinCall {
  /** The full key, e.g. `fn::open::aws-login`. */
  name: string;
  nameSpan: Span;
  arg: Node | null;
  /** The map holding the call (the call's whole extent). */
  span: Span;
  /** The path under `values` of the value the call produces. */
  path: PathKey[];
}

export interface LocatedInterpolation extends Interpolation {
  /** The values path of the string that contains it. */
  path: PathKey[];
}

export interface SyntaxError {
  message: string;
  span: Span;
  warning: boolean;
}

export interface StringScalar {
  node: Scalar;
  span: Span;
  value: string;
  path: PathKey[];
}

export interface EscDocument {
  uri: string;
  envName: string;
  version: number;
  text: string;
  lines: LineIndex;
  /** The YAML tree (`contents` null for an empty document). */
  yaml: { contents: ParsedNode | null };
  /** This version's one parse (the evaluator finds it by the text; the next version's parse takes over its segments). */
  tree: LiteralTree;
  syntaxErrors: SyntaxError[];
  imports: ImportEntry[];
  importsKeySpan?: Span;
  valuesKeySpan?: Span;
  valuesNode?: YAMLMap;
  // Derived from the `values` tree on first read (a check that asks none of them skips the walk;
  // `builtins` has a walk of its own, which the diagnostics read).
  readonly properties: PropertyNode[];
  readonly builtins: BuiltinCall[];
  readonly interpolations: LocatedInterpolation[];
  readonly strings: StringScalar[];
}

export function nodeSpan(node: Node | null | undefined): Span | undefined {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

export function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

export function pairKey(pair: Pair): string | undefined {
  return scalarString(pair.key);
}

/** The `key: value` extent, without the trailing line break `yaml` counts in block values. */
export function pairSpan(pair: Pair, text?: string): Span | undefined {
  const key = nodeSpan(pair.key as Node | null);
  if (!key) return undefined;
  const value = nodeSpan(pair.value as Node | null);
  let end = value ? Math.max(value.end, key.end) : key.end;
  if (text !== undefined) while (end > key.end && /\s/.test(text[end - 1]!)) end--;
  return { start: key.start, end };
}

/**
 * The model of one version of a document. `previous` (an earlier version of the same document)
 * lends its unchanged segments, and is no longer valid afterwards (its nodes move). `segment:
 * false` parses the text whole (the differential test compares the two).
 */
export function parseEscDocument(uri: string, envName: string, text: string, version = 0, previous?: EscDocument, segment = true): EscDocument {
  // A document over a limit (size, nesting) is not parsed at all: one located error. (The
  // segmented parse checks the limits on the segments it parses, and declines any near them.)
  const tree = parseLiteralTree(text, previous?.tree, segment ? {} : { segment: false });
  const doc = new DocumentModel(uri, envName, version, text, tree);
  const excess = tree.excess;
  if (excess !== undefined) doc.syntaxErrors.push({ message: excess.message, span: { start: excess.offset, end: excess.offset + 1 }, warning: false });
  for (const e of tree.errors) doc.syntaxErrors.push({ message: firstLine(e.message), span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) }, warning: false });
  for (const w of tree.warnings) doc.syntaxErrors.push({ message: firstLine(w.message), span: { start: w.pos[0], end: Math.max(w.pos[1], w.pos[0]) }, warning: true });
  const root = doc.yaml.contents;
  if (!isMap(root)) return doc;
  for (const pair of root.items) {
    const key = pairKey(pair);
    const keySpan = nodeSpan(pair.key as Node | null);
    if (key === 'imports' && keySpan) {
      doc.importsKeySpan = keySpan;
      collectImports(doc, pair.value as Node | null);
    } else if (key === 'values' && keySpan) {
      doc.valuesKeySpan = keySpan;
      if (isMap(pair.value)) {
        doc.valuesNode = pair.value;
        doc.addValues(pair.value, tree.segmented !== undefined && !pair.value.items.some((p) => pairKey(p)?.startsWith('fn::')));
      }
    }
  }
  return doc;
}

/**
 * An EscDocument whose facts about `values` are derived on first read, from its own nodes: read
 * before the next version's parse takes them over (as every reader does: the workspace reads the
 * latest version). Deriving them before each parse just in case cost a full walk per edit
 * (20,000 lines: a quarter of a full check's CPU in the server).
 */
class DocumentModel implements EscDocument {
  readonly lines: LineIndex;
  readonly yaml: { contents: ParsedNode | null };
  readonly syntaxErrors: SyntaxError[] = [];
  readonly imports: ImportEntry[] = [];
  declare importsKeySpan?: Span;
  declare valuesKeySpan?: Span;
  declare valuesNode?: YAMLMap;
  /**
   * The root's `values` maps in order (a repeated key gives several), each with whether its facts
   * are derived entry by entry (a segmented tree, where an unchanged entry's facts are re-used).
   */
  readonly #values: { node: YAMLMap; byEntry: boolean }[] = [];
  #facts: Facts | undefined;
  #builtins: BuiltinCall[] | undefined;

  constructor(readonly uri: string, readonly envName: string, readonly version: number, readonly text: string, readonly tree: LiteralTree) {
    this.lines = new LineIndex(text);
    this.yaml = { contents: tree.contents };
  }

  addValues(node: YAMLMap, byEntry: boolean): void {
    this.#values.push({ node, byEntry });
  }

  get properties(): PropertyNode[] {
    return this.#derivedFacts().properties;
  }

  get interpolations(): LocatedInterpolation[] {
    return this.#derivedFacts().interpolations;
  }

  get strings(): StringScalar[] {
    return this.#derivedFacts().strings;
  }


  /**
   * A document's own diagnostics read only `builtins`, answered without a walk when the text cannot
   * hold a builtin: a key starting with `fn::` is written so in the text, unless a double-quoted key
   * spells it with escapes (a backslash).
   */
  get builtins(): BuiltinCall[] {
    if (this.#builtins === undefined) {
      const builtins: BuiltinCall[] = [];
      const canHoldBuiltins = this.text.includes('fn::') || this.text.includes('\\');
      if (canHoldBuiltins) for (const values of this.#values) {
        if (values.byEntry) for (const entry of values.node.items) for (const call of entryBuiltins(entry)) builtins.push(call);
        else collectBuiltins(builtins, values.node, []);
      }
      this.#builtins = builtins;
    }
    return this.#builtins;
  }

  #derivedFacts(): Facts {
    if (this.#facts !== undefined) return this.#facts;
    const facts: Facts & { text: string } = { text: this.text, properties: [], interpolations: [], strings: [] };
    for (const values of this.#values) {
      if (values.byEntry) for (const entry of values.node.items) appendFacts(facts, entryFacts(this.text, entry));
      else walkValue(facts, values.node, [], false);
    }
    this.#facts = { properties: facts.properties, interpolations: facts.interpolations, strings: facts.strings };
    return this.#facts;
  }
}

/** The builtin calls of each top-level `values` entry of a segmented parse, as `factsOfEntry` keeps facts. */
const builtinsOfEntry = new WeakMap<Pair, { at: number; value: BuiltinCall[] }>();

/** The builtin calls in one `values` entry (whose key is no `fn::` key: see `addValues`). */
function entryBuiltins(pair: Pair): BuiltinCall[] {
  return cachedForEntry(builtinsOfEntry, pair, shiftBuiltins, () => {
    const builtins: BuiltinCall[] = [];
    const key = pairKey(pair);
    collectBuiltins(builtins, pair.value, key === undefined ? [] : [key]);
    return builtins;
  });
}

/**
 * What `derive` gives for a `values` entry of a segmented parse, kept by its pair: an unchanged
 * entry's pair moves to the next version (its nodes shifted in place by the lines inserted or
 * removed above it), and what was derived from it is shifted by the same amount.
 */
function cachedForEntry<T>(cache: WeakMap<Pair, { at: number; value: T }>, pair: Pair, shift: (value: T, delta: number) => void, derive: () => T): T {
  const at = (pair.key as Node | null)?.range?.[0] ?? -1;
  const cached = cache.get(pair);
  if (!cached) {
    const value = derive();
    cache.set(pair, { at, value });
    return value;
  }
  if (cached.at !== at) {
    shift(cached.value, at - cached.at);
    cached.at = at;
  }
  return cached.value;
}

function moveSpan(span: Span, delta: number): void {
  span.start += delta;
  span.end += delta;
}

function shiftBuiltins(builtins: BuiltinCall[], delta: number): void {
  for (const call of builtins) {
    moveSpan(call.nameSpan, delta);
    moveSpan(call.span, delta);
  }
}

/**
 * The builtin calls under `node` (path: the path of `node`, a stack this walk pushes and pops,
 * copied into each call found), in document order: a map whose only key is `fn::…` is a call,
 * and so is any `fn::…` key beside others (an ESC error, but still a builtin the user is typing).
 */
function collectBuiltins(out: BuiltinCall[], node: unknown, path: PathKey[]): void {
  if (isMap(node)) {
    const only = node.items.length === 1 ? node.items[0]! : undefined;
    const name = only ? pairKey(only) : undefined;
    if (only && name?.startsWith('fn::')) {
      const nameSpan = nodeSpan(only.key as Node | null);
      const span = nodeSpan(node);
      if (nameSpan && span) out.push({ name, nameSpan, arg: (only.value as Node | null) ?? null, span, path: [...path] });
      collectBuiltins(out, only.value, path);
      return;
    }
    for (const pair of node.items) {
      const key = pairKey(pair);
      if (key?.startsWith('fn::')) {
        const keySpan = nodeSpan(pair.key as Node | null);
        const span = keySpan && nodeSpan(node);
        if (keySpan && span) out.push({ name: key, nameSpan: keySpan, arg: (pair.value as Node | null) ?? null, span, path: [...path] });
      }
      if (key === undefined) collectBuiltins(out, pair.value, path);
      else {
        path.push(key);
        collectBuiltins(out, pair.value, path);
        path.pop();
      }
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      path.push(i);
      collectBuiltins(out, node.items[i], path);
      path.pop();
    }
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function collectImports(doc: EscDocument, node: Node | null): void {
  if (!isSeq(node)) return;
  node.items.forEach((item, index) => {
    if (isScalar(item)) {
      const name = scalarString(item);
      const span = nodeSpan(item);
      if (name !== undefined && span) doc.imports.push({ name, span, merge: true, index });
    } else if (isMap(item) && item.items.length > 0) {
      const first = item.items[0]!;
      const name = pairKey(first);
      const span = nodeSpan(first.key as Node | null);
      let merge = true;
      if (isMap(first.value)) {
        const mergeValue = first.value.get('merge');
        if (mergeValue === false) merge = false;
      }
      if (name !== undefined && span) doc.imports.push({ name, span, merge, index });
    }
  });
}

/** What the model derives from (part of) the `values` tree (its builtin calls aside). */
interface Facts {
  properties: PropertyNode[];
  interpolations: LocatedInterpolation[];
  strings: StringScalar[];
}

/**
 * The facts of each top-level `values` entry of a segmented parse, by its pair (which the next
 * version's parse takes over while the entry's text is unchanged), with the offset of its key
 * when they were computed: re-used facts are moved with the entry, not derived again.
 */
const factsOfEntry = new WeakMap<Pair, { at: number; value: Facts }>();

function entryFacts(text: string, pair: Pair): Facts {
  return cachedForEntry(factsOfEntry, pair, shiftFacts, () => {
    const facts: Facts & { text: string } = { text, properties: [], interpolations: [], strings: [] };
    walkPair(facts, pair, [], false);
    return facts;
  });
}

function shiftFacts(facts: Facts, delta: number): void {
  for (const p of facts.properties) {
    moveSpan(p.keySpan, delta);
    moveSpan(p.span, delta);
  }
  for (const i of facts.interpolations) {
    moveSpan(i.span, delta);
    moveSpan(i.inner, delta);
    for (const a of i.accessors) moveSpan(a.span, delta);
  }
  for (const s of facts.strings) moveSpan(s.span, delta);
}

function appendFacts(into: Facts, facts: Facts): void {
  for (const p of facts.properties) into.properties.push(p);
  for (const i of facts.interpolations) into.interpolations.push(i);
  for (const s of facts.strings) into.strings.push(s);
}

function walkValue(doc: Facts & { text: string }, node: unknown, path: PathKey[], inBuiltinArg: boolean): void {
  if (isMap(node)) {
    const callPair = node.items.length === 1 ? node.items[0]! : undefined;
    if (callPair && pairKey(callPair)?.startsWith('fn::')) {
      walkValue(doc, callPair.value, path, true);
      return;
    }
    for (const pair of node.items) walkPair(doc, pair, path, inBuiltinArg);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkValue(doc, item, [...path, i], inBuiltinArg));
  } else if (isScalar(node) && typeof node.value === 'string') {
    const range = node.range;
    if (!range) return;
    const source = doc.text.slice(range[0], range[1]);
    doc.strings.push({ node, span: { start: range[0], end: range[1] }, value: node.value, path });
    if (source.includes('${')) {
      for (const interp of scalarInterpolations(source, node.value, node.type, range[0])) doc.interpolations.push({ ...interp, path });
    }
  }
}

/** One `key: value` of a map: its property, and what is below it. */
function walkPair(doc: Facts & { text: string }, pair: Pair, path: PathKey[], inBuiltinArg: boolean): void {
  const key = pairKey(pair);
  const keySpan = nodeSpan(pair.key as Node | null);
  const childPath = key === undefined ? path : [...path, key];
  if (key !== undefined && keySpan && !inBuiltinArg) {
    doc.properties.push({ path: childPath, key, keySpan, value: (pair.value as Node | null) ?? null, span: pairSpan(pair, doc.text) ?? { ...keySpan } });
  }
  walkValue(doc, pair.value, childPath, inBuiltinArg || (key?.startsWith('fn::') ?? false));
}

/** One step from the root to the node under the cursor. */
export interface LocationStep {
  node: Node;
  /** The pair whose key or value holds the next step (maps only). */
  pair?: Pair;
  /** True when the cursor is on the pair's key. */
  onKey?: boolean;
  /** The key (map) or index (sequence) leading to the next step. */
  key?: PathKey;
}

/** The chain of YAML nodes containing `offset`, outermost first. */
export function locate(doc: EscDocument, offset: number): LocationStep[] {
  const steps: LocationStep[] = [];
  let node: unknown = doc.yaml.contents;
  while (node && (isMap(node) || isSeq(node) || isScalar(node))) {
    const current = node as Node;
    if (isMap(current)) {
      let next: unknown;
      for (const pair of current.items) {
        const keySpan = nodeSpan(pair.key as Node | null);
        const valueSpan = nodeSpan(pair.value as Node | null);
        if (keySpan && offset >= keySpan.start && offset <= keySpan.end) {
          steps.push({ node: current, pair, onKey: true, key: pairKey(pair) });
          if (isScalar(pair.key)) steps.push({ node: pair.key });
          return steps;
        }
        if (valueSpan && offset >= valueSpan.start && offset <= valueSpan.end) {
          steps.push({ node: current, pair, onKey: false, key: pairKey(pair) });
          next = pair.value;
          break;
        }
      }
      if (next === undefined) {
        steps.push({ node: current });
        return steps;
      }
      node = next;
    } else if (isSeq(current)) {
      let next: unknown;
      current.items.forEach((item, i) => {
        const span = nodeSpan(item as Node);
        if (next === undefined && span && offset >= span.start && offset <= span.end) {
          steps.push({ node: current, key: i });
          next = item;
        }
      });
      if (next === undefined) {
        steps.push({ node: current });
        return steps;
      }
      node = next;
    } else {
      steps.push({ node: current });
      return steps;
    }
  }
  return steps;
}

export { isMap, isPair, isScalar, isSeq };
