/**
 * The product's cipher for `fn::secret` ciphertexts: AES-256-GCM under a 32-byte data key.
 * Payload (what goes inside ESC's envelope) = 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
 * Errors never include plaintext (nor the key); a failed authentication says only that.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Decrypter, Encrypter } from '../eval/contract';

export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

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

/** Encrypts and decrypts envelope payloads with one data key. */
export class AesGcmCipher implements Encrypter, Decrypter {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== DATA_KEY_BYTES) throw new CipherError(`data key must be ${DATA_KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
  }

  async decrypt(payload: Uint8Array): Promise<Uint8Array> {
    if (payload.length < NONCE_BYTES + TAG_BYTES) throw new CipherError('ciphertext too short');
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
    decipher.setAuthTag(tag);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
    } catch {
      throw new CipherError('decryption failed: wrong key or corrupted ciphertext');
    }
  }
}
