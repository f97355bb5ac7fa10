/** password / passphrase rotators: ESC's documented inputs, CSPRNG output, two-secret state. */
import * as assert from 'node:assert/strict';
import { PassphraseRotator, PasswordRotator, generatePassphrase, generatePassword, DEFAULT_SPECIAL } from '../../client/src/core/rotators/password';
import { EFF_LARGE_WORDLIST } from '../../client/src/core/rotators/wordlist';
import { v, unwrap } from './core-support';
import type { Value } from '../../shared/src/value/value';

const defaults = { length: 16, lower: true, upper: true, special: true, minLower: 0, minUpper: 0, minSpecial: 0, overrideSpecial: DEFAULT_SPECIAL };

describe('core password/passphrase rotators', () => {
  it('generates passwords of the requested length honouring minimums and classes', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassword({ ...defaults, length: 15, minLower: 2, minUpper: 3, minSpecial: 5, overrideSpecial: '!@#' });
      assert.equal(p.length, 15);
      assert.ok((p.match(/[a-z]/g) ?? []).length >= 2);
      assert.ok((p.match(/[A-Z]/g) ?? []).length >= 3);
      assert.ok((p.match(/[!@#]/g) ?? []).length >= 5);
      assert.ok(/^[a-zA-Z0-9!@#]+$/.test(p));
    }
    const noSpecial = generatePassword({ ...defaults, length: 64, special: false, upper: false });
    assert.match(noSpecial, /^[a-z0-9]{64}$/);
  });

  it('is not predictable: 1000 passwords of 16 characters are all distinct and use the whole alphabet', () => {
    const seen = new Set<string>();
    const chars = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const p = generatePassword(defaults);
      seen.add(p);
      for (const c of p) chars.add(c);
    }
    assert.equal(seen.size, 1000);
    assert.equal(chars.size, 26 + 26 + 10 + DEFAULT_SPECIAL.length);
  });

  it('rejects impossible inputs with a located message', () => {
    assert.throws(() => generatePassword({ ...defaults, length: 4, minLower: 3, minUpper: 3 }), /inputs\.length \(4\) is smaller than/);
    assert.throws(() => generatePassword({ ...defaults, upper: false, minUpper: 1 }), /minUpper needs inputs\.upper/);
    assert.throws(() => generatePassword({ ...defaults, overrideSpecial: '' }), /overrideSpecial must not be empty/);
  });

  it('passphrases: word count, separator, capitalisation, from the embedded EFF list', () => {
    assert.equal(EFF_LARGE_WORDLIST.length, 7776);
    assert.equal(new Set(EFF_LARGE_WORDLIST).size, 7776);
    const words = new Set(EFF_LARGE_WORDLIST);
    const p = generatePassphrase({ length: 4, separator: '%', capitalize: true });
    const parts = p.split('%');
    assert.equal(parts.length, 4);
    for (const w of parts) {
      assert.match(w, /^[A-Z]/);
      assert.ok(words.has(w[0]!.toLowerCase() + w.slice(1)));
    }
  });

  it('rotators keep the two-secret state: previous = old current; secrets flagged', async () => {
    const r = new PasswordRotator();
    const first = await r.rotate({ length: v(20) }, undefined, {});
    const s1 = unwrap(first) as { current: string; previous?: string };
    assert.equal(s1.current.length, 20);
    assert.equal(s1.previous, undefined);
    const second = await r.rotate({ length: v(20) }, first, {});
    const s2 = unwrap(second) as { current: string; previous: string };
    assert.equal(s2.previous, s1.current);
    assert.notEqual(s2.current, s1.current);
    const fields = second.value as { [k: string]: Value };
    assert.equal(fields.current!.secret, true);
    assert.equal(fields.previous!.secret, true);
    const opened = await r.open({ length: v(20) }, second, {});
    assert.deepEqual(unwrap(opened), s2);

    const pp = new PassphraseRotator();
    const out = unwrap(await pp.rotate({ length: v(3), separator: v('_') }, undefined, {})) as { current: string };
    assert.equal(out.current.split('_').length, 3);
    await assert.rejects(pp.rotate({ separator: v('--') }, undefined, {}), /separator must be a single character/);
    await assert.rejects(r.rotate({ length: v(2.5) }, undefined, {}), /inputs\.length must be an integer/);
  });

  it('takes its schemas from the shared provider catalog', () => {
    const schema = new PasswordRotator().schema();
    assert.ok(typeof schema.inputs === 'object' && schema.inputs.properties?.overrideSpecial);
    const pp = new PassphraseRotator().schema();
    assert.ok(typeof pp.inputs === 'object' && pp.inputs.properties?.separator);
  });
});
