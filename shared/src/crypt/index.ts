/**
 * The crypt module: ESC's ciphertext envelope and the product's cipher.
 *
 * Envelope (envelope.ts): `"escx"` | uint32 BE version 1 | payload | uint32 BE CRC-32 (IEEE)
 * of everything before it, base64 in YAML.
 *   encodeCiphertext(payload) → base64 text; decodeCiphertext(text) → payload
 *   sealEnvelope / openEnvelope (binary), decodeBase64 (Go-strict) / encodeBase64
 *   Errors: EnvelopeError {kind: 'base64'|'truncated'|'magic'|'checksum'|'version'} whose
 *   message is ESC's ("EOF", "invalid header", "invalid checksum", "unsupported version",
 *   "illegal base64 data at input byte N"); the evaluator reports `invalid ciphertext: <message>`.
 *
 * Cipher (aesgcm.ts): AesGcmCipher(key32) implements the contract's Encrypter and Decrypter on
 * envelope payloads (nonce ‖ ciphertext ‖ tag), and the same synchronously with optional
 * associated data as seal(plaintext, ad?) / open(payload, ad?) (the rotation journal binds its
 * secrets to environment and purpose); generateDataKey(); CipherError (never carries plaintext).
 *
 * Helpers: encryptToCiphertext(encrypter, plaintext) → YAML base64 text;
 * decryptCiphertext(decrypter, text) → plaintext string.
 */
import type { Decrypter, Encrypter } from '../eval/contract';
import { decodeCiphertext, encodeCiphertext } from './envelope';

export * from './envelope';
export * from './aesgcm';
export { crc32 } from './crc32';

/** Encrypts a UTF-8 string and wraps it for `fn::secret: {ciphertext: ...}`. */
export async function encryptToCiphertext(encrypter: Encrypter, plaintext: string): Promise<string> {
  return encodeCiphertext(await encrypter.encrypt(new TextEncoder().encode(plaintext)));
}

/** Unwraps and decrypts a `ciphertext` text to a UTF-8 string. */
export async function decryptCiphertext(decrypter: Decrypter, text: string): Promise<string> {
  return new TextDecoder().decode(await decrypter.decrypt(decodeCiphertext(text)));
}
