/**
 * Terse constructors for the catalog's schemas (plain `Schema` object literals underneath), so
 * that each provider reads like the table in its documentation.
 */
import type { ObjectSchema, Schema } from '../schema/schema';

export function str(description: string, extra: Partial<ObjectSchema> = {}): ObjectSchema {
  return { type: 'string', description, ...extra };
}

export function num(description: string, extra: Partial<ObjectSchema> = {}): ObjectSchema {
  return { type: 'number', description, ...extra };
}

export function bool(description: string, extra: Partial<ObjectSchema> = {}): ObjectSchema {
  return { type: 'boolean', description, ...extra };
}

export function strings(description: string): ObjectSchema {
  return { type: 'array', items: { type: 'string' }, description };
}

/** A secret string (outputs and state: the evaluator marks such values secret). */
export function secretStr(description: string): ObjectSchema {
  return { type: 'string', secret: true, description };
}

export interface RecordOptions {
  /** Closed records reject unknown properties (typo detection); open ones accept extra keys. */
  open?: boolean;
  title?: string;
  description?: string;
}

/** An object with named properties; `required` lists the mandatory ones. */
export function record(properties: Record<string, Schema>, required: string[] = [], options: RecordOptions = {}): ObjectSchema {
  const schema: ObjectSchema = { type: 'object', properties };
  if (required.length > 0) schema.required = required;
  if (!options.open) schema.additionalProperties = false;
  if (options.title !== undefined) schema.title = options.title;
  if (options.description !== undefined) schema.description = options.description;
  return schema;
}

/** A map from user-chosen names to values of one schema (`map[string]T` in ESC's docs). */
export function mapOf(items: Schema, description: string): ObjectSchema {
  return { type: 'object', additionalProperties: items, description };
}

/** Any JSON object. */
export function anyObject(description: string): ObjectSchema {
  return { type: 'object', description };
}
