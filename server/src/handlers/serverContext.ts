/**
 * What every LSP handler of the server shares: the connection, the open documents (the editor's
 * text), the workspace model, the one language service, and `guard`, which makes sure no handler
 * failure leaves a request unanswered or takes the server down.
 */
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EscLanguageService } from '../../../shared/src/language/service';
import type { DiskReader, EnvironmentWorkspace } from '../../../shared/src/language/environmentWorkspace';

export interface ServerContext {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly workspace: EnvironmentWorkspace;
  readonly service: EscLanguageService;
  /** The files on disk, read without caching (what a closed document's dependents see). */
  readonly disk: DiskReader;
  log(message: string): void;
  /** Runs a handler; a failure is logged and answered with `fallback` so no request hangs. */
  guard<T>(name: string, fallback: T, handler: () => T): T;
}

export function createServerContext(connection: Connection, documents: TextDocuments<TextDocument>, workspace: EnvironmentWorkspace, service: EscLanguageService, disk: DiskReader): ServerContext {
  const log = (message: string): void => connection.console.log(message);
  return {
    connection,
    documents,
    workspace,
    service,
    disk,
    log,
    guard<T>(name: string, fallback: T, handler: () => T): T {
      try {
        return handler();
      } catch (error) {
        log(`${name} failed: ${describeError(error)}`);
        return fallback;
      }
    },
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
