/**
 * Rotation safety under hostile conditions, through the real `esc-local` CLI in its own
 * process, against two independent IAM/STS implementations: the project's endpoint (test/aws/)
 * and moto_server (request authentication on). Each case tries to break one promise:
 *
 * - a key the tool did not provably create is never deleted (drift: stop, touch nothing, name it);
 *   an orphan of its own lost CreateAccessKey is deleted, recorded and printed even with --quiet;
 * - after a failed create that followed the deletion of `previous`, the file no longer names it;
 * - an endpoint that accepts and never answers, or drops the connection, ends the run in bounded
 *   time with the lock released and a message saying which of the two happened;
 * - a rerun after a crash finishes the interrupted work and then performs the rotation asked for;
 * - temp files of a killed write are never in a committed folder and are gone after the next run;
 * - a failure is printed once, on stderr.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteRolePolicyCommand, IAMClient, ListAccessKeysCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { copyExamples, runCli, startExamplesAws, type CliRun } from './cliHarness';
import { hostileEndpoint } from './hostileEndpoint';
import { startMotoServer } from './motoServer';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/esc-rotator';
const APP_USER = 'app-user';
const ENV = 'app/aws-keys';

/** What a test needs from an IAM/STS implementation, done by hand (as an administrator would). */
interface Backend {
  name: string;
  sdkEnv(): Record<string, string>;
  managing: { accessKeyId: string; secretAccessKey: string };
  keys(): Promise<string[]>;
  createKeyByHand(): Promise<string>;
  deleteKeyByHand(id: string): Promise<void>;
  denyCreateAccessKey(deny: boolean): Promise<void>;
  /** A key of the managing identity with a wrong secret must be rejected (authentication is on). */
  wrongSecretRejected(): Promise<boolean>;
  close(): Promise<void>;
}

async function projectEndpoint(): Promise<Backend> {
  const { aws, adminKey } = await startExamplesAws();
  return {
    name: 'project endpoint (test/aws)',
    sdkEnv: () => aws.sdkEnv(),
    managing: adminKey,
    keys: async () => (await aws.admin.snapshot()).accessKeys.filter((k) => k.userName === APP_USER).map((k) => k.accessKeyId).sort(),
    createKeyByHand: async () => (await aws.admin.createAccessKey({ userName: APP_USER })).accessKeyId,
    deleteKeyByHand: (id) => aws.admin.deleteAccessKey(id),
    denyCreateAccessKey: (deny) => aws.admin.setPermissions(ROLE_ARN, deny ? ['iam:ListAccessKeys', 'iam:DeleteAccessKey', 'iam:GetUser'] : null),
    wrongSecretRejected: () => rejects(aws.clientConfig({ accessKeyId: adminKey.accessKeyId, secretAccessKey: 'wrong-secret' })),
    close: () => aws.close(),
  };
}

async function motoEndpoint(): Promise<Backend> {
  const moto = await startMotoServer();
  const iam = new IAMClient(moto.clientConfig());
  await iam.send(new CreateUserCommand({ UserName: APP_USER }));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${moto.accountId}:user/moto-admin` }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'esc-rotator', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'esc-rotator', PolicyName: 'rotate', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
  return {
    name: 'moto_server (IAM authentication on)',
    sdkEnv: () => moto.sdkEnv(),
    managing: moto.admin,
    keys: async () => ((await iam.send(new ListAccessKeysCommand({ UserName: APP_USER }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!).sort(),
    createKeyByHand: async () => (await iam.send(new CreateAccessKeyCommand({ UserName: APP_USER }))).AccessKey!.AccessKeyId!,
    deleteKeyByHand: async (id) => void (await iam.send(new DeleteAccessKeyCommand({ UserName: APP_USER, AccessKeyId: id }))),
    denyCreateAccessKey: async (deny) => {
      if (deny) await iam.send(new PutRolePolicyCommand({ RoleName: 'esc-rotator', PolicyName: 'deny-create', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:CreateAccessKey', Resource: '*' }] }) }));
      else await iam.send(new DeleteRolePolicyCommand({ RoleName: 'esc-rotator', PolicyName: 'deny-create' }));
    },
    wrongSecretRejected: () => rejects(moto.clientConfig({ accessKeyId: moto.admin.accessKeyId, secretAccessKey: 'wrong-secret' })),
    close: () => moto.close(),
  };
}

async function rejects(config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }): Promise<boolean> {
  try {
    await new STSClient({ ...config, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    return false;
  } catch (e) {
    return /SignatureDoesNotMatch|InvalidClientTokenId/.test((e as Error).name);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tempFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.tmp$/.test(e.name)) out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out;
}

for (const makeBackend of [projectEndpoint, motoEndpoint]) {
  describe(`rotation safety through the CLI: ${makeBackend === projectEndpoint ? 'project endpoint' : 'moto_server'}`, function () {
    this.timeout(180000);
    let backend: Backend;
    let ws: string;
    let env: Record<string, string>;
    const file = (): string => path.join(ws, 'environments', 'app', 'aws-keys.yaml');
    const cli = (args: string[], extra: Record<string, string> = {}, input?: string): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env: { ...env, ...extra }, timeoutMs: 120000, ...(input !== undefined ? { input } : {}) });
    const history = async (): Promise<Array<{ number: number; kind: string; outcome: string; deletedKeys?: Array<{ accessKeyId: string; reason: string }>; paths: Array<{ newKeyId?: string }> }>> => JSON.parse((await cli(['history', ENV, '--json'])).stdout);
    const lockFile = (): string => path.join(ws, '.esc', 'run', 'locks', `${encodeURIComponent(ENV)}.lock`);

    before(async () => {
      backend = await makeBackend();
    });
    after(async () => {
      await backend?.close();
    });
    beforeEach(async () => {
      ws = copyExamples();
      env = { ...backend.sdkEnv(), ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-safety-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
      for (const id of await backend.keys()) await backend.deleteKeyByHand(id);
      const set = await cli(['credentials', 'set', ROLE_ARN], {}, JSON.stringify({ AccessKeyId: backend.managing.accessKeyId, SecretAccessKey: backend.managing.secretAccessKey }));
      assert.equal(set.code, 0, set.stderr);
    });
    afterEach(async () => {
      await cli(['credentials', 'forget', ROLE_ARN]);
    });

    it('request authentication is on: a wrong secret is rejected', async () => {
      assert.equal(await backend.wrongSecretRejected(), true);
    });

    it('CreateAccessKey denied after the previous key was deleted: the file drops it, the deletion is recorded and printed with --quiet, the error once on stderr; a key made by hand afterwards is drift and is never touched', async () => {
      assert.equal((await cli(['rotate', ENV])).code, 0);
      assert.equal((await cli(['rotate', ENV])).code, 0);
      const [k1, k2] = (await history()).slice(-2).map((r) => r.paths[0]!.newKeyId!);
      assert.deepEqual(await backend.keys(), [k1, k2].sort());

      await backend.denyCreateAccessKey(true);
      const denied = await cli(['rotate', ENV, '--quiet']);
      assert.equal(denied.code, 1, denied.stderr);
      assert.equal(denied.stdout, '', 'a failure prints nothing on stdout');
      assert.equal(denied.stderr.match(/access denied for creating an access key/g)?.length, 1, `the error is printed once:\n${denied.stderr}`);
      assert.match(denied.stderr, new RegExp(`deleted access key ${k1} `), 'the deletion is printed even with --quiet');
      assert.deepEqual(await backend.keys(), [k2]);
      const text = fs.readFileSync(file(), 'utf8');
      assert.ok(!text.includes(k1!), 'the file no longer names the deleted key');
      assert.ok(text.includes(k2!), 'the current key stays');
      const failed = (await history()).at(-1)!;
      assert.equal(failed.outcome, 'failed');
      assert.deepEqual(failed.deletedKeys?.map((d) => [d.accessKeyId, d.reason]), [[k1, 'previous']]);

      const byHand = await backend.createKeyByHand();
      await backend.denyCreateAccessKey(false);
      const drift = await cli(['rotate', ENV, '--quiet']);
      assert.equal(drift.code, 1, drift.stderr);
      assert.match(drift.stderr, new RegExp(`does not manage: ${byHand}`));
      assert.deepEqual(await backend.keys(), [k2, byHand].sort(), 'the hand-made key is untouched');

      await backend.deleteKeyByHand(byHand);
      const again = await cli(['rotate', ENV]);
      assert.equal(again.code, 0, again.stderr);
    });

    it('SIGKILL right after the create intent, then a key made by hand: drift, nothing deleted, the key named', async () => {
      assert.equal((await cli(['rotate', ENV])).code, 0);
      const [k1] = await backend.keys();
      const crashed = await cli(['rotate', ENV], { ESC_LOCAL_CRASH_AT: 'after-create-intent', ESC_LOCAL_AWS_TIMEOUT: '1' });
      assert.equal(crashed.code, -1, 'killed');
      // Past the create call's deadline (1 s + margin): a key made now cannot come from it.
      await sleep(6000);
      const byHand = await backend.createKeyByHand();
      const rerun = await cli(['rotate', ENV]);
      assert.equal(rerun.code, 1, rerun.stderr);
      assert.match(rerun.stderr, new RegExp(`neither this environment nor its interrupted rotation accounts for: ${byHand}`));
      assert.deepEqual(await backend.keys(), [k1, byHand].sort(), 'nothing was deleted');
      assert.ok(fs.readFileSync(file(), 'utf8').includes(k1!));
      assert.ok(!fs.existsSync(lockFile()), 'lock released');
    });

    it('SIGKILL after AWS created a key whose secret was never journaled: the orphan is deleted, recorded and printed with --quiet, then the rotation asked for runs', async () => {
      assert.equal((await cli(['rotate', ENV])).code, 0);
      const [k1] = await backend.keys();
      const crashed = await cli(['rotate', ENV], { ESC_LOCAL_CRASH_AT: 'after-create' });
      assert.equal(crashed.code, -1);
      const orphan = (await backend.keys()).find((k) => k !== k1)!;
      assert.ok(orphan);
      const rerun = await cli(['rotate', ENV, '--quiet']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stdout, new RegExp(`deleted access key ${orphan} .*interrupted CreateAccessKey`));
      const keys = await backend.keys();
      assert.ok(!keys.includes(orphan), 'the orphan is gone');
      assert.ok(keys.includes(k1!), 'the live key is kept');
      const revisions = await history();
      const recorded = revisions.flatMap((r) => r.deletedKeys ?? []);
      assert.deepEqual(recorded.map((d) => [d.accessKeyId, d.reason]), [[orphan, 'orphan']]);
      assert.equal(revisions.at(-1)!.kind, 'rotation');
      assert.equal(revisions.at(-1)!.outcome, 'succeeded');
    });

    it('SIGKILL after the file was written: the rerun records the interrupted rotation, then rotates once more (exit 0, never "run it again")', async () => {
      assert.equal((await cli(['rotate', ENV])).code, 0);
      const crashed = await cli(['rotate', ENV], { ESC_LOCAL_CRASH_AT: 'after-file-write' });
      assert.equal(crashed.code, -1);
      const written = (await backend.keys()).length;
      assert.equal(written, 2);
      const textAfterCrash = fs.readFileSync(file(), 'utf8');
      const rerun = await cli(['rotate', ENV, '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.doesNotMatch(rerun.stdout + rerun.stderr, /run the rotation again/);
      const out = JSON.parse(rerun.stdout) as { recovered: boolean; recoveryRevision: number; revision: number; paths: Array<{ newKeyId: string; oldKeyId: string }> };
      assert.equal(out.recovered, true);
      assert.equal(out.revision, out.recoveryRevision + 1);
      assert.ok(textAfterCrash.includes(out.paths[0]!.oldKeyId), 'the new rotation started from the recovered state');
      assert.ok(!textAfterCrash.includes(out.paths[0]!.newKeyId), 'and made a new key');
      const keys = await backend.keys();
      assert.equal(keys.length, 2);
      assert.ok(keys.includes(out.paths[0]!.newKeyId) && keys.includes(out.paths[0]!.oldKeyId));
    });

    for (const kind of ['hang', 'drop'] as const) {
      it(`an IAM endpoint that ${kind === 'hang' ? 'accepts and never answers' : 'drops every connection'}: exit 1 in bounded time, lock released, the message says ${kind === 'hang' ? 'timed out' : 'dropped'}`, async () => {
        assert.equal((await cli(['rotate', ENV])).code, 0);
        const before = await backend.keys();
        const hostile = await hostileEndpoint(kind);
        try {
          const r = await cli(['rotate', ENV, '--timeout', '60'], { AWS_ENDPOINT_URL_IAM: hostile.url, ESC_LOCAL_AWS_TIMEOUT: '1' });
          assert.equal(r.code, 1, r.stderr);
          assert.ok(!fs.existsSync(lockFile()), 'lock released');
          if (kind === 'hang') assert.match(r.stderr, /iam:ListAccessKeys.*timed out/);
          else {
            assert.match(r.stderr, /iam:ListAccessKeys.*connection was dropped/);
            assert.doesNotMatch(r.stderr, /timed out|timeout/i);
          }
        } finally {
          await hostile.close();
        }
        assert.deepEqual(await backend.keys(), before);
      });
    }

    it('the rotation deadline (--timeout) stops a run whose calls would wait longer, and releases the lock', async () => {
      const hostile = await hostileEndpoint('hang');
      try {
        const r = await cli(['rotate', ENV, '--timeout', '3'], { AWS_ENDPOINT_URL_IAM: hostile.url, AWS_ENDPOINT_URL_STS: hostile.url, ESC_LOCAL_AWS_TIMEOUT: '600' });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /deadline of 3 s/);
        assert.ok(!fs.existsSync(lockFile()), 'lock released');
      } finally {
        await hostile.close();
      }
    });

    it('a write killed between its temp file and the rename leaves the temp file only in .esc/run; the next run removes it', async () => {
      for (const nth of [2, 5, 8]) {
        const crashed = await cli(['rotate', ENV], { ESC_LOCAL_CRASH_AT: `atomic-temp-written#${nth}` });
        assert.equal(crashed.code, -1, `killed at write ${nth}`);
        const left = tempFilesUnder(ws);
        assert.ok(left.length > 0, 'a temp file was left');
        for (const t of left) assert.ok(t.startsWith(path.join('.esc', 'run', 'tmp') + path.sep), `temp file outside .esc/run/tmp: ${t}`);
        const rerun = await cli(['rotate', ENV]);
        assert.equal(rerun.code, 0, rerun.stderr);
        assert.deepEqual(tempFilesUnder(ws), [], 'stale temp files removed');
      }
    });
  });
}
