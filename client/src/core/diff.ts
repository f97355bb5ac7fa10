/** A line diff (longest common subsequence) for showing two revisions of a definition. */

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x[x.length - 1] === '') x.pop();
  if (y[y.length - 1] === '') y.pop();
  // Trim the common head and tail so the quadratic table only covers the changed middle.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  const out: DiffLine[] = x.slice(0, head).map((text) => ({ op: ' ', text }));
  if (xs.length * ys.length > 4_000_000) {
    for (const text of xs) out.push({ op: '-', text });
    for (const text of ys) out.push({ op: '+', text });
  } else {
    const n = xs.length;
    const m = ys.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = xs[i] === ys[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) {
        out.push({ op: ' ', text: xs[i]! });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push({ op: '-', text: xs[i++]! });
      else out.push({ op: '+', text: ys[j++]! });
    }
  }
  for (const text of x.slice(x.length - tail)) out.push({ op: ' ', text });
  return out;
}

/** Unified-style text with `context` lines around changes. */
export function formatDiff(lines: DiffLine[], labelA: string, labelB: string, context = 3): string {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, i) => {
    if (l.op !== ' ') for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  let skipping = false;
  lines.forEach((l, i) => {
    if (!keep[i]) {
      if (!skipping) out.push('@@');
      skipping = true;
      return;
    }
    skipping = false;
    out.push(`${l.op}${l.text}`);
  });
  if (!lines.some((l) => l.op !== ' ')) out.push('(no differences)');
  return out.join('\n') + '\n';
}
