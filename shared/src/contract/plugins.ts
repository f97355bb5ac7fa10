/**
 * What the caller plugs into the pure evaluator, and what it hands back: environment loading,
 * providers and rotators, the ciphers for `fn::secret`, and rotation patches. The evaluator
 * performs no I/O; the language service, the rotation core, the CLI and the tests implement these
 * interfaces (check mode, real providers, the keychain-backed cipher, the conformance fakes).
 * The values and diagnostics these speak are the lower layers' (value/value.ts, syntax/diagnostic.ts).
 */
import type { Schema } from '../schema/schema';
import type { Value } from '../value/value';

/** Context handed to providers/rotators: ESC's execution context. */
export type ExecutionContext = { [key: string]: Value };

/**
 * What a provider may attach to an error it throws (`inputPath`: keys under its inputs, e.g.
 * `['get', 'dbPassword']`) so that the diagnostic lands on that input rather than on the call.
 */
export interface InputLocatedError {
  inputPath: readonly string[];
}

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
