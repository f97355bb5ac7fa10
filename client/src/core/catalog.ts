/**
 * Schemas of the providers/rotators the core runs, taken from the shared provider catalog so
 * that the language service, the evaluator and the runtime agree on one definition.
 */
import type { Schema } from '../../../shared/src/schema/schema';
import { providerSpecs } from '../../../shared/src/catalog/providers';
import { rotatorSpecs } from '../../../shared/src/catalog/rotators';

export function rotatorSchemas(name: string): { inputs: Schema; state: Schema; outputs: Schema } {
  const spec = rotatorSpecs().find((r) => r.name === name);
  if (spec === undefined) throw new Error(`internal: rotator ${name} is missing from the catalog`);
  // The evaluator reads rotate-only inputs from the input schema's `rotateOnly`.
  return { inputs: { ...spec.inputs, rotateOnly: [...spec.rotateOnly] }, state: spec.state, outputs: spec.outputs };
}

export function providerSchemas(name: string): { inputs: Schema; outputs: Schema } {
  const spec = providerSpecs().find((p) => p.name === name);
  if (spec === undefined) throw new Error(`internal: provider ${name} is missing from the catalog`);
  return { inputs: spec.inputs, outputs: spec.outputs };
}
