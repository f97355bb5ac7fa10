/**
 * The test-facing side of the endpoint: seeding users/keys/roles, allow-lists, fault
 * injection, key-propagation delay, the request log and a secret-free view of the state.
 * Used directly in-process (`endpoint.control`) and behind the `/__admin/*` HTTP routes.
 */
import { createAccessKeyRecord } from './operations';
import {
  type AccessKeyStatus,
  awsId,
  emptyState,
  type KeyPropagationSetting,
  roleArn,
  type StateStore,
  userArn,
} from './state';
import type { ServiceName } from './xml';
import { awsTimestamp } from './xml';

export type FaultKind = 'throttle' | 'serviceUnavailable' | 'internalFailure' | 'drop' | 'delay';

export interface FaultSpec {
  kind: FaultKind;
  /** Action name (`CreateAccessKey`) or `*` / omitted for any action. */
  action?: string;
  /** Restrict to one service; omitted = both. */
  service?: ServiceName;
  /** How many matching calls it affects (default 1). */
  count?: number;
  /**
   * `before` (default): the call fails without effect. `after` (5xx and drop only): the action
   * is carried out and persisted, then the response is lost — the ambiguous outcome a client
   * must reconcile (e.g. a CreateAccessKey whose key exists but whose secret never arrived).
   */
  phase?: 'before' | 'after';
  /** For `delay`: how long to hold the request before handling it (default 1000 ms). */
  delayMs?: number;
}

export interface ActiveFault extends Required<Omit<FaultSpec, 'service' | 'delayMs'>> {
  id: number;
  service?: ServiceName;
  delayMs?: number;
  /** Calls still to be affected. */
  remaining: number;
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  service: ServiceName;
  action: string;
  /** The signing access key id (never its secret). */
  accessKeyId?: string;
  principalArn?: string;
  /** Non-secret request parameters: UserName, AccessKeyId, Status, RoleArn, RoleSessionName, DurationSeconds. */
  params: Record<string, string>;
  /** HTTP status sent; 0 when the connection was dropped. */
  status: number;
  errorCode?: string;
  fault?: FaultKind;
}

export interface UserView {
  userName: string;
  userId: string;
  arn: string;
  createDate: string;
}

export interface AccessKeyView {
  accessKeyId: string;
  userName: string;
  status: AccessKeyStatus;
  createDate: string;
  lastUsedDate?: string;
  /** True while the key is still "propagating" and is refused by authentication. */
  propagating: boolean;
}

export interface CreatedAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: AccessKeyStatus;
  createDate: string;
}

export interface RoleView {
  roleName: string;
  roleId: string;
  arn: string;
  trustedPrincipals: string[];
  maxSessionDurationSeconds: number;
}

export interface StateView {
  accountId: string;
  users: UserView[];
  accessKeys: AccessKeyView[];
  deletedAccessKeyIds: string[];
  roles: RoleView[];
  permissions: Record<string, string[]>;
  keyPropagation: KeyPropagationSetting;
  activeSessions: number;
}

export interface CreateAccessKeyInput {
  userName: string;
  /** Fixed id/secret for deterministic tests; generated when omitted. */
  accessKeyId?: string;
  secretAccessKey?: string;
  status?: AccessKeyStatus;
}

export interface CreateRoleInput {
  roleName: string;
  /** Principal ARNs allowed to assume it (user ARNs, role ARNs, or `arn:aws:iam::<account>:root`). */
  trustedPrincipals: string[];
  maxSessionDurationSeconds?: number;
}

/** A mistake in a test's admin call (not an AWS error); the HTTP admin answers 400 with it. */
export class AdminError extends Error {}

const LOGGED_PARAMS = ['UserName', 'AccessKeyId', 'Status', 'RoleArn', 'RoleSessionName', 'DurationSeconds'];

export function loggableParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of LOGGED_PARAMS) {
    const value = params.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

const NAME = /^[\w+=,.@-]{1,64}$/;

// Admin input also arrives as JSON over HTTP, so the declared types are checked at run time.
function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new AdminError(`${what} must be a non-empty string`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : requireString(value, what);
}

function requireStringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new AdminError(`${what} must be an array of strings`);
  }
  return [...value];
}

export class EndpointControl {
  private faults: ActiveFault[] = [];
  private nextFaultId = 1;
  private log: RequestLogEntry[] = [];

  constructor(private readonly store: StateStore) {}

  get accountId(): string {
    return this.store.state.accountId;
  }

  createUser(userName: string): UserView {
    requireString(userName, 'userName');
    if (!NAME.test(userName)) throw new AdminError(`invalid user name '${userName}'`);
    const state = this.store.state;
    if (state.users[userName] !== undefined) throw new AdminError(`user '${userName}' already exists`);
    const user = { userName, userId: awsId('AIDA', 21), arn: userArn(state.accountId, userName), createDate: this.store.now() };
    state.users[userName] = user;
    this.store.save();
    return { ...user, createDate: awsTimestamp(user.createDate) };
  }

  /** Seeds a key as if it had been created long ago (no propagation delay); the 2-key quota holds. */
  createAccessKey(input: CreateAccessKeyInput): CreatedAccessKey {
    requireString(input.userName, 'userName');
    optionalString(input.accessKeyId, 'accessKeyId');
    optionalString(input.secretAccessKey, 'secretAccessKey');
    if (input.status !== undefined && input.status !== 'Active' && input.status !== 'Inactive') {
      throw new AdminError(`invalid status '${String(input.status)}'`);
    }
    if (this.store.state.users[input.userName] === undefined) throw new AdminError(`no user '${input.userName}'`);
    if (input.accessKeyId !== undefined && !/^[A-Z0-9]{16,128}$/.test(input.accessKeyId)) {
      throw new AdminError(`invalid access key id '${input.accessKeyId}'`);
    }
    if (input.accessKeyId !== undefined && this.store.state.accessKeys[input.accessKeyId] !== undefined) {
      throw new AdminError(`access key '${input.accessKeyId}' already exists`);
    }
    let key;
    try {
      key = createAccessKeyRecord(this.store, input.userName, {
        accessKeyId: input.accessKeyId,
        secretAccessKey: input.secretAccessKey,
        status: input.status,
        propagate: false,
      });
    } catch (e) {
      throw new AdminError(e instanceof Error ? e.message : String(e));
    }
    return {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      userName: key.userName,
      status: key.status,
      createDate: awsTimestamp(key.createDate),
    };
  }

  /** Out-of-band deletion (someone used the console): drift for the tool to detect. */
  deleteAccessKey(accessKeyId: string): void {
    const state = this.store.state;
    if (state.accessKeys[accessKeyId] === undefined) throw new AdminError(`no access key '${accessKeyId}'`);
    delete state.accessKeys[accessKeyId];
    state.deletedAccessKeyIds.push(accessKeyId);
    this.store.save();
  }

  setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): void {
    const key = this.store.state.accessKeys[accessKeyId];
    if (key === undefined) throw new AdminError(`no access key '${accessKeyId}'`);
    if (status !== 'Active' && status !== 'Inactive') throw new AdminError(`invalid status '${String(status)}'`);
    key.status = status;
    this.store.save();
  }

  createRole(input: CreateRoleInput): RoleView {
    requireString(input.roleName, 'roleName');
    const trustedPrincipals = requireStringList(input.trustedPrincipals, 'trustedPrincipals');
    if (!NAME.test(input.roleName)) throw new AdminError(`invalid role name '${input.roleName}'`);
    const state = this.store.state;
    if (state.roles[input.roleName] !== undefined) throw new AdminError(`role '${input.roleName}' already exists`);
    const max = input.maxSessionDurationSeconds ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43200) {
      throw new AdminError('maxSessionDurationSeconds must be an integer from 3600 to 43200');
    }
    const role = {
      roleName: input.roleName,
      roleId: awsId('AROA', 21),
      arn: roleArn(state.accountId, input.roleName),
      trustedPrincipals,
      maxSessionDurationSeconds: max,
      createDate: this.store.now(),
    };
    state.roles[role.roleName] = role;
    this.store.save();
    return this.roleView(role.roleName);
  }

  /** `null` removes the allow-list (the principal may do anything again). */
  setPermissions(principalArn: string, allowedActions: string[] | null): void {
    requireString(principalArn, 'principalArn');
    if (allowedActions !== null) requireStringList(allowedActions, 'allowedActions');
    if (allowedActions === null) delete this.store.state.permissions[principalArn];
    else this.store.state.permissions[principalArn] = [...allowedActions];
    this.store.save();
  }

  /** Applies to keys created by CreateAccessKey from now on; `{rejectUses: 0, delayMs: 0}` turns it off. */
  setKeyPropagation(setting: KeyPropagationSetting): void {
    const { rejectUses, delayMs } = setting;
    if (!Number.isInteger(rejectUses) || rejectUses < 0 || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new AdminError('keyPropagation needs non-negative rejectUses (integer) and delayMs');
    }
    this.store.state.keyPropagation = { rejectUses, delayMs };
    this.store.save();
  }

  injectFault(spec: FaultSpec): ActiveFault {
    const kinds: FaultKind[] = ['throttle', 'serviceUnavailable', 'internalFailure', 'drop', 'delay'];
    if (!kinds.includes(spec.kind)) throw new AdminError(`unknown fault kind '${String(spec.kind)}'`);
    optionalString(spec.action, 'action');
    if (spec.service !== undefined && spec.service !== 'iam' && spec.service !== 'sts') {
      throw new AdminError(`fault service must be 'iam' or 'sts', got '${String(spec.service)}'`);
    }
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new AdminError('fault count must be a positive integer');
    const phase = spec.phase ?? 'before';
    if (phase === 'after' && (spec.kind === 'throttle' || spec.kind === 'delay')) {
      throw new AdminError(`fault '${spec.kind}' happens before the action; phase 'after' applies to 5xx and drop`);
    }
    const fault: ActiveFault = {
      id: this.nextFaultId++,
      kind: spec.kind,
      action: spec.action ?? '*',
      service: spec.service,
      count,
      phase,
      delayMs: spec.kind === 'delay' ? (spec.delayMs ?? 1000) : undefined,
      remaining: count,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  clearFaults(): void {
    this.faults = [];
  }

  activeFaults(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes one use of the first fault matching this call and phase, if any. */
  takeFault(service: ServiceName, action: string, phase: 'before' | 'after'): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) => f.phase === phase && (f.action === '*' || f.action === action) && (f.service === undefined || f.service === service),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  record(entry: Omit<RequestLogEntry, 'seq' | 'time'>): void {
    this.log.push({ seq: this.log.length + 1, time: new Date().toISOString(), ...entry });
  }

  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e, params: { ...e.params } }));
  }

  clearRequests(): void {
    this.log = [];
  }

  /** Moves the endpoint clock (session expiry, propagation delay) forward; signatures still use the wall clock. */
  advanceClock(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new AdminError('advanceClock needs a non-negative number of ms');
    this.store.state.clockOffsetMs += ms;
    this.store.save();
  }

  /** Forgets all users, keys, roles, sessions, allow-lists, faults and the log; keeps the account id. */
  reset(): void {
    this.store.state = emptyState(this.store.state.accountId);
    this.store.save();
    this.faults = [];
    this.log = [];
  }

  private roleView(roleName: string): RoleView {
    const r = this.store.state.roles[roleName];
    if (r === undefined) throw new AdminError(`no role '${roleName}'`);
    return {
      roleName: r.roleName,
      roleId: r.roleId,
      arn: r.arn,
      trustedPrincipals: [...r.trustedPrincipals],
      maxSessionDurationSeconds: r.maxSessionDurationSeconds,
    };
  }

  /** Everything a test may assert on, without any secret. */
  snapshot(): StateView {
    const state = this.store.state;
    const now = this.store.now();
    return {
      accountId: state.accountId,
      users: Object.values(state.users).map((u) => ({ ...u, createDate: awsTimestamp(u.createDate) })),
      accessKeys: Object.values(state.accessKeys)
        .sort((a, b) => a.createDate - b.createDate)
        .map((k) => ({
          accessKeyId: k.accessKeyId,
          userName: k.userName,
          status: k.status,
          createDate: awsTimestamp(k.createDate),
          lastUsedDate: k.lastUsed === undefined ? undefined : awsTimestamp(k.lastUsed.date),
          propagating: k.pending !== undefined && (k.pending.rejectUsesRemaining > 0 || now < k.pending.visibleAt),
        })),
      deletedAccessKeyIds: [...state.deletedAccessKeyIds],
      roles: Object.keys(state.roles).map((name) => this.roleView(name)),
      permissions: Object.fromEntries(Object.entries(state.permissions).map(([k, v]) => [k, [...v]])),
      keyPropagation: { ...state.keyPropagation },
      activeSessions: Object.values(state.sessions).filter((s) => s.expiration > now).length,
    };
  }
}
