/** The streaming secret mask of `esc-local run`: every chunking of the output gives the same redaction. */
import * as assert from 'node:assert/strict';
import { SecretMasker, secretStrings } from '../../client/src/cli/secretMask';
import type { Value } from '../../shared/src/value/value';
import { prng } from './prng';

/** The whole-text answer: earliest match first, the longest secret on a tie. */
function reference(text: string, secrets: string[]): string {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  let out = '';
  let i = 0;
  while (i < text.length) {
    let best: string | undefined;
    let at = Infinity;
    for (const s of sorted) {
      const j = text.indexOf(s, i);
      if (j >= 0 && j < at) {
        at = j;
        best = s;
      }
    }
    if (best === undefined) return out + text.slice(i);
    out += text.slice(i, at) + '[secret]';
    i = at + best.length;
  }
  return out;
}

function masked(chunks: Buffer[], secrets: string[]): string {
  const m = new SecretMasker(secrets);
  return Buffer.concat([...chunks.map((c) => m.push(c)), m.flush()]).toString('utf8');
}

describe('cli secret mask (streaming, chunk boundaries)', () => {
  it('masks a secret written in pieces, byte by byte included', () => {
    const secret = 'hunter2-pässwörd-🔑';
    const bytes = Buffer.from(`before ${secret} after\n`, 'utf8');
    const oneByOne = [...bytes].map((b) => Buffer.from([b]));
    assert.equal(masked(oneByOne, [secret]), 'before [secret] after\n');
  });

  it('passes a prefix of a secret on at the end, and holds back no more than a secret minus one byte', () => {
    const m = new SecretMasker(['abcdef']);
    assert.equal(m.push(Buffer.from('xx abc')).toString(), 'xx ');
    assert.equal(m.push(Buffer.from('de')).toString(), '');
    assert.equal(m.push(Buffer.from('Z')).toString(), 'abcdeZ');
    assert.equal(m.push(Buffer.from('abcde')).toString(), '');
    assert.equal(m.flush().toString(), 'abcde');
  });

  it('overlapping and repeated secrets: same answer as masking the whole text, for random chunkings', () => {
    const rand = prng(12);
    const alphabet = 'ab';
    for (let round = 0; round < 400; round++) {
      const secrets = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Array.from({ length: 1 + Math.floor(rand() * 5) }, () => alphabet[Math.floor(rand() * 2)]).join(''));
      const text = Array.from({ length: Math.floor(rand() * 40) }, () => 'abx'[Math.floor(rand() * 3)]).join('');
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + Math.floor(rand() * 6);
        chunks.push(bytes.subarray(i, i + n));
        i += n;
      }
      assert.equal(masked(chunks, secrets), reference(text, secrets), `secrets ${JSON.stringify(secrets)} text ${text}`);
    }
  });

  it('collects the leaves of secret values (numbers too), not plain ones', () => {
    const s = (value: Value['value'], secret = false): Value => ({ value, secret, trace: {} }) as Value;
    const root = s({ a: s('plain'), b: s('tok-1', true), c: s({ d: s('nested'), e: s(42) }, true), f: s('  ', true) });
    assert.deepEqual(secretStrings(root).sort(), ['42', 'nested', 'tok-1']);
  });
});
