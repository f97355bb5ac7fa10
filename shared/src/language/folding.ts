/** Folding ranges: every multi-line map/sequence value, block scalar, and run of comment lines. */
import type { FoldingRange } from 'vscode-languageserver-types';
import { FoldingRangeKind } from './lspKinds';
import { isMap, isScalar, isSeq, nodeSpan, pairSpan, type EscDocument } from './model';
import type { Node } from 'yaml';

export function foldingRanges(doc: EscDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (start: number, end: number, kind?: FoldingRangeKind): void => {
    // Trailing line breaks belong to the node's range in `yaml`; fold up to the last content line.
    let e = end;
    while (e > start && /\s/.test(doc.text[e - 1]!)) e--;
    const startLine = doc.lines.positionAt(start).line;
    const endLine = doc.lines.positionAt(e).line;
    if (endLine > startLine) out.push({ startLine, endLine, ...(kind ? { kind } : {}) });
  };
  const walk = (node: unknown, depth: number): void => {
    if (depth > 64) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const span = pairSpan(pair);
        if (span && (isMap(pair.value) || isSeq(pair.value) || (isScalar(pair.value) && String(pair.value.type).startsWith('BLOCK')))) add(span.start, span.end);
        walk(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const span = nodeSpan(item as Node);
        if (span && (isMap(item) || isSeq(item))) add(span.start, span.end);
        walk(item, depth + 1);
      }
    }
  };
  walk(doc.yaml.contents, 0);
  // Runs of two or more full-line comments.
  let runStart = -1;
  for (let line = 0; line <= doc.lines.lineCount; line++) {
    const isComment = line < doc.lines.lineCount && /^\s*#/.test(doc.text.slice(doc.lines.lineStart(line), doc.lines.lineEnd(line)));
    if (isComment && runStart < 0) runStart = line;
    if (!isComment && runStart >= 0) {
      if (line - 1 > runStart) out.push({ startLine: runStart, endLine: line - 1, kind: FoldingRangeKind.Comment });
      runStart = -1;
    }
  }
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
