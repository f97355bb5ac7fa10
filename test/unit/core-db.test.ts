/**
 * The database rotators' pure parts: the SCRAM-SHA-256 verifier (against RFC 7677's exchange),
 * the mysql_native_password hash, identifier/literal quoting of hostile names, generated
 * passwords, and input validation. The rotations themselves run against real servers in
 * test/integration/db-rotation.test.ts.
 */
import * as assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { generateDbPassword, parseDbInputs } from '../../client/src/core/rotators/db';
import { nativePasswordHash, stringLiteral } from '../../client/src/core/rotators/mysql';
import { postgresEngine, quoteIdentifier, scramSha256Verifier } from '../../client/src/core/rotators/postgres';
import type { Value } from '../../shared/src/value/value';
import type { Json } from '../../shared/src/schema/schema';
import { val } from './values';

describe('database rotators (pure parts)', () => {
  it('computes a SCRAM-SHA-256 verifier a server accepts (RFC 7677 example exchange)', () => {
    const verifier = scramSha256Verifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    assert.ok(m, verifier);
    const [storedKey, serverKey] = [Buffer.from(m[2]!, 'base64'), Buffer.from(m[3]!, 'base64')];
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    // The server's signature from the RFC: the ServerKey is right.
    assert.equal(createHmac('sha256', serverKey).update(authMessage).digest('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    // The client's proof from the RFC verifies against the StoredKey, as the server checks it.
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    assert.deepEqual(createHash('sha256').update(clientKey).digest(), storedKey);
    assert.match(verifier, /^[A-Za-z0-9+/=$:-]+$/, 'safe inside a single-quoted SQL literal');
  });

  it('computes the mysql_native_password hash', () => {
    assert.equal(nativePasswordHash('password'), '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it('quotes hostile names as one identifier / one literal', () => {
    assert.equal(quoteIdentifier('evil"; DROP ROLE x; --'), '"evil""; DROP ROLE x; --"');
    assert.equal(stringLiteral(`o'hara\\'; DROP USER x; --`, false), `'o''hara\\\\''; DROP USER x; --'`);
    assert.equal(stringLiteral(`o'hara\\`, true), `'o''hara\\'`);
  });

  it('generates 32-character URL-safe passwords, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateDbPassword();
      assert.match(p, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(encodeURIComponent(p), p);
      seen.add(p);
    }
    assert.equal(seen.size, 200);
  });

  describe('inputs', () => {
    const good = {
      database: { host: 'db', port: 5432, database: 'app', managingUser: { username: 'm', password: 'pw' } },
      rotateUsers: { username1: 'a', username2: 'b' },
    };
    const inputs = (j: Json): { [key: string]: Value } => (val(j).value as { [key: string]: Value });
    const fails = (j: Json, message: RegExp): void => assert.throws(() => parseDbInputs(postgresEngine, inputs(j)), message);

    it('reads ESC\'s shape with esc-local\'s defaults (sslmode require, 10 s deadline)', () => {
      const p = parseDbInputs(postgresEngine, inputs(good));
      assert.deepEqual(p.endpoint, { host: 'db', port: 5432, database: 'app', sslmode: 'require', timeoutMs: 10000 });
      assert.deepEqual(p.users, ['a', 'b']);
      assert.equal(p.connector, false);
      const withConnector = parseDbInputs(postgresEngine, inputs({ ...good, database: { ...good.database, connector: { awsLambda: { lambdaArn: 'arn:x', login: {} } } } }));
      assert.equal(withConnector.connector, true, 'a connector is accepted (and ignored)');
    });

    it('rejects what cannot work, naming the input', () => {
      fails({ ...good, rotateUsers: { username1: 'a', username2: 'a' } }, /two different users/);
      fails({ ...good, rotateUsers: { username1: 'm', username2: 'b' } }, /managingUser must not be one of the rotated users/);
      fails({ ...good, database: { ...good.database, sslmode: 'prefer' } }, /sslmode must be disable, require or verify-full/);
      fails({ ...good, database: { ...good.database, ca: 'PEM' } }, /ca is only used with sslmode: verify-full/);
      fails({ ...good, database: { ...good.database, port: 70000 } }, /inputs\.database\.port must be an integer from 1 to 65535/);
      fails({ ...good, database: { ...good.database, managingUser: { username: 'm' } } }, /managingUser\.password is required/);
      fails({ database: good.database }, /inputs\.rotateUsers is required/);
      fails({ ...good, rotateUsers: { username1: 'a\0b', username2: 'b' } }, /NUL/);
    });
  });
});
