/**
 * Decoding of ESC's ciphertext envelope as the evaluator reads it from `fn::secret: {ciphertext}`:
 * base64 of `"escx"`, a big-endian uint32 version (1), the encrypted bytes and a big-endian CRC-32
 * (IEEE) of everything before it. Errors carry ESC's wording (`EOF`, `invalid header`, …) because
 * they appear in diagnostics as `invalid ciphertext: <error>`.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding.DecodeString, strict; the error text mimics Go's. */
export function decodeBase64Strict(text: string): Uint8Array {
  if (!BASE64.test(text)) {
    let at = 0;
    while (at < text.length && /[A-Za-z0-9+/]/.test(text[at])) at++;
    if (at === text.length) at = text.length - (text.length % 4 === 0 ? 0 : text.length % 4);
    throw new Error(`illegal base64 data at input byte ${at}`);
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Returns the encrypted bytes inside an envelope, or throws with ESC's message. */
export function decodeCiphertext(text: string): Uint8Array {
  const bin = decodeBase64Strict(text);
  if (bin.length < 16) throw new Error('EOF');
  if (String.fromCharCode(bin[0], bin[1], bin[2], bin[3]) !== 'escx') throw new Error('invalid header');
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  if (view.getUint32(bin.length - 4) !== crc32(bin.subarray(0, bin.length - 4))) throw new Error('invalid checksum');
  if (view.getUint32(4) !== 1) throw new Error('unsupported version');
  return bin.slice(8, bin.length - 4);
}
