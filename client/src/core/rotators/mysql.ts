/**
 * `fn::rotate::mysql`: the MySQL/MariaDB engine of the database rotators (see db.ts), over the
 * `mysql2` client. Rotated accounts are `'<username>'@'%'`, as in ESC's "Database User Setup";
 * the managing user needs the global `CREATE USER` privilege (it is what `ALTER USER` requires).
 *
 * The plaintext never reaches the server's statement logs: on MariaDB (whose general log records
 * statements verbatim) the password is sent as its mysql_native_password hash
 * (`IDENTIFIED BY PASSWORD '*…'`); MySQL itself rewrites password clauses in its general, slow
 * and binary logs, and its default plugin (caching_sha2_password) has no pre-hash form to send.
 */
import { createHash } from 'node:crypto';
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import type { DbAdmin, DbCredential, DbEndpoint, DbEngine, DbFailure } from './db';
import { DbRotator, type DbRotationSession, networkFailure } from './db';

/** The mysql_native_password hash: `*` + upper-case hex of SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/**
 * A single-quoted string literal. Account names cannot be bind parameters, so they are quoted
 * here: quotes are doubled, and backslashes escaped unless the session's sql_mode has
 * NO_BACKSLASH_ESCAPES (where a backslash is an ordinary character).
 */
export function stringLiteral(s: string, noBackslashEscapes: boolean): string {
  const body = noBackslashEscapes ? s.replace(/'/g, "''") : s.replace(/\\/g, '\\\\').replace(/'/g, "''");
  return `'${body}'`;
}

function connectionOptions(endpoint: DbEndpoint, user: DbCredential, database: string | undefined): ConnectionOptions {
  const socket = endpoint.host.startsWith('/');
  const ssl =
    socket || endpoint.sslmode === 'disable'
      ? undefined
      : endpoint.sslmode === 'require'
        ? { rejectUnauthorized: false }
        : { rejectUnauthorized: true, ...(endpoint.ca !== undefined ? { ca: endpoint.ca } : {}) };
  return {
    ...(socket ? { socketPath: endpoint.host } : { host: endpoint.host, port: endpoint.port }),
    user: user.username,
    password: user.password,
    ...(database !== undefined ? { database } : {}),
    ...(ssl ? { ssl } : {}),
    connectTimeout: endpoint.timeoutMs,
    multipleStatements: false,
  };
}

async function connect(options: ConnectionOptions): Promise<Connection> {
  // Loaded on first use: every CLI start would otherwise pay for the driver.
  const { createConnection } = await import('mysql2/promise');
  const connection = await createConnection(options);
  // A connection lost later is reported by the next query; without a listener it would crash the process.
  connection.on('error', () => undefined);
  return connection;
}

class MysqlAdmin implements DbAdmin {
  constructor(
    private readonly c: Connection,
    private readonly timeoutMs: number,
    private readonly mariadb: boolean,
    private readonly noBackslashEscapes: boolean,
  ) {}

  static async open(endpoint: DbEndpoint, managing: DbCredential): Promise<MysqlAdmin> {
    // No default database: the documented grants give the managing user none.
    const c = await connect(connectionOptions(endpoint, managing, undefined));
    try {
      const [rows] = await c.query<RowDataPacket[]>({ sql: 'SELECT VERSION() AS version, @@SESSION.sql_mode AS sqlMode', timeout: endpoint.timeoutMs });
      const row = rows[0] as { version: string; sqlMode: string };
      return new MysqlAdmin(c, endpoint.timeoutMs, /mariadb/i.test(row.version), /NO_BACKSLASH_ESCAPES/i.test(row.sqlMode));
    } catch (e) {
      c.destroy();
      throw e;
    }
  }

  /** Telling needs SELECT on the mysql schema, which the documented grants do not give: ALTER USER reports it. */
  async existingUsers(): Promise<undefined> {
    return undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    const account = `${stringLiteral(username, this.noBackslashEscapes)}@'%'`;
    const secret = this.mariadb ? `IDENTIFIED BY PASSWORD ${stringLiteral(nativePasswordHash(password), this.noBackslashEscapes)}` : `IDENTIFIED BY ${stringLiteral(password, this.noBackslashEscapes)}`;
    await this.c.query({ sql: `ALTER USER ${account} ${secret}`, timeout: this.timeoutMs });
  }

  async close(): Promise<void> {
    try {
      await this.c.end();
    } catch {
      this.c.destroy();
    }
  }
}

const ERROR_KINDS: { [code: string]: DbFailure['kind'] } = {
  ER_ACCESS_DENIED_ERROR: 'invalid-credentials',
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'invalid-credentials',
  ER_DBACCESS_DENIED_ERROR: 'no-privilege',
  ER_SPECIFIC_ACCESS_DENIED_ERROR: 'no-privilege',
  ER_TABLEACCESS_DENIED_ERROR: 'no-privilege',
  ER_CANNOT_USER: 'no-such-user',
  ER_PASSWORD_NO_MATCH: 'no-such-user',
  PROTOCOL_SEQUENCE_TIMEOUT: 'timeout',
  HANDSHAKE_NO_SSL_SUPPORT: 'tls',
};

export const mysqlEngine: DbEngine = {
  name: 'mysql',
  label: 'MySQL/MariaDB',
  defaultPort: 3306,

  async connectAdmin(endpoint, managing) {
    return MysqlAdmin.open(endpoint, managing);
  },

  async loginAs(endpoint, credential) {
    const c = await connect(connectionOptions(endpoint, credential, endpoint.database));
    try {
      const [rows] = await c.query<RowDataPacket[]>({ sql: 'SELECT CURRENT_USER() AS account', timeout: endpoint.timeoutMs });
      const account = String((rows[0] as { account: string }).account);
      return account.slice(0, account.lastIndexOf('@'));
    } finally {
      await c.end().catch(() => c.destroy());
    }
  },

  classify(e) {
    const err = e as { code?: string; errno?: number; sqlMessage?: string; message?: string };
    // Statement text (and so a password hash) can appear in syntax errors: keep only the server's words before it.
    const message = (err?.sqlMessage ?? err?.message ?? String(e)).replace(/\*[0-9A-F]{40}/g, '*…').replace(/ near '[\s\S]*$/, '');
    const serverRejected = typeof err?.errno === 'number' && err.sqlMessage !== undefined;
    if (typeof err?.code === 'string' && ERROR_KINDS[err.code]) return { kind: ERROR_KINDS[err.code]!, detail: `${err.code}: ${message}`, serverRejected };
    if (serverRejected) return { kind: 'other', detail: `${err.code ?? err.errno}: ${message}`, serverRejected };
    return networkFailure(e) ?? { kind: 'other', detail: message, serverRejected: false };
  },
};

export class MysqlRotator extends DbRotator {
  constructor(session?: DbRotationSession) {
    super(mysqlEngine, session);
  }
}
