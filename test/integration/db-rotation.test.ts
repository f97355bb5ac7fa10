/**
 * `fn::rotate::postgres` and `fn::rotate::mysql` end to end: the real CLI rotates against real
 * PostgreSQL 15 and MariaDB servers this test starts (db-servers.ts), set up with ESC's
 * "Database User Setup" grants only. Checks, per engine: the two-user strategy over 5+ rotations
 * (both users log in with the passwords the file holds, the state is encrypted), no password in
 * the servers' statement logs or anywhere the tool wrote or printed, SIGKILL at every crash point
 * completed by the next run (recovery, then the rotation asked for), a pool kept open across a rotation, clear errors, hostile user names.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { createPool } from 'mysql2/promise';
import { CRASH_POINTS } from '../../client/src/core/rotation/crashpoints';
import { EscCore } from '../../client/src/core/escCore';
import { Journal } from '../../client/src/core/rotation/journal';
import { allFiles, runCli, transcript, type CliRun } from './cliHarness';
import { type DbServer, freePort, loginAs, setUpUsers, startMariadb, startPostgres } from './db-servers';

interface Credential {
  username: string;
  password: string;
}
interface DbState {
  current: Credential;
  previous?: Credential;
}
/** A revision as `esc-local history --json` prints it. */
interface HistoryRevision {
  number: number;
  kind: string;
  outcome: string;
  paths: Array<{ path: string; rotator: string; oldKeyId?: string; newKeyId?: string }>;
}

/** The user switch a revision records for `db` (old user, new user). */
function pathChange(r: HistoryRevision): [string | undefined, string | undefined] {
  assert.equal(r.paths.length, 1, `revision ${r.number} records one path`);
  return [r.paths[0]!.oldKeyId, r.paths[0]!.newKeyId];
}

/** Crash points a database rotation passes (the others are aws-iam's key deletion/creation steps). */
const DB_CRASH_POINTS = ['after-lock', 'atomic-temp-written', 'after-journal-begin', 'after-preflight', 'after-password-intent', 'after-password-set', 'after-verify', 'after-evaluate', 'after-write-intent', 'after-file-write', 'after-history'];
/** Before a password is sealed: a recovery then has nothing to finish. */
const PRE_INTENT_CRASH_POINTS = ['after-lock', 'atomic-temp-written', 'after-journal-begin', 'after-preflight'];
/** A new password is sealed in the journal (maybe set, maybe verified), the file is not written yet. */
const SEALED_CRASH_POINTS = ['after-password-intent', 'after-password-set', 'after-verify', 'after-evaluate', 'after-write-intent'];
/** The killed run wrote the file (and maybe recorded its revision). */
const WRITTEN_CRASH_POINTS = ['after-file-write', 'after-history'];
const AWS_ONLY_CRASH_POINTS = ['after-delete-intent', 'after-delete', 'after-delete-journaled', 'after-create-intent', 'after-create', 'after-create-journaled'];

const HOSTILE = {
  postgres: [`evil"; DROP ROLE manager; --`, `o'hara\\"; ALTER ROLE manager SUPERUSER; --`],
  mysql: [`evil'@'%' IDENTIFIED BY 'x'; DROP USER 'manager'@'%'; --`, `o\\'hara"\`; --`],
};

function indent(text: string, spaces: number): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');
}

function rotatorYaml(server: DbServer, o: { users: [string, string]; managing?: string; host?: string; port?: number; sslmode?: string; ca?: boolean; timeout?: number; state?: Credential }): string {
  const lines = [
    'values:',
    '  db:',
    `    fn::rotate::${server.engine}:`,
    '      inputs:',
    '        database:',
    `          host: ${o.host ?? server.host}`,
    `          port: ${o.port ?? server.port}`,
    '          database: appdb',
    `          sslmode: ${o.sslmode ?? 'verify-full'}`,
    ...(o.ca === false || (o.sslmode !== undefined && o.sslmode !== 'verify-full') ? [] : ['          ca: |', indent(server.tls.caPem, 12)]),
    ...(o.timeout ? [`          timeout: ${o.timeout}`] : []),
    `          managingUser: \${environments.credentials.${o.managing ?? 'db'}.managingUser}`,
    '        rotateUsers:',
    `          username1: ${JSON.stringify(o.users[0])}`,
    `          username2: ${JSON.stringify(o.users[1])}`,
  ];
  if (o.state) {
    lines.push('      state:', '        current:', `          username: ${JSON.stringify(o.state.username)}`, '          password:', `            fn::secret: ${JSON.stringify(o.state.password)}`);
  }
  return lines.join('\n') + '\n';
}

function credentialsYaml(c: Credential): string {
  return ['values:', '  managingUser:', `    username: ${JSON.stringify(c.username)}`, '    password:', `      fn::secret: ${JSON.stringify(c.password)}`].join('\n') + '\n';
}

for (const engine of ['postgres', 'mysql'] as const) {
  describe(`fn::rotate::${engine} against a real ${engine === 'postgres' ? 'PostgreSQL 15' : 'MariaDB'} server (real CLI)`, function () {
    this.timeout(600000);
    let server: DbServer;
    let ws: string;
    let env: Record<string, string>;
    const generated = new Set<string>();
    const setupSecrets = new Set<string>();
    const timings: number[] = [];
    const managing = { username: 'manager', password: 'Manager-initial-pw-1' };
    const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> => runCli(['-w', ws, ...args], { cwd: ws, env: { ...env, ...extra }, timeoutMs: 120000 });

    const writeEnv = (name: string, text: string): void => {
      const file = path.join(ws, 'environments', `${name}.yaml`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    const fileOf = (name: string): string => fs.readFileSync(path.join(ws, 'environments', `${name}.yaml`), 'utf8');

    async function stateOf(name: string): Promise<DbState> {
      const r = await cli(['open', name, 'db', '-f', 'json', '--show-secrets']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as DbState;
      for (const c of [s.current, s.previous]) if (c) generated.add(c.password);
      return s;
    }

    async function assertLogsIn(c: Credential | undefined, what: string): Promise<void> {
      assert.ok(c, `${what} is in the state`);
      assert.equal(await loginAs(server, c.username, c.password), c.username, `${what} (${c.username}) logs in with the password the environment holds`);
    }

    async function rotate(name: string, extra: Record<string, string> = {}): Promise<CliRun> {
      const started = process.hrtime.bigint();
      const r = await cli(['rotate', name, '--json'], extra);
      if (Object.keys(extra).length === 0) timings.push(Number(process.hrtime.bigint() - started) / 1e6);
      return r;
    }

    /** One rotation's invariants: the other user is current, the old current is previous, both log in, the file is encrypted. */
    async function assertRotated(name: string, before: DbState): Promise<DbState> {
      const after = await stateOf(name);
      assert.notEqual(after.current.username, before.current.username, `${name}: the user that was not current is now current`);
      assert.deepEqual(after.previous, before.current, 'the user that was current is previous, password unchanged');
      await assertLogsIn(after.current, 'current');
      await assertLogsIn(after.previous, 'previous');
      const text = fileOf(name);
      for (const c of [after.current, after.previous!]) assert.ok(!text.includes(c.password), 'no password in plaintext in the file');
      assert.match(text, /ciphertext/);
      return after;
    }

    before(async () => {
      server = engine === 'postgres' ? await startPostgres() : await startMariadb();
      const rotated = [
        { username: 'app_user1', password: 'Initial-pw-user1' },
        { username: 'app_user2', password: 'Initial-pw-user2' },
        { username: HOSTILE[engine][0]!, password: 'Initial-pw-hostile1' },
        { username: HOSTILE[engine][1]!, password: 'Initial-pw-hostile2' },
        { username: 'pool_user1', password: 'Initial-pw-pool1' },
        { username: 'pool_user2', password: 'Initial-pw-pool2' },
        { username: 'crash_user1', password: 'Initial-pw-crash1' },
        { username: 'crash_user2', password: 'Initial-pw-crash2' },
        { username: 'pair_a1', password: 'Initial-pw-pair-a1' },
        { username: 'pair_a2', password: 'Initial-pw-pair-a2' },
        { username: 'pair_b1', password: 'Initial-pw-pair-b1' },
        { username: 'pair_b2', password: 'Initial-pw-pair-b2' },
      ];
      await setUpUsers(server, { managing, rotated });
      // A user that may log in but has none of the documented grants.
      if (engine === 'postgres') await server.admin(`CREATE ROLE nopriv LOGIN PASSWORD 'Nopriv-pw-1'`);
      else await server.admin(`CREATE USER 'nopriv'@'%' IDENTIFIED BY 'Nopriv-pw-1'`);
      for (const s of [managing.password, 'Nopriv-pw-1', ...rotated.map((r) => r.password)]) setupSecrets.add(s);

      ws = fs.mkdtempSync(path.join(os.tmpdir(), `esc-db-${engine}-`));
      env = { ESC_LOCAL_KEYCHAIN_SERVICE: `esc-local-db-test-${engine}-${process.pid}` };
      writeEnv('credentials/db', credentialsYaml(managing));
      writeEnv('credentials/nopriv', credentialsYaml({ username: 'nopriv', password: 'Nopriv-pw-1' }));
      writeEnv('credentials/wrong', credentialsYaml({ username: managing.username, password: 'not-the-password' }));
      writeEnv('db/app', rotatorYaml(server, { users: ['app_user1', 'app_user2'], state: rotated[1]! }));
      const scheme = engine === 'postgres' ? 'postgres' : 'mysql';
      writeEnv('app/web', ['imports:', '  - db/app', 'values:', '  environmentVariables:', `    DATABASE_URL: ${scheme}://\${db.current.username}:\${db.current.password}@${server.host}:${server.port}/appdb`].join('\n') + '\n');
      for (const name of ['credentials/db', 'credentials/nopriv', 'credentials/wrong']) {
        const r = await cli(['encrypt', name]);
        assert.equal(r.code, 0, r.stderr);
      }
    });

    after(async () => {
      if (timings.length > 0) {
        const sorted = [...timings].sort((a, b) => a - b);
        console.log(`      ${engine}: ${timings.length} CLI rotations, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (process start included)`);
      }
      await server?.stop();
      if (ws) fs.rmSync(ws, { recursive: true, force: true });
    });

    it('rotates 5 times over TLS (verify-full): the users alternate, both log in after each, the state is encrypted', async () => {
      let before: DbState = { current: { username: 'app_user2', password: 'Initial-pw-user2' } };
      for (let i = 0; i < 5; i++) {
        const r = await rotate('db/app');
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        const out = JSON.parse(r.stdout) as { ok: boolean; paths: Array<{ oldKeyId?: string; newKeyId?: string }> };
        assert.equal(out.ok, true);
        const after = await assertRotated('db/app', before);
        assert.equal(out.paths[0]!.oldKeyId, before.current.username, 'the history records the user switch');
        assert.equal(out.paths[0]!.newKeyId, after.current.username);
        assert.match(after.current.password, /^[A-Za-z0-9_-]{32}$/, 'URL-safe, 32 characters');
        before = after;
      }
      const dotenv = await cli(['open', 'app/web', '-f', 'dotenv', '--show-secrets']);
      assert.equal(dotenv.code, 0, dotenv.stderr);
      assert.ok(dotenv.stdout.includes(`DATABASE_URL=`) && dotenv.stdout.includes(`${before.current.username}:${before.current.password}@`), 'the app environment exposes DATABASE_URL from current');
      const history = await cli(['history', 'db/app']);
      assert.match(history.stdout, /app_user\d\s*→\s*app_user\d/);
    });

    it('rotates users with hostile (but valid) names without injection; the managing user keeps its grants only', async () => {
      const [h1, h2] = HOSTILE[engine] as [string, string];
      writeEnv('db/hostile', rotatorYaml(server, { users: [h1, h2], sslmode: 'require', state: { username: h2, password: 'Initial-pw-hostile2' } }));
      let before: DbState = { current: { username: h2, password: 'Initial-pw-hostile2' } };
      for (let i = 0; i < 2; i++) {
        const r = await rotate('db/hostile');
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        before = await assertRotated('db/hostile', before);
      }
      // The managing user was neither dropped nor given anything (its documented grants give it no database).
      assert.equal(await loginAs(server, managing.username, managing.password, null), managing.username);
    });

    it('keeps a pool open as current across a rotation, then reconnects as the new current, with no failed query', async () => {
      writeEnv('db/pool', rotatorYaml(server, { users: ['pool_user1', 'pool_user2'], sslmode: 'disable', state: { username: 'pool_user2', password: 'Initial-pw-pool2' } }));
      const first = await rotate('db/pool');
      assert.equal(first.code, 0, first.stderr);
      const current = await stateOf('db/pool');
      const pool = makePool(server, current.current);
      let queries = 0;
      const failures: unknown[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          try {
            await pool.query('SELECT 1');
            queries++;
          } catch (e) {
            failures.push(e);
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const r = await rotate('db/pool');
      assert.equal(r.code, 0, r.stderr);
      // New connections of the old pool (as the now previous user) still work.
      await pool.recycle();
      await pool.query('SELECT 1');
      running = false;
      await loop;
      await pool.end();
      const next = await stateOf('db/pool');
      assert.equal(next.previous?.username, current.current.username);
      const pool2 = makePool(server, next.current);
      await pool2.query('SELECT 1');
      await pool2.end();
      assert.deepEqual(failures, [], 'no query failed');
      assert.ok(queries > 0);
    });

    /** The history of an environment (newest last), as the CLI prints it. */
    async function revisionsOf(name: string): Promise<HistoryRevision[]> {
      const r = await cli(['history', name, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as HistoryRevision[];
    }

    /** The password the killed run sealed in the rotation journal (read in-process with the workspace's data key). */
    async function sealedPassword(name: string): Promise<Credential | undefined> {
      const core = new EscCore({ workspace: { root: ws }, keychainService: env.ESC_LOCAL_KEYCHAIN_SERVICE! });
      const journal = Journal.open(core.workspace.runDir, name, await core.workspace.dataKey());
      const intent = journal?.entries.find((e) => e.kind === 'db-password-intent');
      if (!journal || intent?.kind !== 'db-password-intent') return undefined;
      const password = journal.unseal(intent.secret, `db-password ${intent.userArn} ${intent.user}`);
      generated.add(password);
      return { username: intent.user, password };
    }

    /**
     * What must hold after a SIGKILL at each crash point and one rerun. "Recovery is not a
     * rotation": the rerun first completes what the killed run started (its own revision), then
     * performs the rotation that was asked for. With A the user current before the killed run and
     * B the other one:
     * - always: A (current in the file after the crash) still logs in with its password; the
     *   rerun exits 0, leaves no journal, and ends with one rotation revision that starts from the
     *   state the recovery left; both users log in with the passwords the file holds;
     * - killed before a password was sealed: nothing changed (the file holds the old state, B
     *   still logs in with its old password); the rerun recovers nothing and rotates once: B is
     *   current with a new password, A previous, unchanged;
     * - killed after B's new password was sealed but before the file was written: the file holds
     *   the old state; the recovery revision promotes B with exactly the sealed password (never
     *   lost), then the rotation gives A a new password, so A is current again and B is previous
     *   with the sealed password. A's password changed only after the recovery had made B current
     *   (the rotation revision comes after it and starts from B), never while A was active;
     * - killed after the file was written: the file holds the killed run's rotation (B current);
     *   the recovery records that rotation (exactly once), then the rotation asked for switches
     *   back to A with a new password, B previous, unchanged.
     */
    it('a SIGKILL at every crash point is completed by the next run (recovery, then the rotation asked for): no password lost, the active user\'s password never changed', async () => {
      assert.deepEqual([...CRASH_POINTS].filter((p) => !AWS_ONLY_CRASH_POINTS.includes(p)).sort(), [...DB_CRASH_POINTS].sort(), 'every crash point is covered');
      assert.deepEqual([...PRE_INTENT_CRASH_POINTS, ...SEALED_CRASH_POINTS, ...WRITTEN_CRASH_POINTS].sort(), [...DB_CRASH_POINTS].sort(), 'every crash point has its expectation');
      writeEnv('db/crash', rotatorYaml(server, { users: ['crash_user1', 'crash_user2'], sslmode: 'disable', state: { username: 'crash_user2', password: 'Initial-pw-crash2' } }));
      let before: DbState = { current: { username: 'crash_user2', password: 'Initial-pw-crash2' } };
      const other = (u: string): string => (u === 'crash_user1' ? 'crash_user2' : 'crash_user1');
      for (const point of DB_CRASH_POINTS) {
        const label = `db/crash (${point})`;
        const known = (await revisionsOf('db/crash')).length;
        const killed = await rotate('db/crash', { ESC_LOCAL_CRASH_AT: point });
        assert.equal(killed.code, -1, `${label}: the CLI was killed (${killed.stdout} ${killed.stderr})`);
        const onDisk = await stateOf('db/crash');
        const sealed = await sealedPassword('db/crash');
        const a = before.current;
        const b = other(a.username);
        if (WRITTEN_CRASH_POINTS.includes(point)) {
          assert.equal(onDisk.current.username, b, `${label}: the killed run wrote its rotation`);
          assert.deepEqual(onDisk.previous, a, `${label}: the killed run kept A as previous`);
        } else {
          assert.deepEqual(onDisk, before, `${label}: the file is as before the killed run`);
        }
        // The application's user keeps working whatever the crash: its password is never changed.
        await assertLogsIn(onDisk.current, `${label}: current after the crash`);
        if (PRE_INTENT_CRASH_POINTS.includes(point)) {
          assert.equal(sealed, undefined, `${label}: no password was sealed`);
          if (before.previous) await assertLogsIn(before.previous, `${label}: previous after the crash (nothing was changed)`);
        } else if (SEALED_CRASH_POINTS.includes(point)) {
          assert.equal(sealed?.username, b, `${label}: the killed run sealed a password for the user that was not current`);
        }

        const rerun = await rotate('db/crash');
        assert.equal(rerun.code, 0, `${label}: the next run completes (${rerun.stdout} ${rerun.stderr})`);
        const out = JSON.parse(rerun.stdout) as { ok: boolean; recovered: boolean; recoveryRevision: number | null; revision: number | null };
        const after = await stateOf('db/crash');
        const revisions = await revisionsOf('db/crash');
        const added = revisions.slice(known);
        const rotation = added.at(-1)!;
        assert.equal(out.ok, true, label);
        assert.equal(out.revision, rotation.number, `${label}: the rerun's own revision is the newest`);
        assert.equal(rotation.kind, 'rotation', `${label}: the rerun ends with the rotation asked for`);
        assert.equal(rotation.outcome, 'succeeded', label);
        await assertLogsIn(after.current, `${label}: current after the rerun`);
        await assertLogsIn(after.previous, `${label}: previous after the rerun`);
        if (PRE_INTENT_CRASH_POINTS.includes(point)) {
          assert.equal(out.recovered, false, `${label}: nothing to recover`);
          assert.equal(out.recoveryRevision, null, label);
          assert.equal(added.length, 1, `${label}: one revision, the rotation`);
          assert.deepEqual(pathChange(rotation), [a.username, b], `${label}: the rotation switched A → B`);
          assert.equal(after.current.username, b, `${label}: the user that was not current is now current`);
          assert.deepEqual(after.previous, a, `${label}: the user that was current is previous, password unchanged`);
        } else {
          assert.equal(out.recovered, true, `${label}: the interrupted rotation was recovered`);
          assert.equal(added.length, 2, `${label}: two revisions: the completed rotation, then the rotation asked for (${JSON.stringify(added.map((r) => r.kind))})`);
          const completed = added[0]!;
          assert.equal(out.recoveryRevision, completed.number, label);
          assert.equal(completed.kind, SEALED_CRASH_POINTS.includes(point) ? 'recovery' : 'rotation', `${label}: the completed work's revision (a written rotation keeps its own)`);
          assert.deepEqual(pathChange(completed), [a.username, b], `${label}: the recovery completed A → B`);
          assert.deepEqual(pathChange(rotation), [b, a.username], `${label}: then the rotation started from B (A was previous when its password changed)`);
          assert.equal(after.current.username, a.username, `${label}: A is current again, with a new password`);
          assert.notEqual(after.current.password, a.password, `${label}: A's password was rotated`);
          const promoted = SEALED_CRASH_POINTS.includes(point) ? sealed! : onDisk.current;
          assert.deepEqual(after.previous, promoted, `${label}: B is previous with the password the killed run ${SEALED_CRASH_POINTS.includes(point) ? 'sealed' : 'wrote'} (never lost)`);
        }
        const text = fileOf('db/crash');
        for (const c of [after.current, after.previous!]) assert.ok(!text.includes(c.password), `${label}: no password in plaintext in the file`);
        assert.deepEqual(fs.readdirSync(path.join(ws, '.esc', 'run', 'journal')).filter((f) => f.endsWith('.json')), [], `${label}: no journal left`);
        before = after;
      }
    });

    it('a recovery completes only the target the killed run sealed a password for; the other keeps its state unrewritten, then both rotate', async () => {
      const yamlFor = (key: string, users: [string, string]): string =>
        rotatorYaml(server, { users, sslmode: 'disable', state: { username: users[1], password: `Initial-pw-${users[1].replace('_', '-')}` } })
          .replace(/^values:\n/, '')
          .replace(/^ {2}db:/, `  ${key}:`);
      writeEnv('db/two', `values:\n${yamlFor('first', ['pair_a1', 'pair_a2'])}${yamlFor('second', ['pair_b1', 'pair_b2'])}`);
      const killed = await rotate('db/two', { ESC_LOCAL_CRASH_AT: 'after-password-intent' });
      assert.equal(killed.code, -1, `the CLI was killed (${killed.stdout} ${killed.stderr})`);
      const sealed = await sealedPassword('db/two');
      assert.ok(sealed, 'a password was sealed');
      const rerun = await rotate('db/two');
      assert.equal(rerun.code, 0, `${rerun.stdout} ${rerun.stderr}`);
      const out = JSON.parse(rerun.stdout) as { recoveryRevision: number | null; revision: number | null };
      const revisions = await revisionsOf('db/two');
      const recovery = revisions.find((r) => r.number === out.recoveryRevision);
      assert.equal(recovery?.kind, 'recovery');
      assert.deepEqual(
        recovery.paths.map((p) => [p.oldKeyId, p.newKeyId]),
        [[sealed.username.replace(/1$/, '2'), sealed.username]],
        'the recovery records the sealed target only (the other state was kept, not rewritten)',
      );
      const rotation = revisions.at(-1)!;
      assert.equal(rotation.number, out.revision);
      assert.equal(rotation.paths.length, 2, 'then both targets rotate');
    });

    it('fails clearly, changing nothing: wrong managing password, no privilege, unknown user, unreachable, no answer, TLS', async () => {
      const blackHole = net.createServer(() => undefined);
      await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', () => r()));
      const closedPort = await freePort();
      const cases: Array<{ name: string; yaml: string; message: RegExp }> = [
        { name: 'wrong-password', yaml: rotatorYaml(server, { users: ['app_user1', 'app_user2'], managing: 'wrong', sslmode: 'disable' }), message: /rejected the user name or password/ },
        { name: 'no-privilege', yaml: rotatorYaml(server, { users: ['pool_user1', 'pool_user2'], managing: 'nopriv', sslmode: 'disable' }), message: /permission denied/ },
        { name: 'unknown-user', yaml: rotatorYaml(server, { users: ['no_such_user', 'app_user2'], sslmode: 'disable' }), message: /no (such )?user/i },
        { name: 'unreachable', yaml: rotatorYaml(server, { users: ['app_user1', 'app_user2'], port: closedPort, sslmode: 'disable' }), message: /cannot be reached/ },
        { name: 'no-answer', yaml: rotatorYaml(server, { users: ['app_user1', 'app_user2'], port: (blackHole.address() as net.AddressInfo).port, sslmode: 'disable', timeout: 2 }), message: /no answer within the deadline/ },
        { name: 'tls-untrusted', yaml: rotatorYaml(server, { users: ['app_user1', 'app_user2'], ca: false }), message: /TLS failed/ },
      ];
      const app = await stateOf('db/app');
      const pool = await stateOf('db/pool');
      try {
        for (const c of cases) {
          writeEnv(`db/bad-${c.name}`, c.yaml);
          const r = await rotate(`db/bad-${c.name}`);
          assert.notEqual(r.code, 0, `${c.name}: fails`);
          assert.match(r.stdout + r.stderr, c.message, `${c.name}: ${r.stdout} ${r.stderr}`);
          assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, `${c.name}: no stack trace`);
        }
      } finally {
        blackHole.close();
      }
      // Nothing changed: every user still logs in with the password the environments hold.
      await assertLogsIn(app.current, 'app current');
      await assertLogsIn(app.previous, 'app previous');
      await assertLogsIn(pool.current, 'pool current');
      await assertLogsIn(pool.previous, 'pool previous');
    });

    it('no password in the server\'s statement log, in any file the tool wrote, or in any output (except open --show-secrets)', async () => {
      const log = server.statementLog();
      assert.match(log, engine === 'postgres' ? /ALTER ROLE .* PASSWORD 'SCRAM-SHA-256\$4096:/ : /ALTER USER .* IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/, 'the statement log records the rotations (with a verifier/hash)');
      assert.ok(generated.size >= 10);
      for (const secret of generated) {
        if (setupSecrets.has(secret)) continue;
        assert.ok(!log.includes(secret), 'no generated password in the server log');
        for (const f of allFiles(ws)) assert.ok(!f.text.includes(secret), `no generated password in ${f.file}`);
        for (const run of transcript) {
          if (run.args.includes('--show-secrets')) continue;
          assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `no password in the output of esc-local ${run.args.join(' ')}`);
        }
      }
      for (const f of allFiles(ws)) assert.ok(!f.text.includes(managing.password), `no managing password in ${f.file}`);
    });
  });
}

interface AppPool {
  query(sql: string): Promise<unknown>;
  /** Drops idle connections so the next query opens a new one (with the pool's credentials). */
  recycle(): Promise<void>;
  end(): Promise<void>;
}

function makePool(server: DbServer, c: Credential): AppPool {
  if (server.engine === 'postgres') {
    const pool = new Pool({ host: server.host, port: server.port, user: c.username, password: c.password, database: 'appdb', max: 3, idleTimeoutMillis: 0, connectionTimeoutMillis: 10000 });
    return {
      query: (sql) => pool.query(sql),
      recycle: async () => {
        const clients = await Promise.all([pool.connect(), pool.connect()]);
        for (const client of clients) client.release(true);
      },
      end: () => pool.end(),
    };
  }
  const pool = createPool({ host: server.host, port: server.port, user: c.username, password: c.password, database: 'appdb', connectionLimit: 3, connectTimeout: 10000 });
  return {
    query: (sql) => pool.query(sql),
    recycle: async () => {
      const conns = await Promise.all([pool.getConnection(), pool.getConnection()]);
      for (const conn of conns) conn.destroy();
    },
    end: () => pool.end(),
  };
}
