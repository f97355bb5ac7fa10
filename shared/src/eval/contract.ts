/**
 * The contract between the evaluator and everything that plugs into it or consumes it
 * (providers, rotators, environment loaders, decrypters, the language service, the rotation
 * core). The evaluator module owns this file and may extend it; others code against it.
 * Nothing behind these interfaces is done by the evaluator itself: it performs no I/O.
 */
import type { Range } from '../syntax/range';
import type { Schema } from '../schema/schema';

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

export type Severity = 1 | 2; // 1 = error, 2 = warning (the corpus's numbering)

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** The document path of the offending node, in ESC property-path syntax (e.g. `values.a["b"][0]`). */
  path: string;
  range: Range;
}

/** Context handed to providers/rotators: ESC's execution context. */
export type ExecutionContext = { [key: string]: Value };

export interface Provider {
  schema(): { inputs: Schema; outputs: Schema };
  open(inputs: { [key: string]: Value }, context: ExecutionContext, signal?: AbortSignal): Promise<Value>;
}

export interface Rotator {
  schema(): { inputs: Schema; state: Schema; outputs: Schema };
  open(inputs: { [key: string]: Value }, state: Value | undefined, context: ExecutionContext, signal?: AbortSignal): Promise<Value>;
  rotate(inputs: { [key: string]: Value }, state: Value | undefined, context: ExecutionContext, signal?: AbortSignal): Promise<Value>;
}

export interface ProviderLoader {
  /** undefined = unknown provider (the evaluator reports it). */
  loadProvider(name: string): Provider | undefined;
  loadRotator(name: string): Rotator | undefined;
}

export interface Decrypter {
  decrypt(ciphertext: Uint8Array): Promise<Uint8Array>;
}

export interface Encrypter {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
}

export interface LoadedEnvironment {
  /** The file's text. */
  text: string;
  /** Decrypts this environment's ciphertexts; absent in check mode (nothing is decrypted). */
  decrypter?: Decrypter;
}

export interface EnvironmentLoader {
  /** undefined = not found (the evaluator reports a located "not found" diagnostic). */
  load(name: string): Promise<LoadedEnvironment | undefined>;
}

/** One rotated state to write back: where in the YAML document, and the new state. */
export interface RotationPatch {
  /** ESC property path of the `fn::rotate` node's `state` in the document, e.g. `values.a["fn::rotate::swap"].state`. */
  docPath: string;
  replacement: Value;
}
