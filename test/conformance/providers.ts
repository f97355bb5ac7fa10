/**
 * The providers, rotators and decrypter the conformance corpus calls (described in the corpus
 * README). They exist only for testing and live here, not in the product.
 */
import type { Decrypter, ExecutionContext, Provider, ProviderLoader, Rotator } from '../../shared/src/contract/plugins';
import type { Value } from '../../shared/src/value/value';
import { always, anyOf, array, boolean, map, never, nullType, number, object, oneOf, record, ref, rotateOnly, string, tuple, withDefs } from '../../shared/src/schema';
import type { Schema } from '../../shared/src/schema/schema';

type Inputs = { [key: string]: Value };

function objectValue(properties: Inputs, secret = false): Value {
  const v: Value = { value: properties, trace: {} };
  if (secret) v.secret = true;
  return v;
}

function str(s: string): Value {
  return { value: s, trace: {} };
}

/** `test`: returns its inputs unchanged. */
class TestProvider implements Provider {
  schema(): { inputs: Schema; outputs: Schema } {
    return { inputs: true, outputs: true };
  }
  async open(inputs: Inputs): Promise<Value> {
    return objectValue(inputs);
  }
}

/** `secret-wrapper`: returns its inputs, secret as a whole. */
class SecretWrapperProvider implements Provider {
  schema(): { inputs: Schema; outputs: Schema } {
    return { inputs: true, outputs: true };
  }
  async open(inputs: Inputs): Promise<Value> {
    return objectValue(inputs, true);
  }
}

/** `error`: fails with the message in `why`. */
class ErrorProvider implements Provider {
  schema(): { inputs: Schema; outputs: Schema } {
    return { inputs: record({ why: string() }), outputs: true };
  }
  async open(inputs: Inputs): Promise<Value> {
    const why = inputs.why?.value;
    throw new Error(typeof why === 'string' ? why : 'error');
  }
}

/** The `schema` provider's schema: one property per JSON-schema feature, named after it. */
export function featureSchema(): Schema {
  return withDefs(
    object({
      properties: {
        null: nullType(),
        boolean: boolean(),
        false: boolean({ const: false }),
        true: boolean({ const: true }),
        number: number(),
        pi: number({ const: 3.14 }),
        string: string(),
        hello: string({ const: 'hello' }),
        array: array(always()),
        tuple: tuple(string({ const: 'hello' }), string({ const: 'world' })),
        map: map(always()),
        record: record({ foo: string() }),
        anyOf: anyOf(string(), number()),
        oneOf: oneOf(string(), number()),
        ref: ref('defRecord'),
        'const-array': { type: 'array', const: ['hello', 42] },
        'const-object': { type: 'object', const: { hello: 'world' } },
        enum: string({ enum: ['foo', 'bar'] }),
        never: never(),
        always: always(),
        double: tuple(string(), number()),
        triple: tuple(string(), number(), boolean()),
        dependentReq: object({ properties: { foo: string(), bar: number() }, dependentRequired: { foo: ['bar'] } }),
        multiple: number({ multipleOf: 2 }),
        minimum: number({ minimum: 1 }),
        exclusiveMinimum: number({ exclusiveMinimum: 1 }),
        maximum: number({ maximum: 1 }),
        exclusiveMaximum: number({ exclusiveMaximum: 1 }),
        minLength: string({ minLength: 1 }),
        maxLength: string({ maxLength: 1 }),
        pattern: string({ pattern: '^foo[0-9]+$' }),
        minItems: array(undefined, { minItems: 3 }),
        maxItems: array(undefined, { maxItems: 2 }),
        minProperties: object({ minProperties: 1 }),
        maxProperties: object({ maxProperties: 1 }),
      },
    }),
    { defRecord: record({ baz: string({ const: 'qux' }) }) },
  );
}

/** `schema`: inputs checked against {@link featureSchema}; returns them unchanged. */
class SchemaProvider implements Provider {
  private readonly s = featureSchema();
  schema(): { inputs: Schema; outputs: Schema } {
    return { inputs: this.s, outputs: this.s };
  }
  async open(inputs: Inputs): Promise<Value> {
    return objectValue(inputs);
  }
}

/** `bench`: waits a configurable delay, then returns the delay as a string. */
class BenchProvider implements Provider {
  constructor(private readonly delayMs: number) {}
  schema(): { inputs: Schema; outputs: Schema } {
    return { inputs: true, outputs: string() };
  }
  async open(): Promise<Value> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return str(`${this.delayMs}ms`);
  }
}

const swapState = (): Schema => record({ a: string(), b: string() });

/** `swap`: open returns the state; rotate swaps `a` and `b`. */
class SwapRotator implements Rotator {
  schema(): { inputs: Schema; state: Schema; outputs: Schema } {
    return { inputs: true, state: swapState(), outputs: swapState() };
  }
  async open(_inputs: Inputs, state: Value | undefined): Promise<Value> {
    return state ?? objectValue({});
  }
  async rotate(_inputs: Inputs, state: Value | undefined): Promise<Value> {
    const s = (state?.value ?? {}) as Inputs;
    return objectValue({ a: s.b ?? { value: null, trace: {} }, b: s.a ?? { value: null, trace: {} } });
  }
}

const echoState = (): Schema => object({ properties: { current: string(), previous: string() }, required: ['current'] });

/** `echo`: open returns the state; rotate returns `{current: inputs.next, previous: state.current}`. */
class EchoRotator implements Rotator {
  schema(): { inputs: Schema; state: Schema; outputs: Schema } {
    return { inputs: rotateOnly(record({ next: string() }), 'next'), state: echoState(), outputs: echoState() };
  }
  async open(inputs: Inputs, state: Value | undefined): Promise<Value> {
    const next = inputs.next;
    const current = (state?.value as Inputs | undefined)?.current;
    if (next !== undefined && !next.unknown && current !== undefined && next.value !== current.value) {
      throw new Error('echo: open saw an evaluated rotate-only input');
    }
    return state ?? objectValue({});
  }
  async rotate(inputs: Inputs, state: Value | undefined): Promise<Value> {
    const s = (state?.value ?? {}) as Inputs;
    return objectValue({ current: inputs.next ?? { value: null, trace: {} }, previous: s.current ?? { value: null, trace: {} } });
  }
}

export interface TestProviderOptions {
  /** Delay of the `bench` provider. */
  benchDelayMs?: number;
}

export class TestProviders implements ProviderLoader {
  private readonly providers: Map<string, Provider>;
  private readonly rotators: Map<string, Rotator>;

  constructor(options: TestProviderOptions = {}) {
    this.providers = new Map<string, Provider>([
      ['test', new TestProvider()],
      ['secret-wrapper', new SecretWrapperProvider()],
      ['error', new ErrorProvider()],
      ['schema', new SchemaProvider()],
      ['bench', new BenchProvider(options.benchDelayMs ?? 0)],
    ]);
    this.rotators = new Map<string, Rotator>([
      ['swap', new SwapRotator()],
      ['echo', new EchoRotator()],
    ]);
  }

  loadProvider(name: string): Provider | undefined {
    return this.providers.get(name);
  }

  loadRotator(name: string): Rotator | undefined {
    return this.rotators.get(name);
  }
}

/** The test cipher: adds 128 (mod 256) to every byte, both ways. */
export class TestDecrypter implements Decrypter {
  async decrypt(ciphertext: Uint8Array): Promise<Uint8Array> {
    return ciphertext.map((b) => (b + 128) & 0xff);
  }
}

export const TEST_CONTEXT = { pulumi: { user: { id: 'USER_123' } } };

export type { ExecutionContext };
