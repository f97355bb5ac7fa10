/**
 * Keychain against the real Secret Service (gnome-keyring in a private D-Bus session, see
 * scripts/with-keyring.sh), and the unavailable-keychain explanation with no D-Bus at all.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Keychain } from '../../client/src/core/keychain';
import { CoreError } from '../../client/src/core/errors';
import { Workspace } from '../../client/src/core/workspace';
import { tempDir } from '../unit/core-support';

describe('core keychain (real Secret Service)', function () {
  this.timeout(20000);
  const service = `esc-local-test-${process.pid}-${Date.now()}`;
  const keychain = new Keychain(service);

  before(function () {
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
      throw new Error('no D-Bus session: run the unit tests through scripts/with-keyring.sh (npm run test:unit does)');
    }
  });

  after(async () => {
    for (const name of await keychain.listAwsCredentialNames()) await keychain.forgetAwsCredentials(name);
  });

  it('stores, reads, lists (names only) and forgets managing credentials', async () => {
    const secret = randomBytes(30).toString('base64');
    await keychain.setAwsCredentials('default', { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: secret });
    await keychain.setAwsCredentials('arn:aws:iam::123456789012:role/esc', { accessKeyId: 'AKIAEXAMPLE000000002', secretAccessKey: secret, sessionToken: 'tok' });
    assert.deepEqual(await keychain.listAwsCredentialNames(), ['arn:aws:iam::123456789012:role/esc', 'default']);
    assert.deepEqual(await keychain.getAwsCredentials('default'), { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: secret });
    assert.equal((await keychain.getAwsCredentials('arn:aws:iam::123456789012:role/esc'))?.sessionToken, 'tok');
    assert.equal(await keychain.forgetAwsCredentials('default'), true);
    assert.equal(await keychain.forgetAwsCredentials('default'), false);
    assert.equal(await keychain.getAwsCredentials('default'), undefined);
  });

  it('another service name is another namespace', async () => {
    await keychain.setAwsCredentials('shared-name', { accessKeyId: 'AKIAEXAMPLE000000003', secretAccessKey: 's' });
    assert.equal(await new Keychain(`${service}-other`).getAwsCredentials('shared-name'), undefined);
  });

  it('rejects bad names and incomplete credentials before touching the keychain', async () => {
    await assert.rejects(keychain.setAwsCredentials(' x', { accessKeyId: 'a', secretAccessKey: 'b' }), /not a valid credential name/);
    await assert.rejects(keychain.setAwsCredentials('x', { accessKeyId: '', secretAccessKey: 'b' }), /both an access key id and a secret/);
  });

  it('keeps the workspace data key in the keychain; the workspace records only its fingerprint', async () => {
    const root = tempDir('ws-key');
    const ws = new Workspace({ root, keychain });
    await assert.rejects(ws.dataKey(), (e: unknown) => e instanceof CoreError && e.code === 'DataKeyMissing');
    const key = await ws.dataKey({ create: true });
    assert.equal(key.length, 32);
    assert.deepEqual(await ws.dataKey(), key);
    const manifest = fs.readFileSync(path.join(root, '.esc', 'workspace.json'), 'utf8');
    assert.ok(!manifest.includes(key.toString('base64')) && !manifest.includes(key.toString('hex')));
    // A second machine (fresh keychain entry) must import the same key; a different key is refused.
    await keychain.forgetDataKey(ws.workspaceId());
    await assert.rejects(ws.dataKey({ create: true }), /not in the OS keychain.*import it/s);
    await assert.rejects(ws.importDataKey(randomBytes(32).toString('base64')), /is not this workspace's data key/);
    await ws.importDataKey(key.toString('base64'));
    assert.deepEqual(await ws.dataKey(), key);
    await keychain.forgetDataKey(ws.workspaceId());
  });

  it('without D-Bus: explains that the keychain is unavailable and how to fix it, stores nothing', () => {
    const script = `
      const { Keychain } = require(${JSON.stringify(path.resolve(__dirname, '../../client/src/core/keychain.js'))});
      new Keychain('esc-local-test').setAwsCredentials('default', { accessKeyId: 'AKIAX', secretAccessKey: 'PLAINTEXT-SHOULD-NOT-APPEAR' })
        .then(() => { console.log('STORED'); }, (e) => { console.log(JSON.stringify({ code: e.code, message: e.message })); });`;
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    const out = JSON.parse(r.stdout.trim()) as { code: string; message: string };
    assert.equal(out.code, 'KeychainUnavailable');
    assert.match(out.message, /no D-Bus session/);
    assert.match(out.message, /nothing was stored in plaintext/);
    assert.match(out.message, /gnome-keyring/);
    assert.ok(!out.message.includes('PLAINTEXT-SHOULD-NOT-APPEAR'));
  });

  it('with a locked keyring (daemon running, not unlocked, no prompt possible): explains it, stores nothing', function () {
    const kr = tempDir('locked-kr');
    fs.mkdirSync(path.join(kr, 'data'));
    fs.mkdirSync(path.join(kr, 'run'), { mode: 0o700 });
    const script = `
      const { Keychain } = require(${JSON.stringify(path.resolve(__dirname, '../../client/src/core/keychain.js'))});
      new Keychain('esc-local-test').setAwsCredentials('default', { accessKeyId: 'AKIAX', secretAccessKey: 'PLAINTEXT-SHOULD-NOT-APPEAR' })
        .then(() => { console.log('STORED'); }, (e) => { console.log(JSON.stringify({ code: e.code, message: e.message })); });`;
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: path.join(kr, 'data'), XDG_RUNTIME_DIR: path.join(kr, 'run') };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', 'gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; exec "$0" -e "$1"', process.execPath, script], { env, encoding: 'utf8', timeout: 30000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    const out = JSON.parse(line) as { code: string; message: string };
    assert.equal(out.code, 'KeychainUnavailable');
    assert.match(out.message, /keychain is locked/);
    assert.match(out.message, /unlock your login keyring/);
    assert.ok(!out.message.includes('PLAINTEXT-SHOULD-NOT-APPEAR'));
  });
});
