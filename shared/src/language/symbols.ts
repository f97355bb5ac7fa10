/** Document symbols: the key hierarchy of `imports` and `values`, builtin calls as functions. */
import type { DocumentSymbol } from 'vscode-languageserver-types';
import { SymbolKind } from './lspKinds';
import { isMap, isScalar, isSeq, nodeSpan, pairKey, pairSpan, type EscDocument } from './model';
import type { Node } from 'yaml';

function kindOf(node: unknown): SymbolKind {
  if (isMap(node)) {
    const only = node.items.length === 1 ? pairKey(node.items[0]!) : undefined;
    return only?.startsWith('fn::') ? SymbolKind.Function : SymbolKind.Object;
  }
  if (isSeq(node)) return SymbolKind.Array;
  if (isScalar(node)) {
    if (typeof node.value === 'number') return SymbolKind.Number;
    if (typeof node.value === 'boolean') return SymbolKind.Boolean;
    if (node.value === null) return SymbolKind.Null;
  }
  return SymbolKind.String;
}

function detailOf(node: unknown): string | undefined {
  if (isMap(node)) {
    const only = node.items.length === 1 ? pairKey(node.items[0]!) : undefined;
    if (only?.startsWith('fn::')) return only;
  }
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
    const text = String(node.value);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }
  return undefined;
}

/** Secrets are never shown in the outline, not even the plaintext ones the file holds. */
function childrenOf(doc: EscDocument, node: unknown, depth: number, inSecret = false): DocumentSymbol[] {
  if (depth > 64) return [];
  const out: DocumentSymbol[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const name = pairKey(pair);
      const keySpan = nodeSpan(pair.key as Node | null);
      const span = pairSpan(pair, doc.text);
      if (name === undefined || !keySpan || !span) continue;
      const value = pair.value;
      const symbol: DocumentSymbol = {
        name: name.length > 0 ? name : '""',
        kind: kindOf(value),
        range: doc.lines.range(span),
        selectionRange: doc.lines.range(keySpan),
      };
      const secret = inSecret || name === 'fn::secret';
      const detail = detailOf(value);
      if (detail !== undefined) symbol.detail = secret && !isMap(value) ? '[secret]' : detail;
      const children = childrenOf(doc, value, depth + 1, secret);
      if (children.length > 0) symbol.children = children;
      out.push(symbol);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const raw = nodeSpan(item as Node);
      if (!raw) return;
      const span = { start: raw.start, end: raw.end };
      while (span.end > span.start && /\s/.test(doc.text[span.end - 1]!)) span.end--;
      const children = childrenOf(doc, item, depth + 1, inSecret);
      if (children.length === 0 && !isMap(item) && !isSeq(item)) return;
      out.push({ name: `[${i}]`, kind: kindOf(item), range: doc.lines.range(span), selectionRange: doc.lines.range(span), ...(children.length > 0 ? { children } : {}) });
    });
  }
  return out;
}

export function documentSymbols(doc: EscDocument): DocumentSymbol[] {
  const root = doc.yaml.contents;
  const symbols = childrenOf(doc, root, 0);
  const imports = symbols.find((s) => s.name === 'imports');
  if (imports) {
    imports.kind = SymbolKind.Module;
    imports.children = doc.imports.map((entry) => ({
      name: entry.name,
      kind: SymbolKind.Module,
      detail: entry.merge ? undefined : 'merge: false',
      range: doc.lines.range(entry.span),
      selectionRange: doc.lines.range(entry.span),
    }));
  }
  return symbols;
}
