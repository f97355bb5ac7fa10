/**
 * ESC's value: what evaluation produces and what providers and rotators take and return (pulumi/esc
 * `value.go`). Below the schema layer, which validates values, and everything that computes them.
 */
import type { Range } from '../syntax/range';

/** Where a value came from: its definition, and the value it overrode (from an import). */
export interface Trace {
  def?: Range;
  base?: Value;
}

export type ValueData = null | boolean | number | string | Value[] | { [key: string]: Value };

/** An evaluated value with ESC's flags. `unknown` values have no data (check mode, providers not run). */
export interface Value {
  value: ValueData;
  secret?: boolean;
  unknown?: boolean;
  trace: Trace;
}
