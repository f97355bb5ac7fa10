/**
 * Language feature requests (completion, hover, definition, references, rename, code actions,
 * document symbols, folding, semantic tokens): each one call into the language service, guarded
 * so a failing feature answers empty instead of leaving the request unanswered.
 */
import { ENCRYPT_SECRET_COMMAND } from '../../../shared/src/language/codeActions';
import type { ServerContext } from './serverContext';

export class LanguageFeatures {
  /** The client command the "Encrypt secret" quick fix runs (`initializationOptions.encryptSecretCommand`). */
  encryptCommand = ENCRYPT_SECRET_COMMAND;

  constructor(context: ServerContext) {
    const { connection, service, guard } = context;
    connection.onCompletion((params) => guard('completion', null, () => service.completion(params.textDocument.uri, params.position)));
    connection.onHover((params) => guard('hover', null, () => service.hover(params.textDocument.uri, params.position)));
    connection.onDefinition((params) => guard('definition', [], () => service.definition(params.textDocument.uri, params.position)));
    connection.onReferences((params) => guard('references', [], () => service.references(params.textDocument.uri, params.position, params.context.includeDeclaration)));
    connection.onPrepareRename((params) => guard('prepareRename', null, () => service.prepareRename(params.textDocument.uri, params.position)));
    connection.onRenameRequest((params) => guard('rename', null, () => service.rename(params.textDocument.uri, params.position, params.newName)));
    connection.onCodeAction((params) =>
      guard('codeAction', [], () =>
        service.codeActions(params.textDocument.uri, params.range, params.context.diagnostics).map((action) =>
          action.command?.command === ENCRYPT_SECRET_COMMAND ? { ...action, command: { ...action.command, command: this.encryptCommand } } : action,
        ),
      ),
    );
    connection.onDocumentSymbol((params) => guard('documentSymbol', [], () => service.documentSymbols(params.textDocument.uri)));
    connection.onFoldingRanges((params) => guard('foldingRange', [], () => service.foldingRanges(params.textDocument.uri)));
    connection.languages.semanticTokens.on((params) => guard('semanticTokens', { data: [] }, () => ({ data: service.semanticTokens(params.textDocument.uri) })));
  }
}
