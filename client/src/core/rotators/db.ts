/**
 * The database rotators' shared part (`fn::rotate::postgres`, `fn::rotate::mysql`): ESC's input
 * and state shapes, connection settings (TLS mode, deadlines), and the two-user strategy with
 * every step journaled (see ../rotation/journal.ts) so that a crash anywhere is completed by the next run:
 *
 *   preflight   connect as the managing user; both rotated users must exist (where the engine can tell)
 *   intent      a new CSPRNG, URL-safe password for the user that is NOT current, sealed in the journal
 *   set         the engine sets it (as a verifier/hash, never the plaintext: see postgres.ts, mysql.ts)
 *   verify      log in as that user with the new password
 *   promote     return `{current: that user, previous: the user that was current}`
 *
 * The current user's password is never changed, so no rotation can lock an application out.
 * Recovery: an interrupted run's sealed password is tried first (it is live iff the set happened);
 * if it does not log in yet, the same password is set again (idempotent), verified, promoted.
 * With nothing sealed, recovery (`session.recoveryOnly`) keeps the state as it is.
 * Engine specifics (SQL, quoting, error codes) live behind `DbEngine`.
 */
import type { ExecutionContext, Rotator } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { rotatorSchemas } from '../catalog';
import { crashPoint } from '../rotation/crashpoints';
import { CoreError, type ErrorLocation } from '../errors';
import type { Journal, JournalEntry } from '../rotation/journal';
import { fieldsOf, objectValue, optionalInteger, optionalString, plain, requiredString, secretString } from '../pluginValues';
import { generatePassword } from './password';

/** What a rotation run lends the rotator (the aws-iam session satisfies it). */
export interface DbRotationSession {
  environment: string;
  journal: Journal;
  /** Progress lines; never given secrets. */
  log(message: string): void;
  /** Called with the rotation's target id when its new state is ready (the driver then writes it). */
  onCompleted?(targetId: string): void;
  /** Called just before the first change in the database: from then on the signal is ignored. */
  onPointOfNoReturn?(): void;
  /** The rotation's overall deadline (every single connect/statement also has its own). */
  deadline?: AbortSignal;
  /** Recovery: finish what the journal started (a sealed password) only; never set a new one. */
  recoveryOnly?: boolean;
}

export type SslMode = 'disable' | 'require' | 'verify-full';

export interface DbEndpoint {
  host: string;
  port: number;
  database: string;
  sslmode: SslMode;
  /** PEM text of the CA certificate(s) trusted for `verify-full` (default: the system's CAs). */
  ca?: string;
  /** Deadline of every connect and every statement (ms): reaching it throws. */
  timeoutMs: number;
}

export interface DbCredential {
  username: string;
  password: string;
}

export interface DbState {
  current?: DbCredential;
  previous?: DbCredential;
}

/** A connection as the managing user. */
export interface DbAdmin {
  /** The rotated users that exist, or undefined when the engine cannot tell with the documented grants. */
  existingUsers(usernames: string[]): Promise<Set<string> | undefined>;
  /** Sets the password of `username` without the plaintext reaching the server's logs. */
  setPassword(username: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export interface DbEngine {
  readonly name: 'postgres' | 'mysql';
  readonly label: string;
  readonly defaultPort: number;
  connectAdmin(endpoint: DbEndpoint, managing: DbCredential): Promise<DbAdmin>;
  /** Logs in as `credential` and returns the user name the server says it is (then disconnects). */
  loginAs(endpoint: DbEndpoint, credential: DbCredential): Promise<string>;
  /** What kind of failure a driver error is, with a detail that has no statement text and no secret. */
  classify(e: unknown): DbFailure;
}

export type DbFailureKind = 'invalid-credentials' | 'no-privilege' | 'no-such-user' | 'unreachable' | 'timeout' | 'tls' | 'other';

export interface DbFailure {
  kind: DbFailureKind;
  detail: string;
  /** The server answered with an error: the statement did not take effect (unlike a lost connection). */
  serverRejected: boolean;
}

/** Network failures, by Node's error codes (both drivers report them alike). */
export function networkFailure(e: unknown): DbFailure | undefined {
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = (e as Error)?.message ?? String(e);
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT'].includes(code)) return { kind: 'unreachable', detail: `${code}: ${message}`, serverRejected: false };
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return { kind: 'timeout', detail: message, serverRejected: false };
  if ((code && /CERT|SSL|TLS|ALTNAME/i.test(code)) || /\b(SSL|TLS|certificate)\b/i.test(message)) return { kind: 'tls', detail: code ? `${code}: ${message}` : message, serverRejected: false };
  return undefined;
}

/** A located CoreError for a driver error (the detail never holds statement text or secrets). */
export function explainDbError(engine: DbEngine, e: unknown, location: ErrorLocation, subject: string): CoreError {
  if (e instanceof CoreError) return e;
  const f = engine.classify(e);
  switch (f.kind) {
    case 'invalid-credentials':
      return new CoreError('DbInvalidCredentials', `${subject}: the server rejected the user name or password (${f.detail})`, location, 'check the managing credentials (database.managingUser) and that the user may log in from this host');
    case 'no-privilege':
      return new CoreError('DbAccessDenied', `${subject}: permission denied (${f.detail})`, location, `give the managing user the grants of ESC's "Database User Setup" for ${engine.label}`);
    case 'no-such-user':
      return new CoreError('DbNoSuchUser', `${subject}: no such user (${f.detail})`, location, 'create the two rotated users first (see "Database User Setup") or fix inputs.rotateUsers');
    case 'unreachable':
      return new CoreError('DbUnavailable', `${subject}: the server cannot be reached (${f.detail})`, location, 'check database.host and database.port, and that this machine can reach the database (VPN, security groups); nothing that the next run cannot recover was changed');
    case 'timeout':
      return new CoreError('DbUnavailable', `${subject}: no answer within the deadline (${f.detail})`, location, 'check that the server is up and reachable, or raise database.timeout (seconds); nothing that the next run cannot recover was changed');
    case 'tls':
      return new CoreError('DbTlsFailed', `${subject}: TLS failed (${f.detail})`, location, 'check database.sslmode (disable, require, verify-full) and, for verify-full, database.ca and that database.host matches the server certificate');
    default:
      return new CoreError('DbError', `${subject}: ${f.detail}`, location);
  }
}

export const DEFAULT_TIMEOUT_SECONDS = 10;

/** 32 characters from [A-Za-z0-9-_]: about 190 bits, and usable unescaped in a connection URL. */
export function generateDbPassword(): string {
  return generatePassword({ length: 32, lower: true, upper: true, special: true, minLower: 1, minUpper: 1, minSpecial: 0, overrideSpecial: '-_' });
}

// ---------------------------------------------------------------- inputs and state

export interface DbInputs {
  endpoint: DbEndpoint;
  managing: DbCredential;
  users: [string, string];
  /** A rotation connector was configured (not needed: esc-local connects directly). */
  connector: boolean;
}

function credential(v: Value | undefined, what: string): DbCredential {
  const f = fieldsOf(v, what);
  if (f === undefined) throw new CoreError('InvalidInput', `${what} is required`);
  return { username: requiredString(f.username, `${what}.username`), password: requiredString(f.password, `${what}.password`) };
}

function sslMode(v: Value | undefined): SslMode {
  const mode = optionalString(v, 'inputs.database.sslmode') ?? 'require';
  if (mode !== 'disable' && mode !== 'require' && mode !== 'verify-full') {
    throw new CoreError('InvalidInput', `inputs.database.sslmode must be disable, require or verify-full (got ${JSON.stringify(mode)})`);
  }
  return mode;
}

function checkUsername(name: string, what: string): string {
  if (name.includes('\0')) throw new CoreError('InvalidInput', `${what} must not contain a NUL character`);
  return name;
}

export function parseDbInputs(engine: DbEngine, inputs: { [key: string]: Value }): DbInputs {
  const db = fieldsOf(inputs.database, 'inputs.database');
  if (db === undefined) throw new CoreError('InvalidInput', 'inputs.database is required: {host, port, database, managingUser}');
  const users = fieldsOf(inputs.rotateUsers, 'inputs.rotateUsers');
  if (users === undefined) throw new CoreError('InvalidInput', 'inputs.rotateUsers is required: {username1, username2}');
  const u1 = checkUsername(requiredString(users.username1, 'inputs.rotateUsers.username1'), 'inputs.rotateUsers.username1');
  const u2 = checkUsername(requiredString(users.username2, 'inputs.rotateUsers.username2'), 'inputs.rotateUsers.username2');
  if (u1 === u2) throw new CoreError('InvalidInput', 'inputs.rotateUsers.username1 and username2 must be two different users (the two-user strategy alternates between them)');
  const managing = credential(db.managingUser, 'inputs.database.managingUser');
  if (managing.username === u1 || managing.username === u2) {
    throw new CoreError('InvalidInput', 'inputs.database.managingUser must not be one of the rotated users');
  }
  const sslmode = sslMode(db.sslmode);
  const ca = optionalString(db.ca, 'inputs.database.ca');
  if (ca !== undefined && sslmode !== 'verify-full') throw new CoreError('InvalidInput', 'inputs.database.ca is only used with sslmode: verify-full');
  const timeout = optionalInteger(db.timeout, 'inputs.database.timeout', 1, 600) ?? DEFAULT_TIMEOUT_SECONDS;
  return {
    endpoint: {
      host: requiredString(db.host, 'inputs.database.host'),
      port: optionalInteger(db.port, 'inputs.database.port', 1, 65535) ?? engine.defaultPort,
      database: requiredString(db.database, 'inputs.database.database'),
      sslmode,
      ...(ca !== undefined ? { ca } : {}),
      timeoutMs: timeout * 1000,
    },
    managing,
    users: [u1, u2],
    connector: fieldsOf(db.connector, 'inputs.database.connector') !== undefined,
  };
}

function parseCredentialState(v: Value | undefined, what: string): DbCredential | undefined {
  const f = fieldsOf(v, what);
  if (f === undefined) return undefined;
  return { username: requiredString(f.username, `${what}.username`), password: requiredString(f.password, `${what}.password`) };
}

export function parseDbState(state: Value | undefined): DbState {
  const f = fieldsOf(state, 'state');
  if (f === undefined) return {};
  const current = parseCredentialState(f.current, 'state.current');
  const previous = parseCredentialState(f.previous, 'state.previous');
  return { ...(current ? { current } : {}), ...(previous ? { previous } : {}) };
}

function credentialValue(c: DbCredential): Value {
  return objectValue({ username: plain(c.username), password: secretString(c.password) });
}

export function dbStateValue(s: DbState): Value {
  return objectValue({ current: s.current && credentialValue(s.current), previous: s.previous && credentialValue(s.previous) });
}

/** Identifies one rotator in the journal: the same server, database and pair of users. */
export function targetId(engine: DbEngine, i: DbInputs): string {
  const e = encodeURIComponent;
  return `${engine.name}://${e(i.endpoint.host)}:${i.endpoint.port}/${e(i.endpoint.database)}?users=${e(i.users[0])},${e(i.users[1])}`;
}

// ---------------------------------------------------------------- the rotator

export class DbRotator implements Rotator {
  /** Without a session the rotator can only open (preview); rotating needs a journal. */
  constructor(
    private readonly engine: DbEngine,
    private readonly session?: DbRotationSession,
  ) {}

  schema(): { inputs: Schema; state: Schema; outputs: Schema } {
    return rotatorSchemas(this.engine.name);
  }

  async open(_inputs: { [key: string]: Value }, state: Value | undefined, _context?: ExecutionContext): Promise<Value> {
    return dbStateValue(parseDbState(state));
  }

  async rotate(inputs: { [key: string]: Value }, state: Value | undefined, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    const session = this.session;
    if (!session) throw new CoreError('InvalidInput', `${this.engine.name} rotation needs a rotation session (use the core's rotateEnvironment)`);
    const parsed = parseDbInputs(this.engine, inputs);
    const run = new DbRotationRun(this.engine, session, parsed, parseDbState(state), signal);
    return dbStateValue(await run.run());
  }
}

function now(): string {
  return new Date().toISOString();
}

function last<K extends JournalEntry['kind']>(entries: JournalEntry[], kind: K): Extract<JournalEntry, { kind: K }> | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.kind === kind) return entries[i] as Extract<JournalEntry, { kind: K }>;
  return undefined;
}

/** One rotation of one pair of users. */
class DbRotationRun {
  private readonly target: string;
  private readonly j: Journal;

  constructor(
    private readonly engine: DbEngine,
    private readonly s: DbRotationSession,
    private readonly p: DbInputs,
    private readonly state: DbState,
    private signal: AbortSignal | undefined,
  ) {
    this.target = targetId(engine, p);
    this.j = s.journal;
  }

  private loc(operation: string): ErrorLocation {
    return { environment: this.s.environment, operation: `${this.engine.name}:${operation}` };
  }

  private entries(): JournalEntry[] {
    return this.j.entriesFor(this.target);
  }

  /** The user that is not current: the one to rotate (username1 when there is no state). */
  private userToRotate(): string {
    const [u1, u2] = this.p.users;
    const current = this.state.current?.username;
    if (current === undefined) return u1;
    if (current === u1) return u2;
    if (current === u2) return u1;
    throw new CoreError('Drift', `state.current names user ${JSON.stringify(current)}, which is neither rotateUsers.username1 nor username2`, this.loc('state'), 'fix rotateUsers or the state: this tool only changes the two users it rotates');
  }

  async run(): Promise<DbState> {
    this.signal?.throwIfAborted();
    if (this.p.connector) this.s.log('database.connector is not needed locally: esc-local connects to the database directly');
    const admin = await this.connectAdmin();
    try {
      await this.preflightUsers(admin);
      crashPoint('after-preflight');
      const intent = this.j.pendingDbPassword(this.target);
      if (!intent && this.s.recoveryOnly) {
        this.s.onCompleted?.(this.target);
        return this.state;
      }
      const result = intent ? await this.resume(admin, intent) : this.promote(await this.rotateNew(admin));
      this.s.onCompleted?.(this.target);
      return result;
    } finally {
      await admin.close();
    }
  }

  private async connectAdmin(): Promise<DbAdmin> {
    this.s.deadline?.throwIfAborted();
    try {
      return await this.engine.connectAdmin(this.p.endpoint, this.p.managing);
    } catch (e) {
      throw explainDbError(this.engine, e, this.loc('connect'), `connecting to ${this.engine.label} at ${this.p.endpoint.host}:${this.p.endpoint.port} as the managing user ${this.p.managing.username}`);
    }
  }

  private async preflightUsers(admin: DbAdmin): Promise<void> {
    let existing: Set<string> | undefined;
    try {
      existing = await admin.existingUsers(this.p.users);
    } catch (e) {
      throw explainDbError(this.engine, e, this.loc('users'), 'looking up the rotated users');
    }
    const missing = existing === undefined ? [] : this.p.users.filter((u) => !existing.has(u));
    if (missing.length > 0) {
      throw new CoreError('DbNoSuchUser', `${this.engine.label} has no user ${missing.map((u) => JSON.stringify(u)).join(' or ')}`, this.loc('users'), 'create the two rotated users first (see "Database User Setup" in the docs) or fix inputs.rotateUsers');
    }
  }

  private promote(credential: DbCredential): DbState {
    return { current: credential, ...(this.state.current ? { previous: this.state.current } : {}) };
  }

  /** A new password for the user that is not current. */
  private async rotateNew(admin: DbAdmin): Promise<DbCredential> {
    const username = this.userToRotate();
    this.j.append({ kind: 'db-begin', userArn: this.target, ...(this.state.current ? { current: this.state.current.username } : {}), at: now() });
    this.pointOfNoReturn();
    const password = generateDbPassword();
    // Sealed before it is set: after a crash past the set, the live password is in the journal.
    this.j.append({ kind: 'db-password-intent', userArn: this.target, user: username, secret: this.j.seal(password, this.sealPurpose(username)), at: now() });
    crashPoint('after-password-intent');
    const credential = { username, password };
    await this.setPassword(admin, credential);
    await this.verify(credential);
    return credential;
  }

  /** An interrupted run sealed a password for a user: make sure it is live, then promote it. */
  private async resume(admin: DbAdmin, intent: Extract<JournalEntry, { kind: 'db-password-intent' }>): Promise<DbState> {
    const credential = { username: intent.user, password: this.j.unseal(intent.secret, this.sealPurpose(intent.user)) };
    const current = this.state.current;
    if (current?.username === credential.username && current.password === credential.password) {
      this.s.log(`the rotation of ${intent.user} was already written; nothing to redo`);
      return this.state;
    }
    const begin = last(this.entries(), 'db-begin');
    if (begin && begin.current !== this.state.current?.username) {
      throw new CoreError('Drift', `the state in the file changed since the interrupted rotation began (current user ${this.state.current?.username ?? 'none'}, was ${begin.current ?? 'none'})`, this.loc('recovery'), 'restore the file from version control, or delete the journal after checking the database');
    }
    if (intent.user === this.state.current?.username) {
      throw new CoreError('Drift', `the interrupted rotation was changing ${intent.user}, which the file now names as current`, this.loc('recovery'), 'restore the file from version control, or delete the journal after checking the database');
    }
    this.s.log(`resuming the interrupted rotation of ${intent.user}`);
    this.pointOfNoReturn();
    if (!this.entries().some((e) => e.kind === 'db-verified' && e.user === intent.user)) {
      if (!(await this.logsIn(credential))) {
        // The password was not set before the interruption (or the set was lost): set the same one.
        await this.setPassword(admin, credential);
      }
      await this.verify(credential);
    }
    return this.promote(credential);
  }

  private sealPurpose(username: string): string {
    return `db-password ${this.target} ${username}`;
  }

  private pointOfNoReturn(): void {
    this.signal?.throwIfAborted();
    this.signal = undefined;
    this.s.onPointOfNoReturn?.();
  }

  private async setPassword(admin: DbAdmin, c: DbCredential): Promise<void> {
    this.s.deadline?.throwIfAborted();
    try {
      await admin.setPassword(c.username, c.password);
    } catch (e) {
      // A statement the server rejected changed nothing: the sealed password is not pending any more.
      if (this.engine.classify(e).serverRejected) this.j.append({ kind: 'db-password-failed', userArn: this.target, user: c.username, at: now() });
      throw explainDbError(this.engine, e, this.loc('set-password'), `setting the new password of ${c.username}`);
    }
    crashPoint('after-password-set');
    this.j.append({ kind: 'db-password-set', userArn: this.target, user: c.username, at: now() });
    this.s.log(`set a new password for ${c.username}`);
  }

  /** True if the credential logs in; false if the server rejects it; throws for anything else. */
  private async logsIn(c: DbCredential): Promise<boolean> {
    try {
      await this.engine.loginAs(this.p.endpoint, c);
      return true;
    } catch (e) {
      if (this.engine.classify(e).kind === 'invalid-credentials') return false;
      throw explainDbError(this.engine, e, this.loc('login'), `logging in as ${c.username}`);
    }
  }

  /** The new password must log in (as that very user) before it is promoted. */
  private async verify(c: DbCredential): Promise<void> {
    this.s.deadline?.throwIfAborted();
    let who: string;
    try {
      who = await this.engine.loginAs(this.p.endpoint, c);
    } catch (e) {
      if (this.engine.classify(e).kind === 'invalid-credentials') {
        throw new CoreError('VerificationFailed', `${c.username} cannot log in with the new password`, this.loc('verify'), 'the password is kept (sealed) in the rotation journal and was not promoted; check the user\'s authentication settings, then run the rotation again');
      }
      throw explainDbError(this.engine, e, this.loc('verify'), `verifying the new password of ${c.username}`);
    }
    if (who !== c.username) {
      throw new CoreError('VerificationFailed', `logging in as ${c.username} with the new password made the server report user ${JSON.stringify(who)}`, this.loc('verify'));
    }
    this.j.append({ kind: 'db-verified', userArn: this.target, user: c.username, at: now() });
    crashPoint('after-verify');
    this.s.log(`verified the new password of ${c.username}`);
  }
}
