/**
 * A revision per save, as in ESC: when an environment file is saved in VS Code and its
 * definition differs from its newest revision, a `save` revision is recorded (setting
 * `esc.history.recordSaves`, on by default) and `environment.saved` webhooks are notified.
 * Saves of one environment are recorded one after another, so two quick saves never race for
 * the comparison with the newest revision. Edits made outside VS Code are recorded by the core
 * before any write of the extension's (rotation, scheduled rotation, encryption, rollback): each
 * of those reports its save here (`reportHandEdits`).
 */
import * as vscode from 'vscode';
import type { HandEdits } from '../../core/escCore';
import { saveEventFromRevision } from '../../core/webhooks/webhookEvents';
import { environmentOf } from '../environments';
import { describeError, Log } from '../log';
import { notifyWebhooks } from '../notifyWebhooks';
import { readSettings } from '../settings';
import { escCore } from '../workspaceFolders';

export function registerSaveRecorder(log: Log): vscode.Disposable {
  const queues = new Map<string, Promise<void>>();
  return vscode.workspace.onDidSaveTextDocument(document => {
    const env = environmentOf(document.uri);
    if (!env || !readSettings(env.folder).recordSaves) return;
    const key = `${env.folder.index}:${env.name}`;
    const next = (queues.get(key) ?? Promise.resolve()).then(async () => {
      try {
        const revision = await escCore(env.folder, log).recordSaveIfChanged(env.name, { trigger: 'extension' });
        if (revision === undefined) return;
        log.info(`recorded the save of ${env.name} as revision ${revision.number}`);
        await notifyWebhooks(env.folder, log, 'extension', { save: saveEventFromRevision(revision) });
      } catch (error) {
        log.warn(`the save of ${env.name} was not recorded in its history: ${describeError(error)}`);
      }
    });
    queues.set(key, next);
    void next.finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  });
}

/**
 * After an operation of the extension wrote an environment: the edits the core recorded first
 * as a `save` revision (logged, `environment.saved` webhooks notified), or why it could not.
 */
export async function reportHandEdits(folder: vscode.WorkspaceFolder, log: Log, environment: string, edits: HandEdits): Promise<void> {
  if (edits.saveWarning !== undefined) {
    log.warn(edits.saveWarning);
    void vscode.window.showWarningMessage(`${edits.saveWarning[0]!.toUpperCase()}${edits.saveWarning.slice(1)}.`);
  }
  if (edits.save === undefined) return;
  log.info(`recorded the edits made to ${environment} since its last revision as revision ${edits.save.number} (save)`);
  await notifyWebhooks(folder, log, 'extension', { save: saveEventFromRevision(edits.save) });
}
