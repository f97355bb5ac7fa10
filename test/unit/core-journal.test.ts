/**
 * The rotation journal's sealed secrets: bound to environment and purpose, readable across
 * versions (a journal written before the journal used the shared cipher still opens), and a
 * wrong key, binding or hand-edited value gives the journal's own error, never the secret.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Journal, journalFile, type Sealed } from '../../client/src/core/rotation/journal';
import { CoreError } from '../../client/src/core/errors';
import { tempDir } from './core-support';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PURPOSE = 'iam-created arn:aws:iam::1:user/app';

/**
 * The sealed layout as journals have always written it, built here with node:crypto directly
 * (AES-256-GCM, 12-byte iv, associated data "<environment>\n<purpose>").
 */
function sealLikeFirstVersion(key: Buffer, environment: string, purpose: string, plaintext: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${environment}\n${purpose}`));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function isUndecryptable(e: unknown): boolean {
  return e instanceof CoreError && e.code === 'DataKeyMissing' && !e.message.includes(SECRET);
}

describe('core journal sealing', () => {
  it('seals a secret into the file (never in plaintext) and unseals it after reopening', () => {
    const run = tempDir('journal');
    const key = randomBytes(32);
    const journal = Journal.begin(run, 'prod/app', key, undefined);
    const sealed = journal.seal(SECRET, PURPOSE);
    journal.append({ kind: 'iam-created', userArn: 'arn:aws:iam::1:user/app', accessKeyId: 'AKIA1', secret: sealed, createdAt: 'then', at: 'now' });
    const text = fs.readFileSync(journalFile(run, 'prod/app'), 'utf8');
    assert.ok(!text.includes(SECRET));
    assert.equal(fs.statSync(journalFile(run, 'prod/app')).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(sealed).sort(), ['data', 'iv', 'tag']);
    assert.equal(Buffer.from(sealed.iv, 'base64').length, 12);
    assert.equal(Buffer.from(sealed.tag, 'base64').length, 16);
    const reopened = Journal.open(run, 'prod/app', key)!;
    const entry = reopened.entries[0]!;
    assert.equal(entry.kind, 'iam-created');
    assert.equal(reopened.unseal((entry as { secret: Sealed }).secret, PURPOSE), SECRET);
  });

  it('opens secrets sealed by the first journal version, and they stay readable by it', () => {
    const run = tempDir('journal-compat');
    const key = randomBytes(32);
    const journal = Journal.begin(run, 'app', key, undefined);
    assert.equal(journal.unseal(sealLikeFirstVersion(key, 'app', PURPOSE, SECRET), PURPOSE), SECRET);
    // And the other way: what this version seals is the same layout (checked with node:crypto).
    const sealed = journal.seal(SECRET, PURPOSE);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(`app\n${PURPOSE}`));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    assert.equal(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8'), SECRET);
  });

  it('binds a secret to its environment and purpose, and refuses a wrong key or edited parts', () => {
    const run = tempDir('journal-binding');
    const key = randomBytes(32);
    const sealed = Journal.begin(run, 'a', key, undefined).seal(SECRET, PURPOSE);
    const other = Journal.begin(run, 'b', key, undefined);
    assert.throws(() => other.unseal(sealed, PURPOSE), isUndecryptable, 'another environment');
    const same = Journal.open(run, 'a', key)!;
    assert.throws(() => same.unseal(sealed, 'iam-created arn:aws:iam::1:user/other'), isUndecryptable, 'another purpose');
    assert.throws(() => Journal.open(run, 'a', randomBytes(32))!.unseal(sealed, PURPOSE), isUndecryptable, 'another key');
    const flipped = Buffer.from(sealed.data, 'base64');
    flipped[0] ^= 1;
    assert.throws(() => same.unseal({ ...sealed, data: flipped.toString('base64') }, PURPOSE), isUndecryptable, 'tampered data');
    assert.throws(() => same.unseal({ ...sealed, iv: sealed.iv.slice(0, 8) }, PURPOSE), isUndecryptable, 'short iv');
    assert.throws(() => same.unseal({ iv: sealed.iv, data: sealed.data } as Sealed, PURPOSE), isUndecryptable, 'missing tag');
    assert.equal(same.unseal(sealed, PURPOSE), SECRET);
  });
});
