/**
 * Publishing diagnostics: validates one open document with the language service and sends the
 * result for the version it was computed for. A stale or cancelled result is never published; a
 * failing validation is logged and published as no diagnostics, so the editor never keeps
 * diagnostics of an older text. When and which documents: ../validationPolicy.ts.
 */
import { documentDiagnostics } from '../../../shared/src/language/diagnostics';
import { CancelledError } from '../../../shared/src/language/service';
import { describeError, type ServerContext } from './serverContext';

/** Validates one open document (with the evaluator) and publishes its diagnostics; true when published for its current text. */
export function validateAndPublish(context: ServerContext): (uri: string, signal: AbortSignal) => Promise<boolean> {
  const { connection, documents, service } = context;
  return async (uri, signal) => {
    const document = documents.get(uri);
    if (!document) return false;
    const version = document.version;
    try {
      // An incremental check gives exactly a full check's result (the differential test
      // test/unit/language-incremental-differential.test.ts): no confirming full check follows.
      const { diagnostics } = await service.validate(uri, signal);
      if (signal.aborted || documents.get(uri)?.version !== version) return false;
      await connection.sendDiagnostics({ uri, version, diagnostics });
      return true;
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) return false;
      context.log(`validation of ${uri} failed: ${describeError(error)}`);
      await connection.sendDiagnostics({ uri, version, diagnostics: [] });
      return false;
    }
  };
}

/** Publishes what an open document itself shows (syntax, structure) without evaluating it; the parse is kept for the evaluation. */
export function publishWithoutEvaluation(context: ServerContext, uri: string): void {
  const document = context.documents.get(uri);
  const parsed = context.service.document(uri);
  if (!document || !parsed) return;
  void context.connection.sendDiagnostics({ uri, version: document.version, diagnostics: documentDiagnostics(parsed) });
}

/** Closed documents show no diagnostics. */
export function clearDiagnostics(context: ServerContext, uri: string): void {
  void context.connection.sendDiagnostics({ uri, diagnostics: [] });
}
