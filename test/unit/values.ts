/** Evaluator values for tests, built from plain JSON (known, traceless). */
import type { Value } from '../../shared/src/value/value';
import type { Json } from '../../shared/src/schema/schema';

/** A known value built from JSON; `secret` marks the whole value (not its parts) as secret. */
export function val(j: Json, secret = false): Value {
  let data: Value['value'];
  if (Array.isArray(j)) data = j.map((x) => val(x));
  else if (j !== null && typeof j === 'object') {
    const o: { [key: string]: Value } = {};
    for (const k of Object.keys(j)) o[k] = val(j[k] as Json);
    data = o;
  } else data = j;
  return obj(data, secret);
}

/** An object value from already built properties (or any value data). */
export function obj(props: Value['value'], secret = false): Value {
  return secret ? { value: props, secret: true, trace: {} } : { value: props, trace: {} };
}
