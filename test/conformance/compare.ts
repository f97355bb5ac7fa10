/** Comparison of our results with the corpus's expected.json, reporting the first difference. */
import type { Diagnostic } from '../../shared/src/syntax/diagnostic';
import type { Json } from '../../shared/src/schema/schema';

export interface ExpectedPos { Line: number; Column: number; Byte?: number }
export interface ExpectedDiagnostic {
  Severity: number;
  Summary: string;
  Path: string;
  Subject: { Filename: string; Start: ExpectedPos; End: ExpectedPos } | null;
}

/** Summaries that are the reference test loader's OS error text: only path and range must match. */
function isOsError(summary: string): boolean {
  return /^open .*: no such file or directory$/.test(summary);
}

function describe(j: unknown): string {
  const s = JSON.stringify(j);
  return s === undefined ? 'undefined' : s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/** First difference between two JSON values (object key order ignored), or undefined. */
export function jsonDifference(expected: unknown, actual: unknown, at = ''): string | undefined {
  if (expected === null || typeof expected !== 'object' || actual === null || typeof actual !== 'object') {
    if (expected === actual) return undefined;
    if (typeof expected === 'number' && typeof actual === 'number' && Math.abs(expected - actual) < 1e-12) return undefined;
    return `at ${at || '<root>'}: expected ${describe(expected)}, got ${describe(actual)}`;
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) return `at ${at || '<root>'}: expected ${describe(expected)}, got ${describe(actual)}`;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) return `at ${at}[${i}]: unexpected ${describe(actual[i])}`;
      if (i >= actual.length) return `at ${at}[${i}]: missing ${describe(expected[i])}`;
      const d = jsonDifference(expected[i], actual[i], `${at}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const e = expected as { [key: string]: unknown };
  const a = actual as { [key: string]: unknown };
  const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
  for (const k of keys) {
    if (!(k in e)) return `at ${at}.${k}: unexpected ${describe(a[k])}`;
    if (!(k in a)) return `at ${at}.${k}: missing ${describe(e[k])}`;
    const d = jsonDifference(e[k], a[k], `${at}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

interface Comparable {
  file: string;
  severity: number;
  summary: string;
  path: string;
  range?: [number, number, number, number];
}

function fromExpected(d: ExpectedDiagnostic): Comparable {
  const s = d.Subject;
  return {
    file: s?.Filename ?? '',
    severity: d.Severity,
    summary: d.Summary,
    path: d.Path,
    range: s === null ? undefined : [s.Start.Line, s.Start.Column, s.End.Line, s.End.Column],
  };
}

function fromActual(d: Diagnostic): Comparable {
  const r = d.range;
  return { file: r.environment, severity: d.severity, summary: d.summary, path: d.path, range: [r.begin.line, r.begin.column, r.end.line, r.end.column] };
}

/**
 * The corpus sorts by (file, line, column) with Go's unstable sort, so the order of diagnostics at
 * one position means nothing: both lists are put in one total order before comparing.
 */
function order(list: Comparable[]): Comparable[] {
  return [...list].sort((x, y) => {
    if (x.file !== y.file) return x.file < y.file ? -1 : 1;
    const xr = x.range ?? [0, 0, 0, 0];
    const yr = y.range ?? [0, 0, 0, 0];
    return xr[0] - yr[0] || xr[1] - yr[1] || (x.summary < y.summary ? -1 : x.summary > y.summary ? 1 : 0) ||
      (x.path < y.path ? -1 : x.path > y.path ? 1 : 0) || xr[2] - yr[2] || xr[3] - yr[3];
  });
}

function show(d: Comparable): string {
  const r = d.range === undefined ? '' : ` @${d.range[0]}:${d.range[1]}-${d.range[2]}:${d.range[3]}`;
  return `${d.severity === 1 ? 'error' : 'warning'} ${JSON.stringify(d.summary)} at ${d.path || '<root>'}${r}`;
}

/** First difference between expected and actual diagnostics, or undefined. */
export function diagnosticsDifference(expected: ExpectedDiagnostic[] | null | undefined, actual: Diagnostic[]): string | undefined {
  const e = order((expected ?? []).map(fromExpected));
  // An OS-error summary sorts by our wording; align by position instead when sorting disagrees.
  const a = order(actual.map(fromActual));
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    const x = e[i];
    const y = a[i];
    if (x === undefined) return `unexpected ${show(y as Comparable)}`;
    if (y === undefined) return `missing ${show(x)}`;
    const sameSummary = x.summary === y.summary || isOsError(x.summary);
    const sameRange = x.range === undefined || (y.range !== undefined && x.range.every((n, j) => n === (y.range as number[])[j]));
    if (x.severity !== y.severity || !sameSummary || x.path !== y.path || !sameRange) return `expected ${show(x)}, got ${show(y)}`;
  }
  return undefined;
}

export type { Json };
