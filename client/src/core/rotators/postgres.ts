/**
 * `fn::rotate::postgres`: the PostgreSQL engine of the database rotators (see db.ts), over the
 * `pg` client. The new password reaches the server only as a SCRAM-SHA-256 verifier computed
 * here, as psql's `\password` does, so `log_statement = all` never records the plaintext.
 * The managing user needs `CREATEROLE` (PostgreSQL 16+: also ADMIN OPTION on both rotated users).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Client, ClientConfig } from 'pg';
import type { DbAdmin, DbCredential, DbEndpoint, DbEngine, DbFailure } from './db';
import { DbRotator, type DbRotationSession, networkFailure } from './db';

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores (RFC 5802/7677: StoredKey = H(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")). Written here because no
 * well-kept npm package exports verifier generation (pg implements only the client exchange).
 * The password is used as UTF-8 without SASLprep: generated passwords are ASCII, where SASLprep
 * is the identity.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A double-quoted SQL identifier: any name, however hostile, stays one identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function clientConfig(endpoint: DbEndpoint, user: DbCredential, database: string): ClientConfig {
  const socket = endpoint.host.startsWith('/');
  const ssl: ClientConfig['ssl'] =
    socket || endpoint.sslmode === 'disable'
      ? false
      : endpoint.sslmode === 'require'
        ? { rejectUnauthorized: false }
        : { rejectUnauthorized: true, servername: endpoint.host, ...(endpoint.ca !== undefined ? { ca: endpoint.ca } : {}) };
  return {
    host: endpoint.host,
    port: endpoint.port,
    database,
    user: user.username,
    password: user.password,
    ssl,
    application_name: 'esc-local',
    connectionTimeoutMillis: endpoint.timeoutMs,
    // Client-side deadline (throws even if the server never answers) and the server-side one.
    query_timeout: endpoint.timeoutMs,
    statement_timeout: endpoint.timeoutMs,
    lock_timeout: endpoint.timeoutMs,
  };
}

/** Connects; on failure the half-open client is ended so no socket outlives the error. */
async function connect(config: ClientConfig): Promise<Client> {
  // Loaded on first use: every CLI start would otherwise pay for the driver.
  const { Client: PgClient } = await import('pg');
  const client = new PgClient(config);
  // A connection lost later is reported by the next query; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
}

class PostgresAdmin implements DbAdmin {
  constructor(private readonly client: Client) {}

  async existingUsers(usernames: string[]): Promise<Set<string>> {
    const r = await this.client.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[])', [usernames]);
    return new Set(r.rows.map((row) => row.rolname));
  }

  async setPassword(username: string, password: string): Promise<void> {
    // Utility statements take no bind parameters: the verifier is [A-Za-z0-9+/=$:-] only, safe in quotes.
    await this.client.query(`ALTER ROLE ${quoteIdentifier(username)} PASSWORD '${scramSha256Verifier(password)}'`);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

const SQLSTATE: { [code: string]: DbFailure['kind'] } = {
  '28P01': 'invalid-credentials', // invalid_password
  '28000': 'invalid-credentials', // invalid_authorization_specification (no pg_hba entry, NOLOGIN)
  '42501': 'no-privilege', // insufficient_privilege
  '42704': 'no-such-user', // undefined_object (role does not exist)
  '3D000': 'other', // invalid_catalog_name (database does not exist)
  '57014': 'timeout', // query_canceled (statement_timeout)
  '55P03': 'timeout', // lock_not_available (lock_timeout)
};

export const postgresEngine: DbEngine = {
  name: 'postgres',
  label: 'PostgreSQL',
  defaultPort: 5432,

  async connectAdmin(endpoint, managing) {
    return new PostgresAdmin(await connect(clientConfig(endpoint, managing, endpoint.database)));
  },

  async loginAs(endpoint, credential) {
    const client = await connect(clientConfig(endpoint, credential, endpoint.database));
    try {
      const r = await client.query<{ user: string }>('SELECT current_user AS "user"');
      return r.rows[0]!.user;
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  classify(e) {
    const pgError = e as { code?: string; message?: string; severity?: string };
    const message = pgError?.message ?? String(e);
    if (typeof pgError?.code === 'string' && /^[0-9A-Z]{5}$/.test(pgError.code) && pgError.severity !== undefined) {
      return { kind: SQLSTATE[pgError.code] ?? 'other', detail: `${pgError.code}: ${message}`, serverRejected: true };
    }
    if (/does not support SSL/i.test(message)) return { kind: 'tls', detail: message, serverRejected: false };
    return networkFailure(e) ?? { kind: 'other', detail: message, serverRejected: false };
  },
};

export class PostgresRotator extends DbRotator {
  constructor(session?: DbRotationSession) {
    super(postgresEngine, session);
  }
}
