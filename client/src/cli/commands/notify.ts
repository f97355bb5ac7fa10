/**
 * What CLI commands that write an environment share: reporting the edits the core recorded as a
 * `save` revision before writing (so a rotation's revision shows only the rotation), and sending
 * webhooks. A webhook or history-of-edits problem is a warning, never the command's failure.
 */
import { describeError } from '../../core/errors';
import type { HandEdits } from '../../core/escCore';
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

/**
 * What a command that wrote an environment says about the edits the core recorded first as a
 * `save` revision (see core `HandEdits`): the revision, then its `environment.saved` webhooks;
 * or a warning when they could not be recorded.
 */
export async function reportHandEdits(ctx: CliContext, environment: string, edits: HandEdits): Promise<void> {
  if (edits.saveWarning !== undefined) ctx.ui.warn(edits.saveWarning);
  if (edits.save === undefined) return;
  ctx.ui.progress(`recorded the edits to ${environment} as revision ${edits.save.number} (save)`);
  await notify(ctx, saveEventFromRevision(edits.save));
}
