/**
 * Document sync: the editor's open/change/close notifications keep the workspace model's open
 * texts current and tell the validation policy; a closed document's results are freed and its
 * diagnostics cleared.
 */
import type { ValidationPolicy } from '../validationPolicy';
import { clearDiagnostics } from './diagnostics';
import type { ServerContext } from './serverContext';

export function registerDocumentSync(context: ServerContext, validation: ValidationPolicy): void {
  const { documents, workspace, service, guard } = context;
  documents.onDidOpen((event) => {
    guard('open', undefined, () => {
      workspace.openDocument(event.document.uri, event.document.getText(), event.document.version);
      validation.opened(event.document.uri);
    });
  });
  documents.onDidChangeContent((event) => {
    guard('change', undefined, () => {
      workspace.changeDocument(event.document.uri, event.document.getText(), event.document.version);
      validation.changed(event.document.uri);
    });
  });
  documents.onDidClose((event) => {
    guard('close', undefined, () => {
      const uri = event.document.uri;
      workspace.closeDocument(uri);
      service.forget(uri);
      clearDiagnostics(context, uri);
      validation.closed(uri);
    });
  });
}
