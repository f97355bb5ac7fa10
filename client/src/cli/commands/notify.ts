/**
 * What CLI commands that write an environment share: recording the edits made since the last
 * revision as a `save` revision first (so a rotation's revision shows only the rotation), and
 * sending webhooks. A webhook or history-of-edits problem is a warning, never the command's failure.
 */
import { describeError } from '../../core/errors';
import { eventType, notifyWebhooks, WebhookStore, type RotationEvent, type SaveEvent, type WebhookEventType } from '../../core/webhooks/webhookDelivery';
import { saveEventFromRevision } from '../../core/webhooks/webhookEvents';
import { WebhookSecrets } from '../../core/webhooks/webhookSecrets';
import type { CliContext } from '../context';
import { VERSION } from '../version';

/** Sends the event's webhooks; failures are warnings (and in the delivery log). */
export async function notify(ctx: CliContext, event: RotationEvent | SaveEvent): Promise<void> {
  let hooks: WebhookStore;
  try {
    hooks = new WebhookStore(ctx.escDir);
    if (hooks.forEvent(event.environment, eventType(event) as WebhookEventType).length === 0) return;
  } catch (e) {
    ctx.ui.warn(`webhooks not sent: ${describeError(e)}`);
    return;
  }
  ctx.ui.progress(`notifying webhooks of ${event.environment}`);
  const results = await notifyWebhooks(hooks, new WebhookSecrets(ctx.keychainService), event, { userAgent: `esc-local/${VERSION}` });
  for (const r of results) {
    if (r.ok) ctx.ui.progress(`webhook ${r.hookId} delivered (HTTP ${r.status ?? '?'})`);
    else ctx.ui.warn(`webhook ${r.hookId} (${r.url}) failed after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'} — see \`esc-local webhook deliveries\`; the ${event.event} itself is unaffected`);
  }
}

/** Whether saves are recorded: on unless `ESC_LOCAL_RECORD_SAVES` is `0`, `false` or `off` (the CLI's side of `esc.history.recordSaves`). */
export function recordSavesEnabled(env: NodeJS.ProcessEnv): boolean {
  return !/^(0|false|off|no)$/i.test(env.ESC_LOCAL_RECORD_SAVES?.trim() ?? '');
}

/**
 * Before a command writes an environment whose history has a recorded definition: if the file
 * differs from the newest one (edited since), records that as a `save` revision and notifies
 * `environment.saved` webhooks. Without a recorded definition there is nothing to compare with:
 * the command's own revision records the definition and starts the comparison.
 */
export async function recordHandEdits(ctx: CliContext, environment: string): Promise<void> {
  if (!recordSavesEnabled(ctx.env) || ctx.core.history.latestWithDefinition(environment) === undefined) return;
  let saved;
  try {
    saved = await ctx.core.recordSaveIfChanged(environment, { trigger: 'cli', message: 'edits made since the previous revision' });
  } catch (e) {
    ctx.ui.warn(`the edits to ${environment} since its last revision were not recorded as a save: ${describeError(e)}`);
    return;
  }
  if (saved === undefined) return;
  ctx.ui.progress(`recorded the edits to ${environment} as revision ${saved.number} (save)`);
  await notify(ctx, saveEventFromRevision(saved));
}
