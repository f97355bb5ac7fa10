/**
 * The LSP enumeration values the language core uses (diagnostic severities, completion, symbol,
 * folding and code action kinds, markup), each typed as the matching members of
 * vscode-languageserver-types' namespace, so the compiler checks every value against the library.
 * Hand-written because that library's module builds all ~50 of its namespaces when loaded, which
 * was a fifth of `esc-local check`'s bundle top level (start-up is budgeted: client/src/cli/bin.ts);
 * the library's types are still what the language core speaks.
 */
import type * as Lsp from 'vscode-languageserver-types';

export type DiagnosticSeverity = Lsp.DiagnosticSeverity;
export const DiagnosticSeverity: Pick<typeof Lsp.DiagnosticSeverity, 'Error' | 'Warning'> = { Error: 1, Warning: 2 };

export type FoldingRangeKind = Lsp.FoldingRangeKind;
export const FoldingRangeKind: Pick<typeof Lsp.FoldingRangeKind, 'Comment'> = { Comment: 'comment' };

export type SymbolKind = Lsp.SymbolKind;
export const SymbolKind: Pick<typeof Lsp.SymbolKind, 'Module' | 'Function' | 'String' | 'Number' | 'Boolean' | 'Array' | 'Object' | 'Null'> = {
  Module: 2,
  Function: 12,
  String: 15,
  Number: 16,
  Boolean: 17,
  Array: 18,
  Object: 19,
  Null: 21,
};

export const CompletionItemKind: Pick<typeof Lsp.CompletionItemKind, 'Function' | 'Field' | 'Module' | 'Property' | 'Value' | 'Keyword' | 'Folder' | 'EnumMember' | 'Event'> = {
  Function: 3,
  Field: 5,
  Module: 9,
  Property: 10,
  Value: 12,
  Keyword: 14,
  Folder: 19,
  EnumMember: 20,
  Event: 23,
};

export const InsertTextFormat: Pick<typeof Lsp.InsertTextFormat, 'Snippet'> = { Snippet: 2 };

export const MarkupKind: Pick<typeof Lsp.MarkupKind, 'Markdown'> = { Markdown: 'markdown' };

export const CodeActionKind: Pick<typeof Lsp.CodeActionKind, 'QuickFix' | 'RefactorRewrite'> = { QuickFix: 'quickfix', RefactorRewrite: 'refactor.rewrite' };
