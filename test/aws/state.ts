/**
 * What "AWS" knows: users, their access keys (with secrets — this store IS the AWS side),
 * roles, temporary sessions and per-principal allow-lists. Optionally persisted to a JSON file,
 * written atomically after every change and before the response leaves, so an endpoint that is
 * restarted (or a client that was SIGKILLed mid-rotation) sees exactly what AWS would.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface UserRecord {
  userName: string;
  userId: string;
  arn: string;
  createDate: number;
}

/** A key that IAM has created but the rest of AWS does not accept yet (eventual consistency). */
export interface PendingPropagation {
  rejectUsesRemaining: number;
  /** Endpoint-clock time (ms) before which the key is rejected. */
  visibleAt: number;
}

export interface LastUsed {
  date: number;
  serviceName: string;
  region: string;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: AccessKeyStatus;
  createDate: number;
  lastUsed?: LastUsed;
  pending?: PendingPropagation;
}

export interface RoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  /** Principal ARNs allowed to assume the role; `arn:aws:iam::<account>:root` trusts the whole account. */
  trustedPrincipals: string[];
  maxSessionDurationSeconds: number;
  createDate: number;
}

export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleName: string;
  sessionName: string;
  expiration: number;
}

export interface KeyPropagationSetting {
  /** Each key created from now on is rejected for its first N uses… */
  rejectUses: number;
  /** …and for this many ms after its creation. */
  delayMs: number;
}

export interface EndpointState {
  version: 1;
  accountId: string;
  users: Record<string, UserRecord>;
  accessKeys: Record<string, AccessKeyRecord>;
  deletedAccessKeyIds: string[];
  roles: Record<string, RoleRecord>;
  sessions: Record<string, SessionRecord>;
  /** Principal ARN → allowed actions (`iam:CreateAccessKey`, `iam:*`, `*`). Absent = allow all. */
  permissions: Record<string, string[]>;
  keyPropagation: KeyPropagationSetting;
  /** Added to the wall clock for expirations and propagation delays (tests advance time). */
  clockOffsetMs: number;
}

export function emptyState(accountId: string): EndpointState {
  return {
    version: 1,
    accountId,
    users: {},
    accessKeys: {},
    deletedAccessKeyIds: [],
    roles: {},
    sessions: {},
    permissions: {},
    keyPropagation: { rejectUses: 0, delayMs: 0 },
    clockOffsetMs: 0,
  };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-shaped identifiers: a 4-letter prefix (AKIA, ASIA, AIDA, AROA) then base32 characters. */
export function awsId(prefix: string, length: number): string {
  const bytes = randomBytes(length - prefix.length);
  let id = prefix;
  for (const b of bytes) id += BASE32[b % 32];
  return id;
}

/** 40 characters from the base64 alphabet, like a real secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export function newSessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(180).toString('base64');
}

export function userArn(accountId: string, userName: string): string {
  return `arn:aws:iam::${accountId}:user/${userName}`;
}

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

export class StateStore {
  constructor(
    public state: EndpointState,
    private readonly file: string | undefined,
  ) {}

  /** Loads `file` when it exists (keeping its account), else starts empty. */
  static open(file: string | undefined, accountId: string): StateStore {
    if (file !== undefined && existsSync(file)) {
      let parsed: EndpointState;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8')) as EndpointState;
      } catch (e) {
        throw new Error(`${file}: not a valid endpoint state file (${e instanceof Error ? e.message : String(e)})`);
      }
      if (parsed.version !== 1) throw new Error(`${file}: unsupported endpoint state version ${String(parsed.version)}`);
      return new StateStore(parsed, file);
    }
    const store = new StateStore(emptyState(accountId), file);
    store.save();
    return store;
  }

  /** Endpoint clock: wall clock plus the test-controlled offset. */
  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  /** Temp file, fsync, rename: a reader (or a restart) never sees a half-written state. */
  save(): void {
    if (this.file === undefined) return;
    const tmp = join(dirname(this.file), `.${basename(this.file)}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.state, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
