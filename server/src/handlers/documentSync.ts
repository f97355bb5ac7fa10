/**
 * Document sync: the editor's open/change/close notifications keep the workspace model's open
 * texts current and tell the validation policy whether the editor's text differs from the disk's
 * (which is what the document's dependents see while it is closed); a closed document's results
 * are freed and its diagnostics cleared.
 */
import type { ValidationPolicy } from '../validationPolicy';
import { clearDiagnostics } from './diagnosticsPublishing';
import type { ServerContext } from './serverContext';

export function registerDocumentSync(context: ServerContext, validation: ValidationPolicy): void {
  const { documents, workspace, service, disk, guard } = context;
  // TextDocuments reports an opened document as changed right after opening it: not a change.
  let justOpened: string | undefined;
  documents.onDidOpen((event) => {
    guard('open', undefined, () => {
      const { uri, version } = event.document;
      const text = event.document.getText();
      // The disk is read only when something saw its text: in a workspace opened at once, nothing did.
      const differsFromDisk = workspace.diskTextSeen(uri) && text !== disk.read(uri);
      workspace.openDocument(uri, text, version);
      justOpened = uri;
      validation.opened(uri, differsFromDisk);
    });
  });
  documents.onDidChangeContent((event) => {
    if (justOpened === event.document.uri) {
      justOpened = undefined;
      return;
    }
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
      validation.closed(uri, disk.read(uri) !== event.document.getText());
    });
  });
}
