/**
 * Document and range formatting of ESC environment files, in ESC's style: two spaces per level,
 * sequences indented under their key (`imports:\n  - base`), one space after `key:` and `- `, one
 * space before a trailing `# comment`, no trailing whitespace, one newline at the end.
 *
 * Hand-written rather than `yaml`'s `Document.toString()`: re-serialising moves comments (a
 * trailing `key:  # note` becomes a line of its own), reflows flow collections and changes blank
 * lines. This formatter only re-indents lines and normalises the spaces it names above, so every
 * comment, key order, quoting style, flow collection and block scalar stays as written. Lines are
 * never added or removed (except trailing blank lines at the end), which keeps edits small and a
 * range format exact.
 *
 * Safety net: the result must parse to the same data with the same comments in the same order;
 * otherwise no edit is returned (the file is left alone rather than changed in meaning).
 */
import { isDeepStrictEqual } from 'node:util';
import { Composer, type Document, isMap, isScalar, isSeq, LineCounter, Parser, type Node as YamlNode } from 'yaml';
import type { Range, TextEdit } from 'vscode-languageserver';

const INDENT = 2;

interface LinePlan {
  /** Wanted indentation of lines that start a key or a sequence item. */
  indent: Map<number, number>;
  /** Lines inside a multi-line value (block scalar, flow collection, plain scalar): the line that starts it. */
  continuationOf: Map<number, number>;
  /** Lines that start a key: the column where the key ends (to normalise `key  :   value`). */
  keyEnd: Map<number, number>;
  /** Block scalars without an indentation indicator: owner line → current indentation of their content. */
  blockContentIndent: Map<number, number>;
}

/** Edits that format `text`; with `range`, only the edits of lines it touches. */
export function formatEsc(text: string, range?: Range): TextEdit[] {
  const formatted = formatLines(text);
  if (formatted === undefined) return [];
  const { lines, eol } = formatted;
  const original = splitLines(text).lines;
  const edits: TextEdit[] = [];
  for (let i = 0; i < original.length && i < lines.length; i++) {
    if (original[i] === lines[i]) continue;
    if (range !== undefined && (i < range.start.line || i > range.end.line)) continue;
    edits.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: original[i]!.length } }, newText: lines[i]! });
  }
  // The end of the file: trailing blank lines dropped, exactly one newline (whole-document only).
  if (range === undefined && original.length !== lines.length + 1) {
    const lastKept = lines.length - 1;
    const start = lastKept >= 0 ? { line: lastKept, character: original[lastKept]!.length } : { line: 0, character: 0 };
    const end = { line: original.length - 1, character: original[original.length - 1]!.length };
    edits.push({ range: { start, end }, newText: lastKept >= 0 ? eol : '' });
  }
  return edits;
}

/** The formatted text (used by tests and by formatEsc through formatLines). */
export function formatEscText(text: string): string {
  const formatted = formatLines(text);
  if (formatted === undefined) return text;
  return formatted.lines.length === 0 ? '' : formatted.lines.join(formatted.eol) + formatted.eol;
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { lines: text.split(/\r?\n/), eol };
}

/** The formatted lines without the trailing blank ones, or undefined when the text is not formattable. */
function formatLines(text: string): { lines: string[]; eol: string } | undefined {
  const lineCounter = new LineCounter();
  const { doc, comments } = parse(text, lineCounter);
  if (doc === undefined || doc.errors.length > 0) return undefined; // broken YAML (or several documents): never guess
  const { lines, eol } = splitLines(text);
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line - 1;
  const plan: LinePlan = { indent: new Map(), continuationOf: new Map(), keyEnd: new Map(), blockContentIndent: new Map() };
  planNode(doc.contents, 0, plan, text, lineOf, lines);
  const commentColumnByLine = new Map<number, number>();
  for (const offset of comments) {
    const pos = lineCounter.linePos(offset);
    if (!commentColumnByLine.has(pos.line - 1)) commentColumnByLine.set(pos.line - 1, pos.col - 1);
  }

  const nextIndent = nextIndents(plan, lines.length);
  const out: string[] = [];
  const delta = new Map<number, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const current = line.length - line.trimStart().length;
    const owner = plan.continuationOf.get(i);
    if (owner !== undefined) {
      // Inside a multi-line value: moved with the line that starts it, otherwise untouched
      // (trailing spaces in a block scalar are content).
      out.push(shift(line, delta.get(owner) ?? 0));
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '') {
      out.push('');
      continue;
    }
    let wanted = plan.indent.get(i);
    if (wanted === undefined && trimmed.startsWith('#')) wanted = nextIndent[i];
    if (wanted === undefined) {
      out.push(line.trimEnd());
      continue;
    }
    delta.set(i, wanted - current);
    // A block scalar's content sits one level below the line that starts it.
    const contentIndent = plan.blockContentIndent.get(i);
    if (contentIndent !== undefined) delta.set(i, wanted + INDENT - contentIndent);
    let body = line.slice(current);
    const commentColumn = commentColumnByLine.get(i);
    const keyEnd = plan.keyEnd.get(i);
    body = normaliseSpacing(body, keyEnd === undefined ? undefined : keyEnd - current, commentColumn === undefined ? undefined : commentColumn - current);
    out.push(' '.repeat(wanted) + body);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();

  // The safety net: same data, same comments.
  const result = out.join(eol) + (out.length > 0 ? eol : '');
  const again = parse(result, new LineCounter());
  if (again.doc === undefined || again.doc.errors.length > 0) return undefined;
  if (!isDeepStrictEqual(again.doc.toJS({ maxAliasCount: -1 }), doc.toJS({ maxAliasCount: -1 }))) return undefined;
  if (!isDeepStrictEqual(commentTexts(result, again.comments), commentTexts(text, comments))) return undefined;
  return { lines: out, eol };
}

function shift(line: string, by: number): string {
  if (by === 0 || line.trim() === '') return line;
  if (by > 0) return ' '.repeat(by) + line;
  const spaces = line.length - line.trimStart().length;
  return line.slice(Math.min(-by, spaces));
}

/** For each line, the indentation of the next key or item after it: a comment line takes the indentation of what it is about. */
function nextIndents(plan: LinePlan, count: number): number[] {
  const next = new Array<number>(count).fill(0);
  let following = 0;
  for (let i = count - 1; i >= 0; i--) {
    next[i] = following;
    following = plan.indent.get(i) ?? following;
  }
  return next;
}

/**
 * One space after `key:` and `- `, none before the colon, one before a trailing comment.
 * Columns are relative to the body (the line without its indentation).
 */
function normaliseSpacing(body: string, keyEnd: number | undefined, commentColumn: number | undefined): string {
  let comment = '';
  let code = body;
  if (commentColumn !== undefined && commentColumn >= 0) {
    comment = body.slice(commentColumn).trimEnd();
    code = body.slice(0, commentColumn);
  }
  code = code.trimEnd();
  if (keyEnd !== undefined && keyEnd >= 0 && keyEnd <= code.length) {
    const after = /^[ \t]*:(?:[ \t]+|$)/.exec(code.slice(keyEnd));
    if (after) code = code.slice(0, keyEnd) + (code.length > keyEnd + after[0].length ? ': ' : ':') + code.slice(keyEnd + after[0].length);
  } else {
    code = code.replace(/^-[ \t]+(?=\S)/, '- ');
  }
  if (comment === '') return code;
  return code === '' ? comment : `${code} ${comment}`;
}

type LineOf = (offset: number) => number;

function planNode(node: unknown, level: number, plan: LinePlan, text: string, lineOf: LineOf, lines: readonly string[]): void {
  if (isMap(node) && !node.flow) {
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      let keyLine: number | undefined;
      if (key?.range) {
        keyLine = lineOf(key.range[0]);
        if (startsLine(text, key.range[0])) {
          plan.indent.set(keyLine, level * INDENT);
          plan.keyEnd.set(keyLine, columnOf(text, key.range[1]));
        }
      }
      const value = pair.value as YamlNode | null;
      if (value === null) continue;
      if ((isMap(value) || isSeq(value)) && !value.flow) planNode(value, level + 1, plan, text, lineOf, lines);
      else if (keyLine !== undefined) planContinuation(value, keyLine, plan, lineOf, text, lines);
    }
    return;
  }
  if (isSeq(node) && !node.flow) {
    for (const item of node.items) {
      const value = item as YamlNode | null;
      if (!value?.range) continue;
      const dash = dashBefore(text, value.range[0]);
      if (dash === undefined) continue;
      const dashLine = lineOf(dash);
      if (startsLine(text, dash)) plan.indent.set(dashLine, level * INDENT);
      if ((isMap(value) || isSeq(value)) && !value.flow) planNode(value, level + 1, plan, text, lineOf, lines);
      else planContinuation(value, dashLine, plan, lineOf, text, lines);
    }
  }
}

/** Lines after the first of a multi-line scalar or flow collection move with the line it starts on. */
function planContinuation(value: YamlNode, ownerLine: number, plan: LinePlan, lineOf: LineOf, text: string, lines: readonly string[]): void {
  if (!value.range) return;
  const last = lineOf(Math.max(value.range[0], value.range[1] - 1));
  for (let line = ownerLine + 1; line <= last; line++) plan.continuationOf.set(line, ownerLine);
  if (isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED')) {
    // A block scalar's range ends after its last content line (and may include trailing blank lines).
    const end = lineOf(value.range[2]);
    for (let line = ownerLine + 1; line < end; line++) plan.continuationOf.set(line, ownerLine);
    // With an explicit indentation indicator (`|2`) the content's indentation is part of the value.
    const header = /^[|>][+-]?([1-9]?)/.exec(text.slice(value.range[0]));
    if (header !== null && header[1] === '') {
      const indents = lines.slice(ownerLine + 1, end).filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length);
      if (indents.length > 0) plan.blockContentIndent.set(ownerLine, Math.min(...indents));
    }
  }
}

/** The offset of the `- ` that introduces a sequence item starting at `offset` (props and spaces skipped). */
function dashBefore(text: string, offset: number): number | undefined {
  let i = offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i--;
  return text[i] === '-' ? i : undefined;
}

function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

function columnOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart;
}

/**
 * The document and the offsets of its comments (`# …`), from one pass of yaml's parser: the
 * concrete syntax tree has the comments, the composer makes the document from the same tree.
 */
function parse(text: string, lineCounter: LineCounter): { doc: Document.Parsed | undefined; comments: number[] } {
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const comments: number[] = [];
  for (const token of tokens) collectComments(token, comments);
  const docs = [...new Composer({ uniqueKeys: false }).compose(tokens)];
  return { doc: docs.length <= 1 ? (docs[0] ?? undefined) : undefined, comments: comments.sort((a, b) => a - b) };
}

function collectComments(token: unknown, offsets: number[]): void {
  if (Array.isArray(token)) {
    for (const t of token) collectComments(t, offsets);
    return;
  }
  if (typeof token !== 'object' || token === null) return;
  const t = token as { type?: unknown; offset?: unknown };
  if (t.type === 'comment' && typeof t.offset === 'number') offsets.push(t.offset);
  for (const value of Object.values(token)) if (typeof value === 'object' && value !== null) collectComments(value, offsets);
}

function commentTexts(text: string, offsets: readonly number[]): string[] {
  return offsets.map((offset) => {
    const end = text.indexOf('\n', offset);
    return text.slice(offset, end < 0 ? undefined : end).trimEnd();
  });
}
