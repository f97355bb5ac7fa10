/** ESC's ciphertext envelope and the AES-256-GCM product cipher. */
import * as assert from 'assert';
import type { Decrypter, Encrypter } from '../../shared/src/contract/plugins';
import { AesGcmCipher, CipherError, decryptCiphertext, encryptToCiphertext, generateDataKey } from '../../shared/src/crypt';
import { crc32 } from '../../shared/src/syntax/crc32';
import { EnvelopeError, decodeBase64, decodeCiphertext, encodeBase64, encodeCiphertext, openEnvelope, sealEnvelope } from '../../shared/src/syntax/envelope';

/** The corpus's test cipher: +128 mod 256 on every byte, both ways. */
const rot128: Encrypter & Decrypter = {
  async encrypt(b) {
    return b.map((x) => (x + 128) & 0xff);
  },
  async decrypt(b) {
    return b.map((x) => (x + 128) & 0xff);
  },
};

function envelopeError(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EnvelopeError, `expected EnvelopeError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('crypt: CRC-32', () => {
  it('matches the IEEE check value', () => {
    assert.strictEqual(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.strictEqual(crc32(new Uint8Array()), 0);
  });
});

describe('crypt: envelope', () => {
  it('decodes the corpus ciphertext to hunter2 with the test cipher', async () => {
    assert.strictEqual(await decryptCiphertext(rot128, 'ZXNjeAAAAAHo9e705fKyKo30VQ=='), 'hunter2');
  });

  it('encodes byte-for-byte what ESC encodes', async () => {
    assert.strictEqual(await encryptToCiphertext(rot128, 'hunter2'), 'ZXNjeAAAAAHo9e705fKyKo30VQ==');
  });

  it('round-trips payloads of every small length', () => {
    for (let n = 4; n < 40; n++) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      assert.deepStrictEqual(decodeCiphertext(encodeCiphertext(payload)), payload);
    }
  });

  it('lays out magic, big-endian version, payload and big-endian CRC', () => {
    const env = sealEnvelope(Uint8Array.from([1, 2, 3, 4]));
    assert.deepStrictEqual([...env.subarray(0, 12)], [0x65, 0x73, 0x63, 0x78, 0, 0, 0, 1, 1, 2, 3, 4]);
    const crc = crc32(env.subarray(0, 12));
    assert.deepStrictEqual([...env.subarray(12)], [crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]);
  });

  it('reports a too-short envelope as ESC does (EOF): the ciphertext-invalid case', () => {
    const e = envelopeError(() => decodeCiphertext('hunter23'));
    assert.strictEqual(e.message, 'EOF');
    assert.strictEqual(e.kind, 'truncated');
  });

  it('reports a bad magic, checksum and version', () => {
    const good = sealEnvelope(Uint8Array.from([9, 9, 9, 9, 9]));
    const badMagic = good.slice();
    badMagic[0] = 0x45;
    assert.strictEqual(envelopeError(() => openEnvelope(badMagic)).message, 'invalid header');
    const badCrc = good.slice();
    badCrc[9] ^= 1;
    assert.strictEqual(envelopeError(() => openEnvelope(badCrc)).message, 'invalid checksum');
    // A different version with a correct checksum.
    const v2 = good.slice(0, good.length - 4);
    v2[7] = 2;
    const crc = crc32(v2);
    const withCrc = new Uint8Array([...v2, crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]);
    const e = envelopeError(() => openEnvelope(withCrc));
    assert.strictEqual(e.message, 'unsupported version');
    assert.strictEqual(e.kind, 'version');
  });

  it('decodes base64 strictly, locating bad input like Go', () => {
    assert.strictEqual(envelopeError(() => decodeBase64('ab$d')).message, 'illegal base64 data at input byte 2');
    assert.strictEqual(envelopeError(() => decodeBase64('abcde')).message, 'illegal base64 data at input byte 4');
    // Go's decodeQuantum locates a bad second padding character one byte early.
    assert.strictEqual(envelopeError(() => decodeBase64('ab=d')).message, 'illegal base64 data at input byte 2');
    assert.strictEqual(envelopeError(() => decodeBase64('ab=')).message, 'illegal base64 data at input byte 3');
    assert.strictEqual(envelopeError(() => decodeBase64('ab=\n\n')).message, 'illegal base64 data at input byte 5');
    assert.strictEqual(envelopeError(() => decodeBase64('abc=x')).message, 'illegal base64 data at input byte 4');
    assert.strictEqual(envelopeError(() => decodeBase64('ab==x')).message, 'illegal base64 data at input byte 4');
    assert.strictEqual(envelopeError(() => decodeBase64('ab==\n=')).message, 'illegal base64 data at input byte 5');
    // A truncated final quantum: Go subtracts the data characters read from the offset reached.
    assert.strictEqual(envelopeError(() => decodeBase64('abcdabc')).message, 'illegal base64 data at input byte 4');
    assert.strictEqual(envelopeError(() => decodeBase64('ab\nc')).message, 'illegal base64 data at input byte 1');
    assert.strictEqual(envelopeError(() => decodeBase64('a')).message, 'illegal base64 data at input byte 0');
    assert.strictEqual(envelopeError(() => decodeBase64('ab cd')).message, 'illegal base64 data at input byte 2');
    assert.strictEqual(envelopeError(() => decodeBase64('a===')).message, 'illegal base64 data at input byte 1');
    assert.strictEqual(envelopeError(() => decodeBase64('YQ==YQ==')).message, 'illegal base64 data at input byte 4');
    assert.deepStrictEqual([...decodeBase64('YQ==')], [0x61]);
    assert.deepStrictEqual([...decodeBase64('YWI=')], [0x61, 0x62]);
    assert.deepStrictEqual([...decodeBase64('YW\nJj\r\n')], [0x61, 0x62, 0x63]);
    assert.deepStrictEqual([...decodeBase64('')], []);
    assert.deepStrictEqual([...decodeBase64('\n')], []);
    assert.deepStrictEqual([...decodeBase64('YQ\r\n=\n=\n')], [0x61]);
    assert.deepStrictEqual([...decodeBase64('YWJj\nYQ==')], [0x61, 0x62, 0x63, 0x61]);
    // StdEncoding is not Strict: non-zero bits after the last byte are ignored.
    assert.deepStrictEqual([...decodeBase64('YR==')], [0x61]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepStrictEqual(decodeBase64(encodeBase64(all)), all);
  });
});

describe('crypt: AES-256-GCM cipher', () => {
  it('round-trips through the envelope with a generated key', async () => {
    const cipher = new AesGcmCipher(generateDataKey());
    const text = await encryptToCiphertext(cipher, 'pässwörd 🔑');
    assert.strictEqual(await decryptCiphertext(cipher, text), 'pässwörd 🔑');
  });

  it('uses a fresh nonce each time and the documented payload layout', async () => {
    const cipher = new AesGcmCipher(generateDataKey());
    const a = await cipher.encrypt(new TextEncoder().encode('same'));
    const b = await cipher.encrypt(new TextEncoder().encode('same'));
    assert.strictEqual(a.length, 12 + 4 + 16);
    assert.notDeepStrictEqual(a, b);
  });

  it('fails with the wrong key without revealing anything', async () => {
    const text = await encryptToCiphertext(new AesGcmCipher(generateDataKey()), 'top-secret-value');
    await assert.rejects(decryptCiphertext(new AesGcmCipher(generateDataKey()), text), (e: unknown) => {
      assert.ok(e instanceof CipherError);
      assert.strictEqual(e.message, 'decryption failed: wrong key or corrupted ciphertext');
      assert.ok(!e.message.includes('top-secret'));
      return true;
    });
  });

  it('detects tampering and short payloads', async () => {
    const cipher = new AesGcmCipher(generateDataKey());
    const payload = await cipher.encrypt(new TextEncoder().encode('x'));
    payload[13] ^= 0x80;
    await assert.rejects(cipher.decrypt(payload), CipherError);
    await assert.rejects(cipher.decrypt(new Uint8Array(20)), /ciphertext too short/);
  });

  it('seals synchronously with associated data that must match to open', async () => {
    const cipher = new AesGcmCipher(generateDataKey());
    const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
    const sealed = cipher.seal(bytes('journal secret'), bytes('env\npurpose'));
    assert.strictEqual(sealed.length, 12 + 14 + 16);
    assert.strictEqual(new TextDecoder().decode(cipher.open(sealed, bytes('env\npurpose'))), 'journal secret');
    for (const wrong of [bytes('env\nother'), bytes('other\npurpose'), undefined]) {
      assert.throws(() => cipher.open(sealed, wrong), (e: unknown) => e instanceof CipherError && !e.message.includes('journal secret'));
    }
    await assert.rejects(cipher.decrypt(sealed), CipherError, 'the async decrypter binds no associated data');
    // The async interface is the same operation without associated data: each opens the other's payloads.
    assert.strictEqual(new TextDecoder().decode(cipher.open(await cipher.encrypt(bytes('a')))), 'a');
    assert.strictEqual(new TextDecoder().decode(await cipher.decrypt(cipher.seal(bytes('b')))), 'b');
    assert.throws(() => cipher.open(cipher.seal(bytes('c')), bytes('bound')), CipherError);
    assert.throws(() => cipher.open(new Uint8Array(27)), /ciphertext too short/);
  });

  it('rejects keys of the wrong size', () => {
    assert.throws(() => new AesGcmCipher(new Uint8Array(16)), /data key must be 32 bytes, got 16/);
    assert.strictEqual(generateDataKey().length, 32);
  });
});
