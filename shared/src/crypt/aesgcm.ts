/**
 * The product's cipher for `fn::secret` ciphertexts: AES-256-GCM under a 32-byte data key.
 * Payload (what goes inside ESC's envelope) = 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
 * The same cipher seals other local secrets (the rotation journal) with associated data.
 * Errors never include plaintext (nor the key); a failed authentication says only that.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Decrypter, Encrypter } from '../contract/plugins';

export const DATA_KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export class CipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CipherError';
  }
}

/** A fresh random data key. */
export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

/**
 * Encrypts and decrypts payloads with one data key. `seal`/`open` are synchronous and may bind
 * associated data (authenticated, not stored: the same bytes must be given to open); the
 * async Encrypter/Decrypter methods are the same operations without it, as envelopes use them.
 */
export class AesGcmCipher implements Encrypter, Decrypter {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== DATA_KEY_BYTES) throw new CipherError(`data key must be ${DATA_KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  /** nonce ‖ ciphertext ‖ tag of `plaintext`, under a fresh random nonce. */
  seal(plaintext: Uint8Array, associatedData?: Uint8Array): Uint8Array {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    if (associatedData !== undefined) cipher.setAAD(associatedData);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
  }

  /** The plaintext of a {@link seal}ed payload; throws {@link CipherError} unless key and associated data match. */
  open(payload: Uint8Array, associatedData?: Uint8Array): Uint8Array {
    if (payload.length < NONCE_BYTES + TAG_BYTES) throw new CipherError('ciphertext too short');
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
    decipher.setAuthTag(tag);
    if (associatedData !== undefined) decipher.setAAD(associatedData);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
    } catch {
      throw new CipherError('decryption failed: wrong key or corrupted ciphertext');
    }
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return this.seal(plaintext);
  }

  async decrypt(payload: Uint8Array): Promise<Uint8Array> {
    return this.open(payload);
  }
}
