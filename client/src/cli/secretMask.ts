/**
 * Streaming redaction of secret values in a child's output (`esc-local run`): every occurrence
 * of a secret's UTF-8 bytes is replaced by `[secret]`, also when the child writes a secret in
 * several pieces. Only the longest tail of the output seen so far that could still become a
 * secret is held back; everything before it is passed on at once, so interactive output
 * (prompts, progress lines) keeps flowing.
 *
 * Hand-written because no maintained npm package does streaming multi-pattern replacement
 * with a bounded hold-back: string-replace streams either buffer whole lines/streams or split
 * matches at chunk boundaries. Matching uses Buffer.indexOf per secret (native, linear in the
 * chunk), so the cost is O(chunk × number of secrets).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Value } from '../../../shared/src/value/value';
import { SECRET_PLACEHOLDER } from '../output/redaction';

const PLACEHOLDER = Buffer.from(SECRET_PLACEHOLDER, 'utf8');

/** The text of every secret leaf of a value (a secret object's leaves count as secret). */
export function secretStrings(root: Value): string[] {
  const found = new Set<string>();
  const walk = (v: Value, inSecret: boolean): void => {
    const secret = inSecret || v.secret === true;
    const d = v.value;
    if (Array.isArray(d)) d.forEach((x) => walk(x, secret));
    else if (d !== null && typeof d === 'object') Object.values(d).forEach((x) => walk(x, secret));
    else if (secret && !v.unknown && (typeof d === 'string' || typeof d === 'number')) {
      const text = String(d);
      if (text.trim() !== '') found.add(text);
    }
  };
  walk(root, false);
  return [...found];
}

/** The matching engine, independent of streams (unit-testable). */
export class SecretMasker {
  private readonly secrets: Buffer[];
  private held: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[]) {
    // Longest first: when two secrets start at the same byte, the longer one is redacted whole.
    this.secrets = [...new Set(secrets)]
      .filter((s) => s !== '')
      .map((s) => Buffer.from(s, 'utf8'))
      .sort((a, b) => b.length - a.length);
  }

  /**
   * Redacts what can be decided now; keeps back a tail that may be the start of a secret. A
   * complete match is final only if no unfinished one starts at or before it (a longer secret
   * may still begin there), which makes the result independent of how the output is chunked.
   */
  push(chunk: Buffer): Buffer {
    return this.scan(this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk, false);
  }

  /** The end of the stream: nothing more can complete a longer secret, so the held tail is decided. */
  flush(): Buffer {
    return this.scan(this.held, true);
  }

  private scan(data: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    const next = this.secrets.map(() => -2); // per secret: its next occurrence (-1 none, -2 not searched)
    let from = 0;
    // The earliest unfinished match; it moves only when a match ends beyond it.
    let keep = final ? data.length : this.partialTail(data, 0);
    for (;;) {
      if (from > keep) keep = this.partialTail(data, from);
      const match = this.firstMatch(data, from, next);
      if (match === undefined || match.at >= keep) {
        out.push(data.subarray(from, keep));
        this.held = Buffer.from(data.subarray(keep));
        return out.length === 1 ? out[0]! : Buffer.concat(out); // no copy when nothing was masked
      }
      out.push(data.subarray(from, match.at), PLACEHOLDER);
      from = match.at + match.length;
    }
  }

  /** The earliest complete occurrence at or after `from` (longest on a tie); `next` caches searches. */
  private firstMatch(data: Buffer, from: number, next: number[]): { at: number; length: number } | undefined {
    let best: { at: number; length: number } | undefined;
    this.secrets.forEach((s, i) => {
      if (next[i] === -2 || (next[i]! >= 0 && next[i]! < from)) next[i] = data.indexOf(s, from);
      const at = next[i]!;
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, length: s.length };
    });
    return best;
  }

  /** Start of the longest suffix of data[from..] that is a proper prefix of some secret (else data.length). */
  private partialTail(data: Buffer, from: number): number {
    let keep = data.length;
    for (const s of this.secrets) {
      const start = Math.max(from, data.length - (s.length - 1));
      for (let p = data.indexOf(s[0]!, start); p >= 0 && p < keep; p = data.indexOf(s[0]!, p + 1)) {
        if (data.subarray(p).equals(s.subarray(0, data.length - p))) {
          keep = p;
          break;
        }
      }
    }
    return keep;
  }
}

/** A Transform stream around {@link SecretMasker}. */
export function maskingStream(secrets: readonly string[]): Transform {
  const masker = new SecretMasker(secrets);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const out = masker.push(chunk);
      done(null, out.length > 0 ? out : undefined);
    },
    flush(done: TransformCallback) {
      const rest = masker.flush();
      done(null, rest.length > 0 ? rest : undefined);
    },
  });
}
