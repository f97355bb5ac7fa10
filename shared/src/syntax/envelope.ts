/**
 * ESC's ciphertext envelope, as stored in `fn::secret: {ciphertext: <base64>}`:
 *
 *   "escx" | version (uint32 big-endian, 1) | encrypted payload | CRC-32 IEEE (uint32 big-endian)
 *
 * The checksum covers every byte before it; the whole is standard base64 (padded). Errors
 * carry ESC's own texts ("EOF", "invalid header", "invalid checksum", "unsupported version",
 * "illegal base64 data at input byte N") so the evaluator can report
 * `invalid ciphertext: <message>` exactly as the reference does. They never contain the
 * payload.
 */
import { crc32 } from './crc32';

const MAGIC = [0x65, 0x73, 0x63, 0x78]; // "escx"
export const ENVELOPE_VERSION = 1;
/** ESC refuses envelopes shorter than 16 bytes with io.EOF (magic, version, checksum, and at least 4 payload bytes). */
const MIN_LENGTH = 16;

export type EnvelopeErrorKind = 'base64' | 'truncated' | 'magic' | 'checksum' | 'version';

export class EnvelopeError extends Error {
  constructor(
    readonly kind: EnvelopeErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));

/**
 * Standard base64 as Go's `base64.StdEncoding.DecodeString` reads it: padding required, `\r`
 * and `\n` skipped anywhere, non-zero trailing bits tolerated. A failure is located by the
 * byte offset Go's `decodeQuantum` reports, including its quirks (a truncated final quantum
 * is located at "offset reached minus data characters read", a bad second padding character
 * one byte before it), because ESC shows that offset in `fn::fromBase64` and ciphertext
 * diagnostics. Every character before a reported offset is ASCII, so offsets in the string
 * equal Go's byte offsets.
 */
export function decodeBase64(text: string): Uint8Array {
  const out: number[] = [];
  const fail = (at: number): never => {
    throw new EnvelopeError('base64', `illegal base64 data at input byte ${at}`);
  };
  const isLineBreak = (at: number): boolean => text[at] === '\r' || text[at] === '\n';
  const skipLineBreaks = (from: number): number => {
    let at = from;
    while (at < text.length && isLineBreak(at)) at++;
    return at;
  };
  let at = 0;
  while (at < text.length) {
    // One quantum: up to four data characters, or two/three followed by padding.
    const quantum: number[] = [];
    let padded = false;
    while (quantum.length < 4 && !padded) {
      if (at === text.length) {
        if (quantum.length === 0) return Uint8Array.from(out);
        fail(at - quantum.length);
      }
      const c = text[at++] as string;
      const v = B64_INDEX.get(c);
      if (v !== undefined) {
        quantum.push(v);
        continue;
      }
      if (c === '\r' || c === '\n') continue;
      if (c !== '=' || quantum.length < 2) fail(at - 1);
      if (quantum.length === 2) {
        // Two data characters need "==": the second '=' may follow line breaks.
        at = skipLineBreaks(at);
        if (at === text.length) fail(text.length);
        if (text[at] !== '=') fail(at - 1);
        at++;
      }
      at = skipLineBreaks(at);
      if (at < text.length) fail(at); // anything after the padding
      padded = true;
    }
    const [a, b, c, d] = quantum as [number, number, number | undefined, number | undefined];
    out.push(((a << 2) | (b >> 4)) & 0xff);
    if (c !== undefined) out.push(((b << 4) | (c >> 2)) & 0xff);
    if (c !== undefined && d !== undefined) out.push(((c << 6) | d) & 0xff);
  }
  return Uint8Array.from(out);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function readUint32BE(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}

function writeUint32BE(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** Wraps an encrypted payload in the envelope (binary). */
export function sealEnvelope(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 12);
  out.set(MAGIC, 0);
  writeUint32BE(out, 4, ENVELOPE_VERSION);
  out.set(payload, 8);
  writeUint32BE(out, out.length - 4, crc32(out.subarray(0, out.length - 4)));
  return out;
}

/** Checks an envelope (binary) and returns its payload; checks in ESC's order (length, magic, checksum, version). */
export function openEnvelope(envelope: Uint8Array): Uint8Array {
  if (envelope.length < MIN_LENGTH) throw new EnvelopeError('truncated', 'EOF');
  if (!MAGIC.every((m, i) => envelope[i] === m)) throw new EnvelopeError('magic', 'invalid header');
  const expected = readUint32BE(envelope, envelope.length - 4);
  if (crc32(envelope.subarray(0, envelope.length - 4)) !== expected) throw new EnvelopeError('checksum', 'invalid checksum');
  if (readUint32BE(envelope, 4) !== ENVELOPE_VERSION) throw new EnvelopeError('version', 'unsupported version');
  return envelope.slice(8, envelope.length - 4);
}

/** The YAML form: base64 of the envelope around `payload` (ESC's `encodeCiphertext`). */
export function encodeCiphertext(payload: Uint8Array): string {
  return encodeBase64(sealEnvelope(payload));
}

/** Parses the YAML form back to the payload (ESC's `decodeCiphertext`); throws {@link EnvelopeError}. */
export function decodeCiphertext(text: string): Uint8Array {
  return openEnvelope(decodeBase64(text));
}
