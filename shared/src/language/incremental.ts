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
  /** Top-level keys this entry references through `${...}`. */
  refs: Set<string>;
  /** The entry's key line with an empty map for value: what stands in for it when not re-checked. */
  stub: string;
}

export interface Partition {
  /** The document with every entry's lines removed (imports, `values:` line, comments outside). */
  header: string;
  entries: TopLevelEntry[];
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
}

const SPECIAL_ROOTS = new Set(['context', 'environments', 'imports']);

const ROOT_KEY = /^([^\s#'"][^:#]*?|"[^"]*"|'[^']*'):(\s+#.*)?\s*$/;
const ENTRY_KEY = /^([^\s#'"\-[{][^:#]*?|"[^"]*"|'[^']*'):(\s|$)/;
const INTERPOLATION_ROOT = /(\$+)\{\s*([^.[}\s]*)/g;

function unquote(key: string): string {
  return (key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'")) ? key.slice(1, -1) : key;
}

/**
 * Splits the text into `values` entries by indentation alone — no YAML parse, so an edit's
 * incremental check does not wait for one. Whenever the layout is not the plain block style this
 * understands (flow `values`, continuation lines at the entries' indentation, `${[...]}`
 * references, duplicate keys), it answers undefined and the check is a full one.
 */
export function partitionText(text: string, previous?: Partition): Partition | undefined {
  const lines = text.split('\n');
  const valuesLine = lines.findIndex((l) => l.startsWith('values:') && /^values:(\s+#.*)?\s*$/.test(l));
  if (valuesLine < 0) return undefined;
  const lineStarts: number[] = new Array<number>(lines.length + 1);
  lineStarts[0] = 0;
  for (let i = 0; i < lines.length; i++) lineStarts[i + 1] = lineStarts[i]! + lines[i]!.length + 1;
  let indent = -1;
  let end = lines.length;
  const starts: { key: string; line: number; stub: string }[] = [];
  for (let line = valuesLine + 1; line < lines.length; line++) {
    const raw = lines[line]!;
    // Indentation and first character by code (this runs on every keystroke of large files).
    let lineIndent = 0;
    while (raw.charCodeAt(lineIndent) === 32) lineIndent++;
    const first = raw.charCodeAt(lineIndent);
    if (Number.isNaN(first) || first === 35 /* # */ || (first === 13 && lineIndent === raw.length - 1)) continue;
    if (lineIndent === 0) {
      const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (!ROOT_KEY.test(l) && !/^[^\s#][^:]*:\s/.test(l)) return undefined;
      end = line;
      break;
    }
    if (first === 9) return undefined;
    if (indent < 0) indent = lineIndent;
    if (lineIndent < indent) return undefined;
    if (lineIndent === indent) {
      if (raw.includes('\t')) return undefined;
      const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const content = l.slice(lineIndent);
      const match = ENTRY_KEY.exec(content);
      if (!match) return undefined;
      starts.push({ key: unquote(match[1]!.trim()), line, stub: `${l.slice(0, lineIndent)}${match[1]!.trim()}: {}` });
    } else if (raw.includes('\t', lineIndent)) return undefined;
  }
  if (starts.length === 0 || starts[0]!.line !== firstContentLine(lines, valuesLine + 1)) return starts.length === 0 ? { header: text, entries: [] } : undefined;
  // An entry whose text is unchanged since `previous` keeps its references (not scanned again).
  const known = new Map<string, TopLevelEntry>();
  for (const entry of previous?.entries ?? []) known.set(entry.text, entry);
  // Trailing blank/comment lines before the next root key stay with the last entry.
  const entries: TopLevelEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < starts.length; i++) {
    const { key, line, stub } = starts[i]!;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const endLine = i + 1 < starts.length ? starts[i + 1]!.line : end;
    const body = text.slice(lineStarts[line], lineStarts[endLine]! - 1);
    const before = known.get(body);
    const refs = before?.key === key ? before.refs : referencesOf(body);
    if (!refs) return undefined;
    entries.push({ key, startLine: line, endLine, text: body, refs, stub });
  }
  const headerLines = [...lines.slice(0, starts[0]!.line), ...lines.slice(end)];
  return { header: headerLines.join('\n'), entries };
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

function firstContentLine(lines: string[], from: number): number {
  for (let line = from; line < lines.length; line++) {
    const content = lines[line]!.trim();
    if (content !== '' && !content.startsWith('#')) return line;
  }
  return -1;
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
 */
export function planIncremental(previous: CheckBasis | undefined, current: Partition, text: string): IncrementalPlan | undefined {
  if (!previous || previous.partition.header !== current.header) return undefined;
  const before = new Map(previous.partition.entries.map((entry) => [entry.key, entry]));
  // Entries kept from before stay in the same order: evaluation order decides, e.g., where a
  // cycle is reported.
  const keptOrder = current.entries.filter((e) => before.has(e.key)).map((e) => e.key);
  const currentKeySet = new Set(keptOrder);
  const oldOrder = previous.partition.entries.filter((e) => currentKeySet.has(e.key)).map((e) => e.key);
  if (keptOrder.some((key, i) => oldOrder[i] !== key)) return undefined;
  const changed = new Set(current.entries.filter((entry) => before.get(entry.key)?.text !== entry.text).map((e) => e.key));
  const currentKeys = new Set(current.entries.map((e) => e.key));
  for (const key of before.keys()) if (!currentKeys.has(key)) changed.add(key);
  // Old and new references both count: an edit may add or remove a reference.
  const refs = new Map<string, Set<string>>();
  for (const entry of current.entries) refs.set(entry.key, new Set([...entry.refs, ...(before.get(entry.key)?.refs ?? [])]));
  const affected = new Set(changed);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [key, targets] of refs) {
      if (affected.has(key)) continue;
      if ([...targets].some((t) => affected.has(t))) {
        affected.add(key);
        grew = true;
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
  // An entry not re-checked is replaced by a stub (its key, an empty map): the kept entries do
  // not reference it, but its name is still a candidate of "did you mean".
  const lines = text.split('\n');
  const stubs = new Map<number, TopLevelEntry>();
  for (const entry of current.entries) if (!kept.has(entry.key)) stubs.set(entry.startLine, entry);
  const compact: string[] = [];
  const lineMap: number[] = [];
  for (let line = 0; line < lines.length; line++) {
    const stub = stubs.get(line);
    if (stub) {
      compact.push(stub.stub);
      lineMap.push(line);
      line = stub.endLine - 1;
      continue;
    }
    compact.push(lines[line]!);
    lineMap.push(line);
  }
  return { compactText: compact.join('\n'), lineMap, affected, kept };
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
