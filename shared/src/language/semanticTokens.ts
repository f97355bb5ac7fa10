/**
 * Semantic tokens: builtin keys (`fn::…`), interpolations (`${`/`}` and each accessor), secrets
 * (the argument of `fn::secret`, plaintext or ciphertext) and the reserved top-level keys.
 */
import type { SemanticTokensLegend } from 'vscode-languageserver-types';
import { isMap, isScalar, nodeSpan, pairKey, type EscDocument } from './model';
import type { Span } from './text';
import type { Node } from 'yaml';

export const TOKEN_TYPES = ['function', 'namespace', 'variable', 'property', 'operator', 'string', 'keyword'] as const;
export const TOKEN_MODIFIERS = ['defaultLibrary', 'secret', 'encrypted'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const semanticTokensLegend: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export interface SemanticToken {
  span: Span;
  type: TokenType;
  modifiers: TokenModifier[];
}

/** The tokens, in document order, before LSP's relative encoding (tests read these). */
export function semanticTokenList(doc: EscDocument): SemanticToken[] {
  const tokens: SemanticToken[] = [];
  if (doc.importsKeySpan) tokens.push({ span: doc.importsKeySpan, type: 'keyword', modifiers: [] });
  if (doc.valuesKeySpan) tokens.push({ span: doc.valuesKeySpan, type: 'keyword', modifiers: [] });
  for (const call of doc.builtins) {
    const secret = call.name === 'fn::secret';
    tokens.push({ span: call.nameSpan, type: 'function', modifiers: secret ? ['defaultLibrary', 'secret'] : ['defaultLibrary'] });
    if (!secret) continue;
    const arg = call.arg;
    if (isScalar(arg)) {
      const span = nodeSpan(arg);
      if (span) tokens.push({ span, type: 'string', modifiers: ['secret'] });
    } else if (isMap(arg)) {
      for (const pair of arg.items) {
        const value = nodeSpan(pair.value as Node | null);
        if (pairKey(pair) === 'ciphertext' && value) tokens.push({ span: value, type: 'string', modifiers: ['secret', 'encrypted'] });
      }
    }
  }
  for (const interp of doc.interpolations) {
    tokens.push({ span: { start: interp.span.start, end: interp.span.start + 2 }, type: 'operator', modifiers: [] });
    interp.accessors.forEach((accessor, i) => {
      if (accessor.span.end <= accessor.span.start) return;
      const root = i === 0 && (accessor.key === 'environments' || accessor.key === 'context');
      tokens.push({ span: accessor.span, type: root ? 'namespace' : i === 0 ? 'variable' : 'property', modifiers: [] });
    });
    if (interp.closed) tokens.push({ span: { start: interp.span.end - 1, end: interp.span.end }, type: 'operator', modifiers: [] });
  }
  tokens.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  // Drop overlaps (e.g. a secret scalar that also holds interpolations keeps the finer tokens).
  const out: SemanticToken[] = [];
  for (const token of tokens) {
    const last = out[out.length - 1];
    if (last && token.span.start < last.span.end) {
      if (last.type === 'string' && last.modifiers.includes('secret')) out.pop();
      else continue;
    }
    out.push(token);
  }
  return out;
}

/** LSP's relative encoding; tokens spanning lines are split per line. */
export function encodeSemanticTokens(doc: EscDocument, tokens: SemanticToken[]): number[] {
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  for (const token of tokens) {
    const typeIndex = TOKEN_TYPES.indexOf(token.type);
    const modifierBits = token.modifiers.reduce((bits, m) => bits | (1 << TOKEN_MODIFIERS.indexOf(m)), 0);
    const start = doc.lines.positionAt(token.span.start);
    const end = doc.lines.positionAt(token.span.end);
    for (let line = start.line; line <= end.line; line++) {
      const from = line === start.line ? start.character : doc.lines.positionAt(doc.lines.lineStart(line)).character;
      const lineEndChar = doc.lines.lineEnd(line) - doc.lines.lineStart(line);
      const to = line === end.line ? end.character : lineEndChar;
      if (to <= from) continue;
      data.push(line - prevLine, line === prevLine ? from - prevChar : from, to - from, typeIndex, modifierBits);
      prevLine = line;
      prevChar = from;
    }
  }
  return data;
}

export function semanticTokens(doc: EscDocument): number[] {
  return encodeSemanticTokens(doc, semanticTokenList(doc));
}
