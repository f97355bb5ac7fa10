/**
 * In-process test support shared by the unit and integration suites: repository paths, cursor
 * markers in fixture text (`‸` a cursor; `«` and `»` an expected range, removed from the text)
 * and offset → LSP position conversion.
 */
import { join, resolve } from 'node:path';
import type { Position, Range } from 'vscode-languageserver-protocol/node';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const SERVER_MAIN = join(REPO_ROOT, 'out/server/src/main.js');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures/language');

export interface Marked {
  text: string;
  cursors: number[];
  ranges: { start: number; end: number }[];
}

export function markers(source: string): Marked {
  let text = '';
  const cursors: number[] = [];
  const ranges: { start: number; end: number }[] = [];
  const open: number[] = [];
  for (const ch of source) {
    if (ch === '‸') cursors.push(text.length);
    else if (ch === '«') open.push(text.length);
    else if (ch === '»') ranges.push({ start: open.pop()!, end: text.length });
    else text += ch;
  }
  return { text, cursors, ranges };
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function rangeOf(text: string, span: { start: number; end: number }): Range {
  return { start: positionAt(text, span.start), end: positionAt(text, span.end) };
}
