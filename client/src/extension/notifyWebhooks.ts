/**
 * After each rotation from VS Code (manual or scheduled) and each recorded save, the subscribed
 * webhooks receive the signed event (no secrets) — the same delivery as the CLI. A webhook
 * failure is logged and shown as a warning; it never changes the outcome of what it reports.
 */
import * as vscode from 'vscode';
import type { RotationResult } from '../core/escCore';
import { eventType, notifyWebhooks as sendToWebhooks, WebhookStore, type SaveEvent, type WebhookEventType } from '../core/webhooks/webhookDelivery';
import { rotationEventFromError, rotationEventFromResult, type RotationTrigger } from '../core/webhooks/webhookEvents';
import { WebhookSecrets } from '../core/webhooks/webhookSecrets';
import { describeError, Log } from './log';
import { readSettings } from './settings';
import { coreWorkspace } from './workspaceFolders';

export async function notifyWebhooks(
  folder: vscode.WorkspaceFolder,
  log: Log,
  trigger: RotationTrigger,
  outcome: { result: RotationResult } | { environment: string; paths: string[] | undefined; error: unknown } | { save: SaveEvent },
): Promise<void> {
  const environment = 'result' in outcome ? outcome.result.environment : 'save' in outcome ? outcome.save.environment : outcome.environment;
  try {
    const store = new WebhookStore(coreWorkspace(folder).toolDir);
    const event = 'result' in outcome
      ? rotationEventFromResult(outcome.result, trigger)
      : 'save' in outcome
        ? outcome.save
        : rotationEventFromError(outcome.environment, outcome.paths, outcome.error, trigger);
    if (store.forEvent(environment, eventType(event) as WebhookEventType).length === 0) return;
    const results = await sendToWebhooks(store, new WebhookSecrets(readSettings(folder).keychainService), event, { userAgent: 'esc-local-vscode' });
    for (const r of results) {
      if (r.ok) {
        log.info(`webhook ${r.hookId} notified of the ${event.event} of ${environment} (HTTP ${r.status ?? '?'})`);
      } else {
        log.warn(`webhook ${r.hookId} (${r.url}) failed after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'}; the ${event.event} itself is unaffected`);
        void vscode.window.showWarningMessage(`Webhook ${r.hookId} was not notified of the ${event.event} of ${environment}: ${r.error ?? 'unknown error'}. The ${event.event} itself is unaffected.`);
      }
    }
  } catch (error) {
    log.warn(`webhooks for ${environment} not sent: ${describeError(error)}`);
  }
}
