/**
 * Where the cursor is in the block structure of the YAML text, read from the text itself rather
 * than the parse tree: while a user types, the document is usually not valid YAML (`fn::op` on
 * a line of its own is a scalar, not a key), but its indentation already says which key the
 * cursor is under.
 */
import type { Position } from 'vscode-languageserver-types';
import type { EscDocument } from './model';

/** A parent key, or '[]' for a sequence item. */
export type ChainKey = string;

export type LineContext =
  | { kind: 'key'; chain: ChainKey[]; prefix: string; prefixStart: number; column: number; hasColonAfter: boolean }
  | { kind: 'value'; chain: ChainKey[]; key: string; prefix: string; prefixStart: number }
  | { kind: 'interpolation'; chain: ChainKey[]; text: string; textStart: number; /** Inside a double-quoted scalar (`\"` is a `"`). */ doubleQuoted: boolean };

interface LineShape {
  indent: number;
  dash: boolean;
  /** Column where the content after `- ` starts. */
  contentIndent: number;
  key?: string;
  /** Text after `key:` (trimmed), if the line is `key: ...`. */
  rest?: string;
}

const KEY_LINE = /^((?:[^\s#'"][^#]*?)|"[^"]*"|'[^']*'):(?:\s+(.*))?$/;

function unquote(key: string): string {
  return (key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'")) ? key.slice(1, -1) : key;
}

function shapeOf(line: string): LineShape | undefined {
  const indent = line.length - line.trimStart().length;
  let content = line.slice(indent);
  if (content.length === 0 || content.startsWith('#')) return undefined;
  let dash = false;
  let contentIndent = indent;
  if (content === '-' || content.startsWith('- ')) {
    dash = true;
    const after = content.slice(1);
    const trimmed = after.trimStart();
    contentIndent = indent + 1 + (after.length - trimmed.length);
    content = trimmed;
  }
  const match = KEY_LINE.exec(content.replace(/\s+#.*$/, '').trimEnd());
  if (match && !content.startsWith('${')) return { indent, dash, contentIndent, key: unquote(match[1]!.trim()), rest: (match[2] ?? '').trim() };
  return { indent, dash, contentIndent };
}

/** The keys enclosing a line whose content starts at column `target`, outermost first. */
function chainAbove(lines: string[], lineNo: number, target: number): ChainKey[] {
  const chain: ChainKey[] = [];
  let limit = target;
  for (let l = lineNo - 1; l >= 0 && limit > 0; l--) {
    const shape = shapeOf(lines[l]!);
    if (!shape) continue;
    if (shape.contentIndent < limit && shape.key !== undefined && shape.rest === '') {
      chain.unshift(shape.key);
      if (shape.dash) chain.unshift('[]');
      limit = shape.indent;
    } else if (shape.dash && shape.indent < limit && shape.key === undefined && shape.contentIndent >= limit) {
      chain.unshift('[]');
      limit = shape.indent;
    } else if (shape.dash && shape.indent < limit && shape.contentIndent <= limit) {
      // `- key: value` sibling line of an item whose other keys we are under.
      chain.unshift('[]');
      limit = shape.indent;
    } else if (shape.indent < limit && !shape.dash) {
      limit = shape.indent; // a scalar line at lower indentation ends the structure (invalid YAML); keep going.
    }
  }
  return chain;
}

export function lineContext(doc: EscDocument, position: Position): LineContext {
  const lines = doc.text.split(/\r?\n/);
  const line = lines[position.line] ?? '';
  const before = line.slice(0, position.character);
  const lineStart = doc.lines.lineStart(position.line);
  const open = before.lastIndexOf('${');
  const indent = line.length - line.trimStart().length;
  if (open >= 0 && !before.slice(open).includes('}')) {
    const shape = shapeOf(line);
    const chain = chainAbove(lines, position.line, shape?.contentIndent ?? indent);
    if (shape?.dash) chain.push('[]');
    if (shape?.key !== undefined) chain.push(shape.key);
    const value = (shape?.key !== undefined ? shape.rest : undefined) ?? line.trimStart().replace(/^-\s*/, '');
    return { kind: 'interpolation', chain, text: before.slice(open + 2), textStart: lineStart + open + 2, doubleQuoted: value.startsWith('"') };
  }
  const trimmed = before.slice(indent);
  let dash = false;
  let content = trimmed;
  let contentStart = indent;
  if (content === '-' || content.startsWith('- ')) {
    dash = true;
    const after = content.slice(1);
    content = after.trimStart();
    contentStart = indent + 1 + (after.length - content.length);
  }
  const chain = chainAbove(lines, position.line, dash ? indent : contentStart);
  if (dash) chain.push('[]');
  const separator = /^((?:[^\s#'"][^#]*?)|"[^"]*"|'[^']*'):\s+/.exec(content);
  if (separator) {
    const valueStart = contentStart + separator[0].length;
    return { kind: 'value', chain, key: unquote(separator[1]!.trim()), prefix: before.slice(valueStart), prefixStart: lineStart + valueStart };
  }
  const after = line.slice(position.character);
  return { kind: 'key', chain, prefix: content, prefixStart: lineStart + contentStart, column: contentStart, hasColonAfter: /^[^\s]*:/.test(after) };
}

/**
 * The provider (or rotator) named by `provider:` in the long form `fn::open:`/`fn::rotate:` that
 * encloses `line`: the nearest such key above it at a lower indentation, then its children.
 */
export function longFormCallee(doc: EscDocument, line: number, key: 'fn::open' | 'fn::rotate'): string | undefined {
  const lines = doc.text.split(/\r?\n/);
  const here = lines[line] ?? '';
  let limit = here.trim() === '' ? here.length : here.length - here.trimStart().length;
  let callLine = -1;
  let callIndent = 0;
  for (let l = line - 1; l >= 0 && callLine < 0; l--) {
    const shape = shapeOf(lines[l]!);
    if (!shape || shape.contentIndent >= limit) continue;
    if (shape.key === key && shape.rest === '') {
      callLine = l;
      callIndent = shape.contentIndent;
    } else limit = shape.contentIndent;
  }
  if (callLine < 0) return undefined;
  let childIndent = -1;
  for (let l = callLine + 1; l < lines.length; l++) {
    const shape = shapeOf(lines[l]!);
    if (!shape) continue;
    if (shape.indent <= callIndent) break;
    if (childIndent < 0) childIndent = shape.contentIndent;
    if (shape.contentIndent === childIndent && shape.key === 'provider' && shape.rest) return unquote(shape.rest);
  }
  return undefined;
}

/**
 * The cursor inside a one-line flow collection after `key: ` (`key: {a: 1, ‸}`,
 * `key: {a: {b: ‸}}`, `key: [{‸}]`): the same context as if the collection were written in
 * block style, plus the keys already present in the innermost map. Undefined when the value is
 * not an open flow collection at the cursor.
 */
export function flowContext(ctx: LineContext, after: string): { ctx: LineContext; present: Set<string> } | undefined {
  if (ctx.kind !== 'value') return undefined;
  const prefix = ctx.prefix;
  const lead = prefix.length - prefix.trimStart().length;
  if (prefix[lead] !== '{' && prefix[lead] !== '[') return undefined;
  interface Frame {
    open: '{' | '[';
    /** The key whose value is being written (maps), once its `:` is seen. */
    key?: string;
    present: Set<string>;
  }
  const frames: Frame[] = [];
  let tokenStart = lead;
  for (let i = lead; i < prefix.length; i++) {
    const ch = prefix[i]!;
    const top = frames[frames.length - 1];
    if (ch === '"' || ch === "'") {
      const close = prefix.indexOf(ch, i + 1);
      if (close < 0) return undefined; // inside a quoted scalar
      i = close;
    } else if (ch === '{' || ch === '[') {
      frames.push({ open: ch, present: new Set() });
      tokenStart = i + 1;
    } else if (ch === '}' || ch === ']') {
      frames.pop();
      if (frames.length === 0) return undefined; // closed before the cursor
    } else if (ch === ',') {
      if (top) top.key = undefined;
      tokenStart = i + 1;
    } else if (ch === ':' && top?.open === '{' && top.key === undefined && /[\s,}\]]/.test(prefix[i + 1] ?? ' ')) {
      top.key = unquote(prefix.slice(tokenStart, i).trim());
      top.present.add(top.key);
      tokenStart = i + 1;
    } else if (ch === '#' && /\s/.test(prefix[i - 1] ?? '')) return undefined;
  }
  const innermost = frames[frames.length - 1]!;
  const chain = [...ctx.chain, ctx.key];
  for (const frame of frames.slice(0, -1)) chain.push(frame.open === '[' ? '[]' : frame.key ?? '');
  let start = tokenStart;
  while (start < prefix.length && /\s/.test(prefix[start]!)) start++;
  const token = prefix.slice(start);
  const prefixStart = ctx.prefixStart + start;
  if (innermost.open === '[') return { ctx: { kind: 'value', chain, key: '[]', prefix: token, prefixStart }, present: new Set() };
  if (innermost.key !== undefined) return { ctx: { kind: 'value', chain, key: innermost.key, prefix: token, prefixStart }, present: innermost.present };
  return { ctx: { kind: 'key', chain, prefix: token, prefixStart, column: -1, hasColonAfter: /^[^\s,{}[\]]*\s*:/.test(after) }, present: innermost.present };
}
