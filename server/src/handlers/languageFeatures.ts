/**
 * Language feature requests (completion, hover, definition, references, rename, code actions,
 * document symbols, folding, semantic tokens): each one call into the language service, guarded
 * so a failing feature answers empty instead of leaving the request unanswered. A request for a
 * document tells the validation policy the user looks at it (its diagnostics go first).
 */
import { ENCRYPT_SECRET_COMMAND } from '../../../shared/src/language/codeActions';
import type { ValidationPolicy } from '../validationPolicy';
import type { ServerContext } from './serverContext';

export class LanguageFeatures {
  /** The client command the "Encrypt secret" quick fix runs (`initializationOptions.encryptSecretCommand`). */
  encryptCommand = ENCRYPT_SECRET_COMMAND;

  constructor(context: ServerContext, validation: ValidationPolicy) {
    const { connection, service } = context;
    const guard = <T>(name: string, fallback: T, handler: () => T, uri: string): T => {
      validation.shown(uri);
      return context.guard(name, fallback, handler);
    };
    connection.onCompletion((params) => guard('completion', null, () => service.completion(params.textDocument.uri, params.position), params.textDocument.uri));
    connection.onHover((params) => guard('hover', null, () => service.hover(params.textDocument.uri, params.position), params.textDocument.uri));
    connection.onDefinition((params) => guard('definition', [], () => service.definition(params.textDocument.uri, params.position), params.textDocument.uri));
    connection.onReferences((params) => guard('references', [], () => service.references(params.textDocument.uri, params.position, params.context.includeDeclaration), params.textDocument.uri));
    connection.onPrepareRename((params) => guard('prepareRename', null, () => service.prepareRename(params.textDocument.uri, params.position), params.textDocument.uri));
    connection.onRenameRequest((params) => guard('rename', null, () => service.rename(params.textDocument.uri, params.position, params.newName), params.textDocument.uri));
    connection.onCodeAction((params) =>
      guard('codeAction', [], () =>
        service.codeActions(params.textDocument.uri, params.range, params.context.diagnostics).map((action) =>
          action.command?.command === ENCRYPT_SECRET_COMMAND ? { ...action, command: { ...action.command, command: this.encryptCommand } } : action,
        ),
        params.textDocument.uri,
      ),
    );
    connection.onDocumentSymbol((params) => guard('documentSymbol', [], () => service.documentSymbols(params.textDocument.uri), params.textDocument.uri));
    connection.onFoldingRanges((params) => guard('foldingRange', [], () => service.foldingRanges(params.textDocument.uri), params.textDocument.uri));
    connection.languages.semanticTokens.on((params) => guard('semanticTokens', { data: [] }, () => ({ data: service.semanticTokens(params.textDocument.uri) }), params.textDocument.uri));
  }
}
