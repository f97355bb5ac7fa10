/**
 * After each rotation from VS Code (manual or scheduled), the configured webhooks receive the
 * signed JSON event (no secrets) — the same delivery as the CLI. A webhook failure is logged
 * and shown as a warning; it never changes the rotation's outcome.
 */
import * as vscode from 'vscode';
import type { RotationResult } from './core/core';
import { notifyRotation, WebhookStore } from './core/webhook';
import { rotationEventFromError, rotationEventFromResult, type RotationTrigger } from './core/webhook-events';
import { WebhookSecrets } from './core/webhook-secrets';
import { describeError, Log } from './log';
import { readSettings } from './settings';
import { coreWorkspace } from './workspaces';

export async function notifyWebhooks(
  folder: vscode.WorkspaceFolder,
  log: Log,
  trigger: RotationTrigger,
  outcome: { result: RotationResult } | { environment: string; paths: string[] | undefined; error: unknown },
): Promise<void> {
  const environment = 'result' in outcome ? outcome.result.environment : outcome.environment;
  try {
    const store = new WebhookStore(coreWorkspace(folder).toolDir);
    if (store.forEnvironment(environment).length === 0) return;
    const event = 'result' in outcome
      ? rotationEventFromResult(outcome.result, trigger)
      : rotationEventFromError(outcome.environment, outcome.paths, outcome.error, trigger);
    const results = await notifyRotation(store, new WebhookSecrets(readSettings(folder).keychainService), event, { userAgent: 'esc-local-vscode' });
    for (const r of results) {
      if (r.ok) {
        log.info(`webhook ${r.hookId} notified of the rotation of ${environment} (HTTP ${r.status ?? '?'})`);
      } else {
        log.warn(`webhook ${r.hookId} (${r.url}) failed after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'}; the rotation itself is unaffected`);
        void vscode.window.showWarningMessage(`Webhook ${r.hookId} was not notified of the rotation of ${environment}: ${r.error ?? 'unknown error'}. The rotation itself succeeded or failed independently.`);
      }
    }
  } catch (error) {
    log.warn(`webhooks for ${environment} not sent: ${describeError(error)}`);
  }
}
