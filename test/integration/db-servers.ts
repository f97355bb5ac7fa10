/**
 * Real database servers for the database rotator tests: PostgreSQL 15 and MariaDB from the
 * Debian packages, each the test's own instance in a temp directory on a free loopback port,
 * with every statement logged (log_statement = all, general_log) so tests can prove that no
 * password reaches the server's logs, and TLS on with a throwaway CA (openssl).
 * As root (CI), the servers run as the packages' `postgres`/`mysql` users: initdb refuses root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';

export const PG_BIN = process.env.ESC_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestTls {
  /** PEM of the CA that signed the server certificate (for sslmode verify-full). */
  caPem: string;
  certFile: string;
  keyFile: string;
}

export interface DbServer {
  engine: 'postgres' | 'mysql';
  host: string;
  port: number;
  /** The server's own log of statements (PostgreSQL's stderr with log_statement=all, MariaDB's general log). */
  statementLog(): string;
  /** Runs SQL as the superuser (setup only; never with a rotated password). */
  admin(sql: string): Promise<void>;
  tls: TestTls;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs as `user` when we are root (the server refuses root / must not own root's files). */
function osUser(name: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(dir: string, owner: { uid: number; gid: number } | undefined): void {
  if (!owner) return;
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
}

/** A CA and a server certificate for 127.0.0.1/localhost, made with openssl in `dir`. */
function makeTls(dir: string): TestTls {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=esc-local test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return { caPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'), certFile: path.join(dir, 'server.pem'), keyFile: path.join(dir, 'server.key') };
}

async function waitFor(what: string, probe: () => Promise<void>, child: ChildProcess, logFile: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${safeRead(logFile)}`);
    try {
      await probe();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} did not start: ${(e as Error).message}\n${safeRead(logFile)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export async function startPostgres(): Promise<DbServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-pg-'));
  fs.chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  fs.mkdirSync(socketDir);
  const tls = makeTls(root);
  const owner = osUser('postgres');
  chownTree(root, owner);
  const idOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync'], { ...idOptions, stdio: 'ignore', cwd: root });
  const port = await freePort();
  const logFile = path.join(root, 'postgres.log');
  const log = fs.openSync(logFile, 'a');
  if (owner) fs.fchownSync(log, owner.uid, owner.gid);
  const child = spawn(
    path.join(PG_BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'log_statement=all', '-c', 'log_connections=on', '-c', 'fsync=off',
      '-c', 'ssl=on', '-c', `ssl_cert_file=${tls.certFile}`, '-c', `ssl_key_file=${tls.keyFile}`],
    { ...idOptions, stdio: ['ignore', log, log], cwd: root },
  );
  fs.closeSync(log);
  const superuser = async (sql: string): Promise<void> => {
    const c = new Client({ host: socketDir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await waitFor('postgres', () => superuser('SELECT 1'), child, logFile);
  return {
    engine: 'postgres',
    host: '127.0.0.1',
    port,
    tls,
    statementLog: () => safeRead(logFile),
    admin: superuser,
    stop: async () => {
      await stopChild(child, 'SIGINT');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function startMariadb(): Promise<DbServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-maria-'));
  fs.chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  const socket = path.join(root, 'mysqld.sock');
  const tls = makeTls(root);
  const owner = osUser('mysql');
  chownTree(root, owner);
  const userArg = owner ? ['--user=mysql'] : [];
  // root@localhost with an empty password, reachable only through this instance's socket (setup only).
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...userArg], { stdio: 'ignore', cwd: root });
  const port = await freePort();
  const logFile = path.join(root, 'error.log');
  const generalLog = path.join(root, 'general.log');
  const child = spawn(
    'mariadbd',
    ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1', `--pid-file=${path.join(root, 'mariadbd.pid')}`,
      `--log-error=${logFile}`, '--general-log=1', `--general-log-file=${generalLog}`, '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=0',
      `--ssl-ca=${path.join(root, 'ca.pem')}`, `--ssl-cert=${tls.certFile}`, `--ssl-key=${tls.keyFile}`, ...userArg],
    { stdio: 'ignore', cwd: root },
  );
  const superuser = async (sql: string): Promise<void> => {
    const c = await createConnection({ socketPath: socket, user: 'root', password: '', multipleStatements: true, connectTimeout: 5000 });
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await waitFor('mariadbd', () => superuser('SELECT 1'), child, logFile);
  return {
    engine: 'mysql',
    host: '127.0.0.1',
    port,
    tls,
    statementLog: () => safeRead(generalLog),
    admin: superuser,
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * ESC's "Database User Setup" on a test server: database `appdb`, two rotated users with
 * initial passwords and a managing user with only the documented grants.
 */
export async function setUpUsers(server: DbServer, users: { managing: { username: string; password: string }; rotated: Array<{ username: string; password: string }> }): Promise<void> {
  if (server.engine === 'postgres') {
    const id = (s: string): string => `"${s.replace(/"/g, '""')}"`;
    const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
    await server.admin('CREATE DATABASE appdb').catch((e: Error) => {
      if (!/already exists/.test(e.message)) throw e;
    });
    await server.admin(`CREATE ROLE ${id(users.managing.username)} LOGIN CREATEROLE PASSWORD ${lit(users.managing.password)}`);
    for (const u of users.rotated) {
      await server.admin(`CREATE ROLE ${id(u.username)} LOGIN PASSWORD ${lit(u.password)}`);
      await server.admin(`GRANT CONNECT ON DATABASE appdb TO ${id(u.username)}`);
    }
  } else {
    const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    await server.admin('CREATE DATABASE IF NOT EXISTS appdb');
    await server.admin(`CREATE USER ${lit(users.managing.username)}@'%' IDENTIFIED BY ${lit(users.managing.password)}`);
    await server.admin(`GRANT CREATE USER ON *.* TO ${lit(users.managing.username)}@'%'`);
    for (const u of users.rotated) {
      await server.admin(`CREATE USER ${lit(u.username)}@'%' IDENTIFIED BY ${lit(u.password)}`);
      await server.admin(`GRANT SELECT, INSERT, UPDATE, DELETE ON appdb.* TO ${lit(u.username)}@'%'`);
    }
  }
}

/** Logs in as a user (as an application would) and returns the user name the server reports; `database` null: none. */
export async function loginAs(server: DbServer, username: string, password: string, database: string | null = 'appdb'): Promise<string> {
  if (server.engine === 'postgres') {
    const c = new Client({ host: server.host, port: server.port, user: username, password, database: database ?? 'postgres', connectionTimeoutMillis: 10000 });
    await c.connect();
    try {
      return (await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    } finally {
      await c.end();
    }
  }
  const c = await createConnection({ host: server.host, port: server.port, user: username, password, ...(database !== null ? { database } : {}), connectTimeout: 10000 });
  try {
    const [rows] = await c.query('SELECT CURRENT_USER() AS u');
    const account = (rows as Array<{ u: string }>)[0]!.u;
    return account.slice(0, account.lastIndexOf('@'));
  } finally {
    await c.end();
  }
}
