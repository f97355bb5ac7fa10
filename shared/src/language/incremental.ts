/**
 * Incremental checking of large environments. ESC's `values` is a map whose top-level entries
 * only affect one another through `${...}` references, so after an edit confined to some entries
 * only those entries, the entries that (transitively) reference them, and what those reference
 * need re-checking. The reduced document is the document with the entries not needed reduced to
 * their key (a stub, so that "did you mean" sees every name); a line
 * map puts what the evaluator says about it back in place (kept entries are whole, so positions
 * are exact); the other entries keep their previous diagnostics and values (moved by the lines
 * the edit added or removed above them).
 *
 * Anything this cannot prove safe falls back to a full check: a change outside `values`
 * entries (imports, header), reordered or duplicate keys, YAML errors, flow-style `values`, or
 * any imported environment whose text changed since the previous check. Added and removed
 * entries are incremental (whatever references them is re-checked). The result equals a full
 * check's: test/unit/language-incremental-differential.test.ts compares the two over many
 * random edits.
 */
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { Diagnostic as EvalDiagnostic } from '../syntax/diagnostic';
import type { LazySchemas } from './schemas';
import { memo, type LazyValues, type Values } from './checkedValues';
import { setOwn } from '../schema/ops';

export interface TopLevelEntry {
  key: string;
  /** 0-based, inclusive. */
  startLine: number;
  /** 0-based, exclusive. */
  endLine: number;
  text: string;
  /** The offset of its first line in the partitioned text. */
  startOffset: number;
  /** Top-level keys this entry references through `${...}`. */
  refs: Set<string>;
  /** The entry's key line with an empty map for value: what stands in for it when not re-checked. */
  stub: string;
}

export interface Partition {
  /** The document with every entry's lines removed (imports, `values:` line, comments outside). */
  header: string;
  /** The lines before the first entry (through the `values:` line), without the last line break. */
  head: string;
  /** The lines after the last entry (from the next top-level key on), if any. */
  tail?: string;
  entries: TopLevelEntry[];
  /** The text partitioned, and the entries' indentation: the next version is partitioned from them. */
  text?: string;
  indent?: number;
}

/** What a check was computed from and produced: the basis of the next incremental check. */
export interface CheckBasis {
  partition: Partition;
  diagnostics: EvalDiagnostic[];
  values?: LazyValues;
  /** The schema index (hover) of the same check. */
  schemas?: LazySchemas;
  /** Texts of the other environments the check loaded (undefined = not found). */
  dependencies: Map<string, string | undefined>;
  /** The language service's own diagnostics of the document (syntax, names, plaintext secrets). */
  own: LspDiagnostic[];
  /** The check could not evaluate the environment (load errors only): not a basis. */
  unevaluated?: boolean;
}

export interface IncrementalPlan {
  /** The document without the entries outside `kept`. */
  compactText: string;
  /** For each line of `compactText`, its 0-based line in the document. */
  lineMap: number[];
  /** Entries whose diagnostics/values come from the reduced check. */
  affected: Set<string>;
  kept: Set<string>;
  /** The entries not re-checked stand in `compactText` as stubs. */
  stubs?: boolean;
}

const SPECIAL_ROOTS = new Set(['context', 'environments', 'imports']);

const ROOT_KEY = /^([^\s#'"][^:#]*?|"[^"]*"|'[^']*'):(\s+#.*)?\s*$/;
const ENTRY_KEY = /^([^\s#'"\-[{][^:#]*?|"[^"]*"|'[^']*'):(\s|$)/;
const INTERPOLATION_ROOT = /(\$+)\{\s*([^.[}\s]*)/g;
const VALUES_LINE = /^values:(\s+#.*)?\s*$/;

function unquote(key: string): string {
  return (key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'")) ? key.slice(1, -1) : key;
}

/**
 * Splits the text into `values` entries by indentation alone — no YAML parse, so an edit's
 * incremental check does not wait for one. Whenever the layout is not the plain block style this
 * understands (flow `values`, continuation lines at the entries' indentation, `${[...]}`
 * references, duplicate keys), it answers undefined and the check is a full one.
 *
 * This runs on every keystroke of the largest documents, so it walks the text once by offsets
 * (`indexOf` for line breaks and tabs) and makes strings only of key lines and entry bodies.
 */
export function partitionText(text: string, previous?: Partition): Partition | undefined {
  if (previous) {
    const edited = repartition(text, previous);
    if (edited !== null) return edited;
  }
  const n = text.length;
  // Lines are as `text.split('\n')` gives them: `offset` is a line's start, `line` its index.
  let offset = 0;
  let line = 0;
  let valuesLine = -1;
  while (offset <= n) {
    const newline = lineBreakAt(text, offset);
    const isValues = text.startsWith('values:', offset) && VALUES_LINE.test(text.slice(offset, newline));
    offset = newline + 1;
    line++;
    if (isValues) {
      valuesLine = line - 1;
      break;
    }
  }
  if (valuesLine < 0) return undefined;
  const scanned = scanLines(text, offset, line, n + 1, -1);
  if (!scanned) return undefined;
  const { starts, indent } = scanned;
  const end = scanned.rootLine ?? scanned.line;
  const endOffset = scanned.rootOffset ?? n + 1;
  if (starts.length === 0) return { header: text, head: text, entries: [] };
  // An entry whose text is unchanged since `previous` keeps its references (not scanned again).
  const known = new Map<string, TopLevelEntry>();
  for (const entry of previous?.entries ?? []) known.set(entry.text, entry);
  const entries = entriesOf(text, starts, end, endOffset, known, new Set(), false);
  if (!entries) return undefined;
  const head = text.slice(0, starts[0]!.offset - 1);
  const tail = endOffset <= n ? text.slice(endOffset) : undefined;
  return { header: tail === undefined ? head : `${head}\n${tail}`, head, ...(tail === undefined ? {} : { tail }), entries, text, indent };
}

interface EntryStart {
  key: string;
  line: number;
  offset: number;
  stub: string;
}

/**
 * Reads the lines of a `values` block from `offset` (line `line`) up to `limit` (a line start,
 * not read) or to the first top-level line: where entries start (a line at the entries'
 * indentation `indent`, -1: the first content line's), undefined for a layout this does not
 * understand. Indentation and first characters are read by code, tabs found by `indexOf`.
 */
function scanLines(text: string, offset: number, line: number, limit: number, indent: number): { starts: EntryStart[]; indent: number; line: number; rootLine?: number; rootOffset?: number } | undefined {
  const n = text.length;
  let nextTab = text.indexOf('\t', offset);
  const hasTab = (from: number, to: number): boolean => {
    if (nextTab >= 0 && nextTab < from) nextTab = text.indexOf('\t', from);
    return nextTab >= 0 && nextTab < to;
  };
  const starts: EntryStart[] = [];
  for (let newline = lineBreakAt(text, offset); offset <= n && offset < limit; offset = newline + 1, newline = lineBreakAt(text, offset), line++) {
    let lineIndent = 0;
    while (text.charCodeAt(offset + lineIndent) === 32 && offset + lineIndent < newline) lineIndent++;
    const first = offset + lineIndent < newline ? text.charCodeAt(offset + lineIndent) : NaN;
    if (Number.isNaN(first) || first === 35 /* # */ || (first === 13 && offset + lineIndent === newline - 1)) continue;
    const lineEnd = text.charCodeAt(newline - 1) === 13 && newline > offset ? newline - 1 : newline;
    if (lineIndent === 0) {
      const l = text.slice(offset, lineEnd);
      if (!ROOT_KEY.test(l) && !/^[^\s#][^:]*:\s/.test(l)) return undefined;
      return { starts, indent, line, rootLine: line, rootOffset: offset };
    }
    if (first === 9) return undefined;
    if (indent < 0) indent = lineIndent;
    if (lineIndent < indent) return undefined;
    if (lineIndent === indent) {
      if (hasTab(offset, newline)) return undefined;
      const match = ENTRY_KEY.exec(text.slice(offset + lineIndent, lineEnd));
      if (!match) return undefined;
      starts.push({ key: unquote(match[1]!.trim()), line, offset, stub: `${text.slice(offset, offset + lineIndent)}${match[1]!.trim()}: {}` });
    } else if (hasTab(offset + lineIndent, newline)) return undefined;
  }
  return { starts, indent, line };
}

/**
 * The entries starting at `starts`, the last one ending at line `end` (offset `endOffset`, a line
 * start or the text's length + 1); trailing blank/comment lines stay with the entry before them.
 * Undefined for a duplicate key (also against `taken`) or references this cannot read.
 * `detach`: bodies are copied out of `text`, so that entries kept across versions do not keep
 * every version's whole text alive.
 */
function entriesOf(text: string, starts: EntryStart[], end: number, endOffset: number, known: Map<string, TopLevelEntry>, taken: Set<string>, detach: boolean): TopLevelEntry[] | undefined {
  const entries: TopLevelEntry[] = [];
  for (let i = 0; i < starts.length; i++) {
    const { key, line: startLine, offset: startOffset, stub } = starts[i]!;
    if (taken.has(key)) return undefined;
    taken.add(key);
    const next = starts[i + 1];
    let body = text.slice(startOffset, (next ? next.offset : endOffset) - 1);
    const before = known.get(body);
    if (detach) body = before?.text ?? copyOf(body);
    const refs = before?.key === key ? before.refs : referencesOf(body);
    if (!refs) return undefined;
    entries.push({ key: detach ? copyOf(key) : key, startLine, endLine: next ? next.line : end, text: body, startOffset, refs, stub: detach ? copyOf(stub) : stub });
  }
  return entries;
}

/** A string with the characters of `s` that is not a slice of a larger one (V8 keeps a slice's parent alive). */
function copyOf(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * The partition of `text` from that of an earlier version: the entries around the changed span
 * (found by comparing the two texts from both ends) are read again, those before it taken as
 * they are and those after it moved. Null when the change reaches the first or last entries or
 * outside `values` (the whole text is read then), undefined when the text has no partition.
 */
function repartition(text: string, previous: Partition): Partition | undefined | null {
  const old = previous.text;
  const entries = previous.entries;
  if (old === undefined || previous.indent === undefined || entries.length < 4) return null;
  if (old === text) return previous;
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const a = entryAtOffset(entries, prefix) - 1;
  const b = entryAtOffset(entries, old.length - suffix) + 2;
  if (a < 0 || b >= entries.length) return null;
  const delta = text.length - old.length;
  const stop = entries[b]!.startOffset + delta;
  const scanned = scanLines(text, entries[a]!.startOffset, entries[a]!.startLine, stop, previous.indent);
  if (scanned?.rootLine !== undefined || scanned?.starts[0]?.offset !== entries[a]!.startOffset) return scanned ? null : undefined;
  const taken = new Set<string>();
  for (let i = 0; i < entries.length; i++) if (i < a || i >= b) taken.add(entries[i]!.key);
  const known = new Map<string, TopLevelEntry>();
  for (let i = a; i < b; i++) known.set(entries[i]!.text, entries[i]!);
  const region = entriesOf(text, scanned.starts, scanned.line, stop, known, taken, true);
  if (!region) return undefined;
  const lineDelta = scanned.line - entries[b]!.startLine;
  const moved = entries.slice(b).map((e) => (lineDelta === 0 && delta === 0 ? e : { ...e, startLine: e.startLine + lineDelta, endLine: e.endLine + lineDelta, startOffset: e.startOffset + delta }));
  return { ...previous, entries: [...entries.slice(0, a), ...region, ...moved], text };
}

/** The index of the last entry starting at or before `offset` (-1: none). */
function entryAtOffset(entries: readonly TopLevelEntry[], offset: number): number {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (entries[mid]!.startOffset <= offset) low = mid + 1;
    else high = mid - 1;
  }
  return high;
}

/** The length of the longest common prefix, by halving: each comparison is one native string compare. */
function commonPrefix(a: string, b: string): number {
  let low = 0;
  let high = Math.min(a.length, b.length);
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (a.startsWith(b.slice(low, mid), low)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The length of the longest common suffix, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (a.endsWith(b.slice(b.length - mid, b.length - low), a.length - low)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The offset of the line break ending the line that starts at `offset` (the text's length for the last line). */
function lineBreakAt(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline;
}

/** The top-level keys an entry's text references, or undefined when it cannot tell. */
function referencesOf(body: string): Set<string> | undefined {
  const refs = new Set<string>();
  if (!body.includes('{')) return refs;
  for (const m of body.matchAll(INTERPOLATION_ROOT)) {
    if (m[1]!.length % 2 === 0) continue; // `$${` is an escaped `$`
    if (m[2] === '') return undefined; // `${["key"]}` or `${}`: leave it to a full check
    if (!SPECIAL_ROOTS.has(m[2]!)) refs.add(m[2]!);
  }
  return refs;
}

/** Which entry (by key) a 0-based line is in, or undefined for the header. */
export function entryAtLine(p: Partition, line: number): TopLevelEntry | undefined {
  let low = 0;
  let high = p.entries.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const entry = p.entries[mid]!;
    if (line < entry.startLine) high = mid - 1;
    else if (line >= entry.endLine) low = mid + 1;
    else return entry;
  }
  return undefined;
}

/**
 * The reduced check for `current` given the previous basis, or undefined for a full check.
 * Entries are matched by key: an entry whose text is unchanged keeps its results (moved); an
 * added, edited or removed entry is affected, and so is every entry that references an affected
 * one (a removed key is what a reference to it now resolves differently to). An unchanged text
 * gives an empty plan: the previous results stand.
 *
 * `needsStubs(kept)` says whether the entries not re-checked must stand in the reduced document
 * as stubs: only a "did you mean" for a top-level name looks at them (see `stubsNeeded`); without
 * them the reduced document is the header and the kept entries alone, whatever the document's size.
 */
export function planIncremental(previous: CheckBasis | undefined, current: Partition, needsStubs: (kept: ReadonlySet<string>) => boolean = () => true): IncrementalPlan | undefined {
  if (!previous || previous.partition.header !== current.header) return undefined;
  const before = new Map(previous.partition.entries.map((entry) => [entry.key, entry]));
  // Entries kept from before stay in the same order: evaluation order decides, e.g., where a
  // cycle is reported.
  let i = 0;
  for (const entry of current.entries) {
    if (!before.has(entry.key)) continue;
    while (i < previous.partition.entries.length && previous.partition.entries[i]!.key !== entry.key) i++;
    if (i === previous.partition.entries.length) return undefined;
  }
  const changed = new Set<string>();
  const currentKeys = new Set<string>();
  // Old and new references both count: an edit may add or remove a reference.
  const refs = new Map<string, ReadonlySet<string>>();
  for (const entry of current.entries) {
    currentKeys.add(entry.key);
    const old = before.get(entry.key);
    if (old?.text !== entry.text) changed.add(entry.key);
    refs.set(entry.key, !old || old.refs === entry.refs ? entry.refs : new Set([...entry.refs, ...old.refs]));
  }
  for (const key of before.keys()) if (!currentKeys.has(key)) changed.add(key);
  const affected = new Set(changed);
  for (let grew = affected.size > 0; grew; ) {
    grew = false;
    for (const [key, targets] of refs) {
      if (affected.has(key)) continue;
      for (const target of targets) {
        if (!affected.has(target)) continue;
        affected.add(key);
        grew = true;
        break;
      }
    }
  }
  const kept = new Set(affected);
  const queue = [...affected];
  while (queue.length > 0) {
    for (const target of refs.get(queue.pop()!) ?? []) {
      if (!kept.has(target) && refs.has(target)) {
        kept.add(target);
        queue.push(target);
      }
    }
  }
  const stubs = needsStubs(kept);
  return { ...reducedDocument(current, kept, stubs), affected, kept, ...(stubs ? { stubs } : {}) };
}

/**
 * The document with the entries outside `kept` left out (`stubs`: each replaced by its key, an
 * empty map, so that its name is still a candidate of "did you mean"), built from the partition's
 * pieces: no pass over the whole text. Kept lines are copied whole, so a column in the reduced
 * document is the same column in the document.
 */
export function reducedDocument(current: Partition, kept: ReadonlySet<string>, stubs: boolean): { compactText: string; lineMap: number[] } {
  const pieces = [current.head];
  const lineMap: number[] = [];
  const firstEntryLine = current.entries[0]?.startLine ?? countLines(current.head);
  for (let line = 0; line < firstEntryLine; line++) lineMap.push(line);
  let lastLine = firstEntryLine;
  // A `values` left empty would be no environment at all: with nothing kept (the text is the
  // checked one), the first entry's stub stands in for the others.
  const firstStub = !stubs && current.entries.every((entry) => !kept.has(entry.key)) ? current.entries[0] : undefined;
  for (const entry of current.entries) {
    lastLine = entry.endLine;
    if (kept.has(entry.key)) {
      pieces.push(entry.text);
      for (let line = entry.startLine; line < entry.endLine; line++) lineMap.push(line);
    } else if (stubs || entry === firstStub) {
      pieces.push(entry.stub);
      lineMap.push(entry.startLine);
    }
  }
  if (current.tail !== undefined) {
    pieces.push(current.tail);
    const tailLines = countLines(current.tail);
    for (let line = 0; line < tailLines; line++) lineMap.push(lastLine + line);
  }
  return { compactText: pieces.join('\n'), lineMap };
}

function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * The environments a header imports, in order, when each is a plain one-line `- name` entry of a
 * block `imports` (none when there is no `imports`); undefined for any other layout.
 */
export function importNames(header: string): string[] | undefined {
  if (!header.includes('imports:')) return [];
  const lines = header.split('\n');
  const start = lines.findIndex((l) => /^imports:\s*$/.test(l));
  if (start < 0 || lines.some((l, i) => i !== start && l.startsWith('imports:'))) return undefined;
  const names: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\S/.test(line)) break;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = /^\s+-\s+([A-Za-z0-9_./-]+)\s*$/.exec(line);
    if (!m) return undefined;
    names.push(m[1]!);
  }
  return names;
}

/**
 * Whether a reduced document without stubs could report differently from the whole document:
 * only when a kept entry references a top-level name that neither the document (`localKeys`)
 * nor an import (`importedKeys`, undefined when unknown) defines — ESC then says "unknown
 * property" with a "did you mean" over every top-level name. Every other result of the kept
 * entries depends only on what they reference, which the reduced document keeps whole.
 */
export function stubsNeeded(current: Partition, kept: ReadonlySet<string>, localKeys: ReadonlySet<string>, importedKeys: () => ReadonlySet<string> | undefined): boolean {
  let imported: ReadonlySet<string> | undefined | null = null;
  for (const entry of current.entries) {
    if (!kept.has(entry.key)) continue;
    for (const ref of entry.refs) {
      if (localKeys.has(ref)) continue;
      if (imported === null) imported = importedKeys();
      if (!imported?.has(ref)) return true;
    }
  }
  return false;
}

function mapLine(lineMap: readonly number[], line: number): number {
  return lineMap[Math.max(0, Math.min(line, lineMap.length - 1))] ?? line;
}

/** An evaluator diagnostic of the compact document, at its place in the full one. */
export function remapEvalDiagnostic(d: EvalDiagnostic, envName: string, lineMap: readonly number[]): EvalDiagnostic {
  if (d.range.environment !== envName) return d;
  const begin = { ...d.range.begin, line: mapLine(lineMap, d.range.begin.line - 1) + 1 };
  const end = { ...d.range.end, line: mapLine(lineMap, d.range.end.line - 1) + 1 };
  return { ...d, range: { ...d.range, begin, end } };
}

/** An LSP range of the compact document, in the full one. */
export function remapRange(range: LspDiagnostic['range'], lineMap: readonly number[]): LspDiagnostic['range'] {
  return { start: { line: mapLine(lineMap, range.start.line), character: range.start.character }, end: { line: mapLine(lineMap, range.end.line), character: range.end.character } };
}

export function remapLspDiagnostic(d: LspDiagnostic, lineMap: readonly number[]): LspDiagnostic {
  const moved: LspDiagnostic = { ...d, range: remapRange(d.range, lineMap) };
  const data = d.data as { valueRange?: LspDiagnostic['range'] } | undefined;
  if (data?.valueRange) moved.data = { ...data, valueRange: remapRange(data.valueRange, lineMap) };
  return moved;
}

/** The top-level key a diagnostic path is under (`values.a.b` → `a`, `values["x y"]` → `x y`). */
export function topKeyOfPath(path: string): string | undefined {
  if (!path.startsWith('values')) return undefined;
  const rest = path.slice('values'.length);
  const dotted = /^\.([^.[]+)/.exec(rest);
  if (dotted) return dotted[1];
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
  if (quoted) {
    try {
      return JSON.parse(`"${quoted[1]}"`) as string;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The full result for `current`: the reduced check's diagnostics for affected entries and
 * everything not under an entry (imports, …); the previous ones, moved, for the others.
 */
export function mergeIncremental(
  envName: string,
  previous: CheckBasis,
  current: Partition,
  plan: IncrementalPlan,
  reduced: { diagnostics: EvalDiagnostic[]; values?: LazyValues },
): { diagnostics: EvalDiagnostic[]; values?: LazyValues } {
  const shift = new Map<string, number>();
  const before = new Map(previous.partition.entries.map((entry) => [entry.key, entry]));
  for (const entry of current.entries) {
    const old = before.get(entry.key);
    if (old) shift.set(entry.key, entry.startLine - old.startLine);
  }
  // Only diagnostics under an affected entry can change: everything else (imports, imported
  // environments) depends on the header and the imported texts, which are unchanged.
  const isAffected = (d: EvalDiagnostic): boolean => {
    const key = d.range.environment === envName ? topKeyOfPath(d.path) : undefined;
    return key !== undefined && plan.affected.has(key);
  };
  const lastBefore = previous.partition.entries[previous.partition.entries.length - 1];
  const lastNow = current.entries[current.entries.length - 1];
  const tailDelta = lastBefore && lastNow ? lastNow.endLine - lastBefore.endLine : 0;
  const diagnostics: EvalDiagnostic[] = reduced.diagnostics.filter(isAffected);
  for (const d of previous.diagnostics) {
    if (isAffected(d)) continue;
    let delta = 0;
    if (d.range.environment === envName) {
      const key = topKeyOfPath(d.path);
      if (key !== undefined && shift.has(key)) delta = shift.get(key)!;
      else if (lastBefore && d.range.begin.line - 1 >= lastBefore.endLine) delta = tailDelta; // header after `values`
    }
    diagnostics.push(delta === 0 ? d : { ...d, range: { ...d.range, begin: { ...d.range.begin, line: d.range.begin.line + delta }, end: { ...d.range.end, line: d.range.end.line + delta } } });
  }
  diagnostics.sort((a, b) => (a.range.environment < b.range.environment ? -1 : a.range.environment > b.range.environment ? 1 : a.range.begin.line - b.range.begin.line || a.range.begin.column - b.range.begin.column));
  const oldValues = previous.values;
  const now = reduced.values;
  const values =
    oldValues && now
      ? memo((): Values | undefined => {
          const old = oldValues();
          const fresh = now();
          if (!old || !fresh) return undefined;
          const out: Values = {};
          for (const entry of current.entries) {
            const source = plan.affected.has(entry.key) ? fresh : old;
            if (Object.hasOwn(source, entry.key)) setOwn(out, entry.key, source[entry.key]!);
          }
          // Imported keys the document does not define: unchanged (the imports are), and the
          // reduced check may not have loaded every import; a removed entry's key now comes
          // from an import (kept for it) or is gone.
          for (const key of Object.keys(old)) if (!Object.hasOwn(out, key) && !plan.affected.has(key)) setOwn(out, key, old[key]!);
          for (const key of plan.affected) if (!Object.hasOwn(out, key) && Object.hasOwn(fresh, key)) setOwn(out, key, fresh[key]!);
          return out;
        })
      : undefined;
  return { diagnostics, ...(values ? { values } : {}) };
}

/**
 * Own diagnostics for `current`: those of the reduced document for kept entries and the header,
 * the previous ones (moved) for the others — they only depend on their entry's own text.
 */
export function mergeOwn(previous: CheckBasis, current: Partition, plan: IncrementalPlan, reducedOwn: LspDiagnostic[]): LspDiagnostic[] {
  const out: LspDiagnostic[] = [];
  for (const d of reducedOwn) {
    const entry = entryAtLine(current, d.range.start.line);
    if (!entry || plan.kept.has(entry.key)) out.push(d);
  }
  const index = new Map(current.entries.map((e) => [e.key, e]));
  for (const d of previous.own) {
    const before = entryAtLine(previous.partition, d.range.start.line);
    if (!before || plan.kept.has(before.key)) continue;
    const delta = index.get(before.key)!.startLine - before.startLine;
    out.push(delta === 0 ? d : moveDiagnostic(d, delta));
  }
  return out;
}

function moveDiagnostic(d: LspDiagnostic, delta: number): LspDiagnostic {
  const move = (r: LspDiagnostic['range']): LspDiagnostic['range'] => ({ start: { line: r.start.line + delta, character: r.start.character }, end: { line: r.end.line + delta, character: r.end.character } });
  const moved: LspDiagnostic = { ...d, range: move(d.range) };
  const data = d.data as { valueRange?: LspDiagnostic['range'] } | undefined;
  if (data?.valueRange) moved.data = { ...data, valueRange: move(data.valueRange) };
  return moved;
}

/**
 * Drops from the reduced document the imports that define none of `needed` top-level keys (the
 * kept entries and the names they reference): they cannot change what the kept entries
 * evaluate to, and the rest of the result comes from the previous check. Only plain one-line
 * `- name` entries are dropped; `definedKeys` gives an import's merged top-level keys
 * (undefined = unknown: keep it). When a needed name is defined neither by the document
 * (`localKeys`) nor by any import, nothing is dropped: "did you mean" looks at every import.
 */
export function pruneImports(plan: IncrementalPlan, needed: ReadonlySet<string>, definedKeys: (name: string) => ReadonlySet<string> | undefined, localKeys: ReadonlySet<string> = new Set()): IncrementalPlan {
  const lines = plan.compactText.split('\n');
  const start = lines.findIndex((l) => /^imports:\s*$/.test(l));
  if (start < 0) return plan;
  const drop = new Set<number>();
  const defined = new Set(localKeys);
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\S/.test(line)) break;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = /^\s+-\s+([A-Za-z0-9_./-]+)\s*$/.exec(line);
    if (!m) return plan; // a long-form entry (`merge: false`, …): keep everything
    const keys = definedKeys(m[1]!);
    for (const key of keys ?? []) defined.add(key);
    if (keys && ![...keys].some((k) => needed.has(k))) drop.add(i);
  }
  if (drop.size === 0 || [...needed].some((key) => !defined.has(key))) return plan;
  const compact: string[] = [];
  const lineMap: number[] = [];
  lines.forEach((line, i) => {
    if (drop.has(i)) return;
    compact.push(line);
    lineMap.push(plan.lineMap[i]!);
  });
  return { ...plan, compactText: compact.join('\n'), lineMap };
}
