/**
 * The crypt module: the product's cipher, the only code that holds a data key and decrypts. The
 * language server must never reach it (test/unit/architecture.test.ts).
 *
 * ESC's ciphertext envelope around a payload (`"escx"` | version | payload | CRC-32, base64 in
 * YAML) is a format, not decryption: it is the syntax layer's (syntax/envelope.ts), so the
 * evaluator can check ciphertexts without a key.
 *
 * Cipher (aesgcm.ts): AesGcmCipher(key32) implements the contract's Encrypter and Decrypter on
 * envelope payloads (nonce ‖ ciphertext ‖ tag), and the same synchronously with optional
 * associated data as seal(plaintext, ad?) / open(payload, ad?) (the rotation journal binds its
 * secrets to environment and purpose); generateDataKey(); CipherError (never carries plaintext).
 *
 * Helpers: encryptToCiphertext(encrypter, plaintext) → YAML base64 text;
 * decryptCiphertext(decrypter, text) → plaintext string.
 */
import type { Decrypter, Encrypter } from '../contract/plugins';
import { decodeCiphertext, encodeCiphertext } from '../syntax/envelope';

export * from './aesgcm';

/** Encrypts a UTF-8 string and wraps it for `fn::secret: {ciphertext: ...}`. */
export async function encryptToCiphertext(encrypter: Encrypter, plaintext: string): Promise<string> {
  return encodeCiphertext(await encrypter.encrypt(new TextEncoder().encode(plaintext)));
}

/** Unwraps and decrypts a `ciphertext` text to a UTF-8 string. */
export async function decryptCiphertext(decrypter: Decrypter, text: string): Promise<string> {
  return new TextDecoder().decode(await decrypter.decrypt(decodeCiphertext(text)));
}
