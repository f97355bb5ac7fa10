/**
 * The OS keychain (via keytar), shared by the extension and the CLI under one service name.
 * Holds managing AWS credentials (account `aws:<name>`, where name is user-chosen or a role
 * ARN) and workspace data keys (account `data-key:<workspace id>`). Nothing stored here is
 * ever written to a file or a log, and an unavailable keychain is an error, never a reason to
 * fall back to plaintext.
 *
 * Machines without a keychain (CI runners: no D-Bus session) get the data key from the
 * environment instead: `ESC_LOCAL_DATA_KEY` (base64, as `esc-local key export` prints it) or
 * `ESC_LOCAL_DATA_KEY_FILE`. The keychain is asked first; the variables are used when it has no
 * entry or cannot be reached. Without a D-Bus session the keychain is not even tried (libsecret
 * would try to autolaunch a bus, which can block), and every keychain call has a deadline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CoreError } from './errors';

export const DEFAULT_KEYCHAIN_SERVICE = 'esc-local';

const AWS_PREFIX = 'aws:';
const DATA_KEY_PREFIX = 'data-key:';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The subset of keytar's API the core uses (keytar itself satisfies it). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

function loadKeytar(): KeytarLike {
  try {
    // Loaded lazily so that merely importing the core never needs the native module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('keytar') as KeytarLike;
  } catch (e) {
    throw new CoreError(
      'KeychainUnavailable',
      `the OS keychain module (keytar) could not be loaded: ${(e as Error).message}`,
      {},
      'reinstall the extension/CLI for this platform; on Linux install libsecret (e.g. `apt-get install libsecret-1-0`)',
    );
  }
}

/** Turns keytar's low-level failures into an explanation with a fix. */
export function explainKeychainFailure(e: unknown, operation: string, alternative?: string): CoreError {
  const raw = e instanceof Error ? e.message : String(e);
  let reason: string;
  let hint: string;
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|Failed to connect to socket/i.test(raw)) {
    reason = 'no D-Bus session is available, so the Secret Service (OS keychain) cannot be reached';
    hint =
      'run inside a desktop session, or start one for this shell: `dbus-run-session -- sh -c \'echo -n "$PW" | gnome-keyring-daemon --unlock --components=secrets; exec <command>\'` (Debian/Ubuntu: `apt-get install gnome-keyring dbus-x11`)';
  } else if (/org\.freedesktop\.secrets|was not provided by any \.service files|ServiceUnknown|No such interface/i.test(raw)) {
    reason = 'no Secret Service provider (e.g. gnome-keyring or KeePassXC) is running on the session bus';
    hint = 'install and start one: `apt-get install gnome-keyring` then `gnome-keyring-daemon --start --components=secrets`';
  } else if (/locked|unlock|dismissed|Prompt|collection\/login|No such secret collection/i.test(raw)) {
    reason = 'the OS keychain is locked (or has no default "login" keyring) and no unlock prompt could be shown';
    hint = 'unlock your login keyring (log in to the desktop session, or `gnome-keyring-daemon --unlock` with your password) and try again';
  } else {
    reason = `the OS keychain reported an error (${raw})`;
    hint = 'check that your OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) is running and unlocked';
  }
  return new CoreError('KeychainUnavailable', `cannot ${operation}: ${reason}; nothing was stored in plaintext instead`, {}, alternative ? `${hint}; ${alternative}` : hint, { cause: e });
}

/** A keychain call that has not answered by then is reported as an unavailable keychain. */
const KEYCHAIN_DEADLINE_MS = 20_000;

/**
 * On Linux the Secret Service is reached over the D-Bus session bus: named by
 * DBUS_SESSION_BUS_ADDRESS, or the systemd user bus socket. Without either there is none.
 */
function missingSessionBus(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux' || env.DBUS_SESSION_BUS_ADDRESS) return false;
  return !(env.XDG_RUNTIME_DIR && fs.existsSync(path.join(env.XDG_RUNTIME_DIR, 'bus')));
}

export interface KeychainOptions {
  /** Where DBUS_SESSION_BUS_ADDRESS and ESC_LOCAL_DATA_KEY(_FILE) are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Says where a data key came from when it was not the keychain (never the key). */
  log?: (line: string) => void;
}

export const DATA_KEY_VARIABLE = 'ESC_LOCAL_DATA_KEY';
export const DATA_KEY_FILE_VARIABLE = 'ESC_LOCAL_DATA_KEY_FILE';

/** The data key given in the environment, or undefined; a malformed one is an error (the value is never echoed). */
export function dataKeyFromEnvironment(env: NodeJS.ProcessEnv): { key: Buffer; source: string } | undefined {
  let text: string;
  let source: string;
  if (env[DATA_KEY_VARIABLE]) {
    text = env[DATA_KEY_VARIABLE];
    source = DATA_KEY_VARIABLE;
  } else if (env[DATA_KEY_FILE_VARIABLE]) {
    const file = env[DATA_KEY_FILE_VARIABLE];
    source = `${DATA_KEY_FILE_VARIABLE} (${file})`;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new CoreError('DataKeyMissing', `cannot read the data key file named by ${DATA_KEY_FILE_VARIABLE}: ${(e as Error).message}`, { file });
    }
  } else {
    return undefined;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim())) {
    throw new CoreError('DataKeyMissing', `the data key in ${source} is not 32 bytes of base64`, {}, 'set it to what `esc-local key export` prints on a machine that has the key');
  }
  return { key, source };
}

export class Keychain {
  readonly service: string;
  private readonly backend: () => KeytarLike;
  private readonly realKeytar: boolean;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string) => void;
  private announcedDataKeySource = false;

  constructor(service: string = DEFAULT_KEYCHAIN_SERVICE, backend?: KeytarLike, options: KeychainOptions = {}) {
    if (service.trim() === '') throw new CoreError('InvalidInput', 'the keychain service name must not be empty');
    this.service = service;
    this.realKeytar = backend === undefined;
    this.env = options.env ?? process.env;
    this.log = options.log ?? (() => undefined);
    let cached = backend;
    this.backend = () => (cached ??= loadKeytar());
  }

  private async call<T>(operation: string, f: (k: KeytarLike) => Promise<T>): Promise<T> {
    if (this.realKeytar && missingSessionBus(this.env)) throw explainKeychainFailure(new Error('DBUS_SESSION_BUS_ADDRESS is not set'), operation);
    const keytar = this.backend();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${KEYCHAIN_DEADLINE_MS / 1000} s`)), KEYCHAIN_DEADLINE_MS);
      timer.unref();
    });
    try {
      return await Promise.race([f(keytar), deadline]);
    } catch (e) {
      throw explainKeychainFailure(e, operation);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Checks the keychain answers; throws the explained CoreError when it does not. */
  async probe(): Promise<void> {
    await this.call('reach the OS keychain', (k) => k.findCredentials(this.service));
  }

  // ---- managing AWS credentials ----

  async setAwsCredentials(name: string, credentials: AwsCredentials): Promise<void> {
    validateCredentialName(name);
    if (!credentials.accessKeyId || !credentials.secretAccessKey) {
      throw new CoreError('InvalidInput', 'both an access key id and a secret access key are required');
    }
    const stored: AwsCredentials = { accessKeyId: credentials.accessKeyId.trim(), secretAccessKey: credentials.secretAccessKey.trim() };
    if (credentials.sessionToken) stored.sessionToken = credentials.sessionToken.trim();
    await this.call(`store managing credentials "${name}"`, (k) => k.setPassword(this.service, AWS_PREFIX + name, JSON.stringify(stored)));
  }

  async getAwsCredentials(name: string): Promise<AwsCredentials | undefined> {
    const raw = await this.call(`read managing credentials "${name}"`, (k) => k.getPassword(this.service, AWS_PREFIX + name));
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<AwsCredentials>;
      if (typeof parsed.accessKeyId === 'string' && typeof parsed.secretAccessKey === 'string') {
        return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey, ...(parsed.sessionToken ? { sessionToken: parsed.sessionToken } : {}) };
      }
    } catch {
      // fall through to the error below; the raw value is never echoed.
    }
    throw new CoreError('KeychainMissingEntry', `the keychain entry for managing credentials "${name}" is malformed`, {}, `store it again (ESC: Store Managing Credentials, or \`esc-local credentials set ${name}\`)`);
  }

  /** Returns true if something was removed. */
  async forgetAwsCredentials(name: string): Promise<boolean> {
    return this.call(`forget managing credentials "${name}"`, (k) => k.deletePassword(this.service, AWS_PREFIX + name));
  }

  /** Names only (never the secrets), sorted. */
  async listAwsCredentialNames(): Promise<string[]> {
    const all = await this.call('list managing credentials', (k) => k.findCredentials(this.service));
    return all
      .filter((c) => c.account.startsWith(AWS_PREFIX))
      .map((c) => c.account.slice(AWS_PREFIX.length))
      .sort();
  }

  // ---- workspace data keys ----

  /** The data key: the keychain's entry, else ESC_LOCAL_DATA_KEY(_FILE) (also when the keychain is unreachable). */
  async getDataKey(workspaceId: string): Promise<Buffer | undefined> {
    let unavailable: CoreError | undefined;
    try {
      const stored = await this.storedDataKey(workspaceId);
      if (stored) return stored;
    } catch (e) {
      if (!(e instanceof CoreError && e.code === 'KeychainUnavailable')) throw e;
      unavailable = e;
    }
    const given = dataKeyFromEnvironment(this.env);
    if (given) {
      if (!this.announcedDataKeySource) this.log(`data key: from ${given.source}${unavailable ? ' (the OS keychain is not available)' : ''}`);
      this.announcedDataKeySource = true;
      return given.key;
    }
    if (unavailable) {
      if (unavailable.cause === undefined) throw unavailable;
      throw explainKeychainFailure(unavailable.cause, 'read the workspace data key', `or, on a machine without a keychain (CI), give the key in ${DATA_KEY_VARIABLE} or ${DATA_KEY_FILE_VARIABLE} (what \`esc-local key export\` prints)`);
    }
    return undefined;
  }

  private async storedDataKey(workspaceId: string): Promise<Buffer | undefined> {
    const raw = await this.call('read the workspace data key', (k) => k.getPassword(this.service, DATA_KEY_PREFIX + workspaceId));
    if (raw === null) return undefined;
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32) {
      throw new CoreError('DataKeyMissing', `the workspace data key in the keychain (workspace ${workspaceId}) is not 32 bytes`, {}, 'import the correct key (`esc-local key import`) or remove the entry');
    }
    return key;
  }

  async setDataKey(workspaceId: string, key: Uint8Array): Promise<void> {
    if (key.length !== 32) throw new CoreError('InvalidInput', 'a workspace data key must be 32 bytes (AES-256)');
    await this.call('store the workspace data key', (k) => k.setPassword(this.service, DATA_KEY_PREFIX + workspaceId, Buffer.from(key).toString('base64')));
  }

  async forgetDataKey(workspaceId: string): Promise<boolean> {
    return this.call('forget the workspace data key', (k) => k.deletePassword(this.service, DATA_KEY_PREFIX + workspaceId));
  }
}

function validateCredentialName(name: string): void {
  if (name.trim() === '' || name !== name.trim() || /[\r\n]/.test(name)) {
    throw new CoreError('InvalidInput', `"${name}" is not a valid credential name: use a non-empty name without surrounding spaces (e.g. "default" or a role ARN)`);
  }
}
