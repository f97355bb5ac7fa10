/**
 * The JSON-schema subset ESC uses (draft 2020-12 keywords plus ESC's `secret` extension).
 * `true` and `false` schemas are represented as {@link ALWAYS} and {@link NEVER}.
 * Owned by the schema module; other modules only read these shapes.
 */
export type JsonPrimitive = null | boolean | number | string;
export type Json = JsonPrimitive | Json[] | { [key: string]: Json };

export interface ObjectSchema {
  $ref?: string;
  $defs?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  type?: 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';
  const?: Json;
  enum?: Json[];
  multipleOf?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  dependentRequired?: Record<string, string[]>;
  prefixItems?: Schema[];
  items?: Schema;
  additionalProperties?: Schema;
  properties?: Record<string, Schema>;
  title?: string;
  description?: string;
  default?: Json;
  deprecated?: boolean;
  examples?: Json[];
  /** ESC extension: values of this schema are secret. */
  secret?: boolean;
  /**
   * ESC extension on object schemas: the names of properties that are evaluated only during
   * rotation (the `echo` rotator's `inputs` has `rotateOnly: ["next"]`).
   */
  rotateOnly?: string[];
}

/** `true` accepts everything, `false` nothing, as in JSON schema. */
export type Schema = boolean | ObjectSchema;

/** The schema that accepts every value (ESC's `schema.Always()`). */
export const ALWAYS: Schema = true;
/** The schema that accepts no value (ESC's `schema.Never()`). */
export const NEVER: Schema = false;
