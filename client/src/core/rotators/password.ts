/**
 * `fn::rotate::password` and `fn::rotate::passphrase`: rotators that generate secrets locally
 * with the OS CSPRNG (`crypto.randomInt`, which is unbiased). Inputs follow ESC's documented
 * ones; state/output use the two-secret strategy: `{current, previous}`, both secret strings.
 */
import { randomInt } from 'node:crypto';
import type { ExecutionContext, Rotator } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { CoreError } from '../errors';
import { fieldsOf, objectValue, optionalBoolean, optionalInteger, optionalString, secretString } from '../pluginValues';
import { EFF_LARGE_WORDLIST } from './wordlist';
import { rotatorSchemas } from '../catalog';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
export const DEFAULT_SPECIAL = '!@#$%&*()-_=+[]{}<>:?';

export interface PasswordOptions {
  length: number;
  lower: boolean;
  upper: boolean;
  special: boolean;
  minLower: number;
  minUpper: number;
  minSpecial: number;
  overrideSpecial: string;
}

export interface PassphraseOptions {
  length: number;
  separator: string;
  capitalize: boolean;
}

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}

/** Fisher–Yates with the CSPRNG, so required characters land at random positions. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function generatePassword(o: PasswordOptions): string {
  const special = o.special ? o.overrideSpecial : '';
  if (o.special && special.length === 0) throw new CoreError('InvalidInput', 'inputs.overrideSpecial must not be empty when inputs.special is true');
  if (!o.lower && o.minLower > 0) throw new CoreError('InvalidInput', 'inputs.minLower needs inputs.lower: true');
  if (!o.upper && o.minUpper > 0) throw new CoreError('InvalidInput', 'inputs.minUpper needs inputs.upper: true');
  if (!o.special && o.minSpecial > 0) throw new CoreError('InvalidInput', 'inputs.minSpecial needs inputs.special: true');
  const required = o.minLower + o.minUpper + o.minSpecial;
  if (required > o.length) {
    throw new CoreError('InvalidInput', `inputs.length (${o.length}) is smaller than minLower + minUpper + minSpecial (${required})`);
  }
  // Digits are always part of the alphabet (ESC's documented classes are letters and specials).
  const all = (o.lower ? LOWER : '') + (o.upper ? UPPER : '') + DIGITS + special;
  const chars: string[] = [];
  for (let i = 0; i < o.minLower; i++) chars.push(pick(LOWER));
  for (let i = 0; i < o.minUpper; i++) chars.push(pick(UPPER));
  for (let i = 0; i < o.minSpecial; i++) chars.push(pick(special));
  while (chars.length < o.length) chars.push(pick(all));
  return shuffle(chars).join('');
}

export function generatePassphrase(o: PassphraseOptions, words: readonly string[] = EFF_LARGE_WORDLIST): string {
  const out: string[] = [];
  for (let i = 0; i < o.length; i++) {
    const w = words[randomInt(words.length)]!;
    out.push(o.capitalize ? w[0]!.toUpperCase() + w.slice(1) : w);
  }
  return out.join(o.separator);
}

export function passwordOptions(inputs: { [key: string]: Value }): PasswordOptions {
  return {
    length: optionalInteger(inputs.length, 'inputs.length', 1, 4096) ?? 16,
    lower: optionalBoolean(inputs.lower, 'inputs.lower') ?? true,
    upper: optionalBoolean(inputs.upper, 'inputs.upper') ?? true,
    special: optionalBoolean(inputs.special, 'inputs.special') ?? true,
    minLower: optionalInteger(inputs.minLower, 'inputs.minLower', 0, 4096) ?? 0,
    minUpper: optionalInteger(inputs.minUpper, 'inputs.minUpper', 0, 4096) ?? 0,
    minSpecial: optionalInteger(inputs.minSpecial, 'inputs.minSpecial', 0, 4096) ?? 0,
    overrideSpecial: optionalString(inputs.overrideSpecial, 'inputs.overrideSpecial') ?? DEFAULT_SPECIAL,
  };
}

export function passphraseOptions(inputs: { [key: string]: Value }): PassphraseOptions {
  const separator = optionalString(inputs.separator, 'inputs.separator') ?? '-';
  if ([...separator].length > 1) throw new CoreError('InvalidInput', `inputs.separator must be a single character (got ${JSON.stringify(separator)})`);
  return {
    length: optionalInteger(inputs.length, 'inputs.length', 1, 64) ?? 5,
    separator,
    capitalize: optionalBoolean(inputs.capitalize, 'inputs.capitalize') ?? false,
  };
}

/** The secret state the two-secret rotators keep: `current` (and `previous` once rotated). */
function twoSecretState(current: string, previous: Value | undefined): Value {
  return objectValue({ current: secretString(current), previous: previous && previous.value !== null ? { ...previous, secret: true } : undefined });
}

abstract class GeneratedSecretRotator implements Rotator {
  protected abstract readonly rotatorName: 'password' | 'passphrase';
  protected abstract generate(inputs: { [key: string]: Value }): string;

  schema(): { inputs: Schema; state: Schema; outputs: Schema } {
    return rotatorSchemas(this.rotatorName);
  }

  async open(inputs: { [key: string]: Value }, state: Value | undefined, _context?: ExecutionContext): Promise<Value> {
    // Validate the inputs even when only opening, so mistakes surface before the first rotation.
    this.generateCheckOnly(inputs);
    const fields = fieldsOf(state, 'state');
    if (fields === undefined) return objectValue({});
    return objectValue({ current: fields.current && { ...fields.current, secret: true }, previous: fields.previous && { ...fields.previous, secret: true } });
  }

  async rotate(inputs: { [key: string]: Value }, state: Value | undefined, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    signal?.throwIfAborted();
    const fields = fieldsOf(state, 'state');
    return twoSecretState(this.generate(inputs), fields?.current);
  }

  private generateCheckOnly(inputs: { [key: string]: Value }): void {
    if (this.rotatorName === 'password') passwordOptions(inputs);
    else passphraseOptions(inputs);
  }
}

export class PasswordRotator extends GeneratedSecretRotator {
  protected readonly rotatorName = 'password';
  protected generate(inputs: { [key: string]: Value }): string {
    return generatePassword(passwordOptions(inputs));
  }
}

export class PassphraseRotator extends GeneratedSecretRotator {
  protected readonly rotatorName = 'passphrase';
  protected generate(inputs: { [key: string]: Value }): string {
    return generatePassphrase(passphraseOptions(inputs));
  }
}
