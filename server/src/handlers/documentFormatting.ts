/**
 * Formatting requests (`textDocument/formatting`, `textDocument/rangeFormatting`): the ESC
 * formatter (../formatting.ts) over the editor's text of an open document; none when the
 * document is not open.
 */
import type { Range, TextEdit } from 'vscode-languageserver';
import { formatEsc } from '../formatting';
import type { ServerContext } from './serverContext';

export function registerDocumentFormatting(context: ServerContext): void {
  const { connection, documents, guard } = context;
  const formatOpenDocument = (uri: string, range?: Range): TextEdit[] => {
    const document = documents.get(uri);
    return document === undefined ? [] : formatEsc(document.getText(), range);
  };
  connection.onDocumentFormatting((params) => guard('formatting', [], () => formatOpenDocument(params.textDocument.uri)));
  connection.onDocumentRangeFormatting((params) => guard('rangeFormatting', [], () => formatOpenDocument(params.textDocument.uri, params.range)));
}
