/**
 * Incremental checking of large environments. ESC's `values` is a map whose top-level entries
 * only affect one another through `${...}` references, so after an edit confined to some entries
 * only those entries, the entries that (transitively) reference them, and what those reference
 * need re-checking. The reduced document keeps every line where it was — entries not needed are
 * blanked, not removed — so the evaluator's positions stay exact; the other entries keep their
 * previous diagnostics and values (moved by the lines the edit added or removed above them).
 *
 * Anything this cannot prove safe falls back to a full check: a change outside `values`
 * entries (imports, header), added/removed/reordered/duplicate keys, YAML errors, flow-style
 * `values`, or any imported environment whose text changed since the previous check. The
 * server also runs a full check once the user pauses, so the two can never drift apart.
 */
import { isMap } from 'yaml';
import type { Node } from 'yaml';
import type { Diagnostic as EvalDiagnostic, Value } from '../eval/contract';
import { nodeSpan, pairKey, type EscDocument } from './model';

export interface TopLevelEntry {
  key: string;
  /** 0-based, inclusive. */
  startLine: number;
  /** 0-based, exclusive. */
  endLine: number;
  text: string;
  /** Top-level keys this entry references through `${...}`. */
  refs: Set<string>;
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
  values?: { [key: string]: Value };
  /** Texts of the other environments the check loaded (undefined = not found). */
  dependencies: Map<string, string | undefined>;
}

export interface IncrementalPlan {
  /** The document with entries outside `kept` blanked. */
  reducedText: string;
  /** Entries whose diagnostics/values come from the reduced check. */
  affected: Set<string>;
  kept: Set<string>;
}

const SPECIAL_ROOTS = new Set(['context', 'environments', 'imports']);

export function partition(doc: EscDocument): Partition | undefined {
  if (doc.syntaxErrors.some((e) => !e.warning)) return undefined;
  const values = doc.valuesNode;
  const root = doc.yaml.contents;
  if (!values || values.flow || !isMap(root)) return undefined;
  const lines = doc.text.split('\n');
  const lineOf = (offset: number): number => doc.lines.positionAt(offset).line;
  const rootIndex = root.items.findIndex((p) => pairKey(p) === 'values');
  const nextRoot = root.items[rootIndex + 1];
  const nextRootSpan = nextRoot ? nodeSpan(nextRoot.key as Node | null) : undefined;
  const valuesEnd = nextRootSpan ? lineOf(nextRootSpan.start) : lines.length;
  const entries: TopLevelEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < values.items.length; i++) {
    const pair = values.items[i]!;
    const key = pairKey(pair);
    const span = nodeSpan(pair.key as Node | null);
    if (key === undefined || !span || seen.has(key)) return undefined;
    seen.add(key);
    const startLine = lineOf(span.start);
    const next = values.items[i + 1];
    const nextSpan = next ? nodeSpan(next.key as Node | null) : undefined;
    const endLine = nextSpan ? lineOf(nextSpan.start) : valuesEnd;
    // Each entry must own whole lines (block style, key first on its line).
    if (doc.text.slice(doc.lines.lineStart(startLine), span.start).trim() !== '' || endLine <= startLine) return undefined;
    entries.push({ key, startLine, endLine, text: lines.slice(startLine, endLine).join('\n'), refs: new Set() });
  }
  const byKey = new Map(entries.map((e) => [e.key, e]));
  for (const interp of doc.interpolations) {
    const owner = interp.path[0];
    const target = interp.accessors[0]?.key;
    if (typeof owner !== 'string' || typeof target !== 'string' || SPECIAL_ROOTS.has(target)) continue;
    byKey.get(owner)?.refs.add(target);
  }
  const headerLines: string[] = [];
  let e = 0;
  for (let line = 0; line < lines.length; line++) {
    while (e < entries.length && line >= entries[e]!.endLine) e++;
    if (e < entries.length && line >= entries[e]!.startLine) continue;
    headerLines.push(lines[line]!);
  }
  return { header: headerLines.join('\n'), entries };
}

/** The reduced check for `current` given the previous basis, or undefined for a full check. */
export function planIncremental(previous: CheckBasis | undefined, current: Partition, text: string): IncrementalPlan | undefined {
  if (!previous || previous.partition.header !== current.header) return undefined;
  const before = previous.partition.entries;
  if (before.length !== current.entries.length || before.some((entry, i) => entry.key !== current.entries[i]!.key)) return undefined;
  const changed = new Set(current.entries.filter((entry, i) => entry.text !== before[i]!.text).map((e) => e.key));
  if (changed.size === 0) return undefined;
  // Old and new references both count: an edit may add or remove a reference.
  const refs = new Map<string, Set<string>>();
  current.entries.forEach((entry, i) => refs.set(entry.key, new Set([...entry.refs, ...before[i]!.refs])));
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
  const lines = text.split('\n');
  for (const entry of current.entries) {
    if (kept.has(entry.key)) continue;
    for (let line = entry.startLine; line < entry.endLine; line++) lines[line] = '';
  }
  return { reducedText: lines.join('\n'), affected, kept };
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
  reduced: { diagnostics: EvalDiagnostic[]; values?: { [key: string]: Value } },
): { diagnostics: EvalDiagnostic[]; values?: { [key: string]: Value } } {
  const shift = new Map<string, number>();
  current.entries.forEach((entry, i) => shift.set(entry.key, entry.startLine - previous.partition.entries[i]!.startLine));
  const isAffected = (d: EvalDiagnostic): boolean => {
    const key = d.range.environment === envName ? topKeyOfPath(d.path) : undefined;
    return key === undefined || plan.affected.has(key) || !shift.has(key);
  };
  const diagnostics: EvalDiagnostic[] = reduced.diagnostics.filter(isAffected);
  for (const d of previous.diagnostics) {
    if (isAffected(d)) continue;
    const delta = shift.get(topKeyOfPath(d.path)!)!;
    diagnostics.push(delta === 0 ? d : { ...d, range: { ...d.range, begin: { ...d.range.begin, line: d.range.begin.line + delta }, end: { ...d.range.end, line: d.range.end.line + delta } } });
  }
  diagnostics.sort((a, b) => (a.range.environment < b.range.environment ? -1 : a.range.environment > b.range.environment ? 1 : a.range.begin.line - b.range.begin.line || a.range.begin.column - b.range.begin.column));
  let values: { [key: string]: Value } | undefined;
  if (previous.values && reduced.values) {
    values = {};
    for (const entry of current.entries) {
      const source = plan.affected.has(entry.key) ? reduced.values : previous.values;
      if (Object.prototype.hasOwnProperty.call(source, entry.key)) values[entry.key] = source[entry.key]!;
    }
    // Imported keys the document does not define come from the reduced check (all imports are in it).
    for (const key of Object.keys(reduced.values)) if (!(key in values)) values[key] = reduced.values[key]!;
  }
  return { diagnostics, ...(values ? { values } : {}) };
}
