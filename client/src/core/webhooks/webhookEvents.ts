/**
 * Building webhook events from rotation outcomes and recorded saves (for the CLI and the extension alike): ids,
 * paths and messages only — a RotationResult carries no secret values, and core error messages
 * never contain one.
 */
import type { RotationResult } from '../escCore';
import { describeError } from '../errors';
import type { Revision } from '../history/historyStore';
import type { RotationEvent, SaveEvent } from './webhookDelivery';

export type RotationTrigger = RotationEvent['trigger'];

export function rotationEventFromResult(result: RotationResult, trigger: RotationTrigger, at: string = new Date().toISOString()): RotationEvent {
  return {
    event: 'rotation',
    environment: result.environment,
    outcome: result.ok ? 'succeeded' : 'failed',
    ...(result.revision ? { revision: result.revision.number } : {}),
    paths: result.paths.map((p) => ({
      path: p.path,
      ...(p.oldKeyId ? { oldKeyId: p.oldKeyId } : {}),
      ...(p.newKeyId ? { newKeyId: p.newKeyId } : {}),
      ...(p.deletedKeyId ? { deletedKeyId: p.deletedKeyId } : {}),
    })),
    trigger,
    ...(result.ok ? {} : { error: result.message }),
    at,
  };
}

/** A rotation that threw before producing a result (lock held, keychain locked, drift, …). */
export function rotationEventFromError(environment: string, paths: readonly string[] | undefined, error: unknown, trigger: RotationTrigger, at: string = new Date().toISOString()): RotationEvent {
  return { event: 'rotation', environment, outcome: 'failed', paths: (paths ?? []).map((p) => ({ path: p })), trigger, error: describeError(error), at };
}

/** A `save` revision (the definition changed): names, numbers and the OS user only. */
export function saveEventFromRevision(revision: Revision): SaveEvent {
  return { event: 'save', environment: revision.environment, revision: revision.number, trigger: revision.trigger ?? 'unknown', user: revision.user, at: revision.time };
}
