/**
 * The IAM and STS actions the endpoint implements, with AWS's semantics: implicit user from the
 * caller when `UserName` is omitted, the 2-keys-per-user quota, NoSuchEntity for unknown users
 * and keys, per-principal AccessDenied, role trust and session durations for AssumeRole.
 */
import { authorize, policyPrincipalArn, type Principal } from './auth';
import { awsErrors } from './errors';
import {
  type AccessKeyRecord,
  type AccessKeyStatus,
  assumedRoleArn,
  awsId,
  newSecretAccessKey,
  newSessionToken,
  type StateStore,
  type UserRecord,
} from './state';
import { awsTimestamp, leaf, list, node, type ServiceName, type Xml } from './xml';

export const ACCESS_KEYS_PER_USER = 2;

export interface OperationContext {
  store: StateStore;
  principal: Principal;
  params: URLSearchParams;
}

/** Result members, or `undefined` for actions whose response carries only ResponseMetadata. */
export type Operation = (ctx: OperationContext) => Xml[] | undefined;

function param(ctx: OperationContext, name: string): string | undefined {
  const value = ctx.params.get(name);
  return value === null || value === '' ? undefined : value;
}

function required(ctx: OperationContext, name: string, field: string): string {
  const value = param(ctx, name);
  if (value === undefined) throw awsErrors.missingParameter(field);
  return value;
}

/** `UserName` if given, else the calling user; temporary credentials must name the user. */
function targetUser(ctx: OperationContext): UserRecord {
  const given = param(ctx, 'UserName');
  if (given === undefined && ctx.principal.kind !== 'user') {
    throw awsErrors.validation('Must specify userName when calling with non-User credentials');
  }
  const userName = given ?? (ctx.principal.kind === 'user' ? ctx.principal.userName : '');
  const user = ctx.store.state.users[userName];
  if (user === undefined) throw awsErrors.noSuchUser(userName);
  return user;
}

/** Authorization is decided on the resource before existence is revealed, as IAM does. */
function authorizeOnUser(ctx: OperationContext, action: string): UserRecord {
  const given = param(ctx, 'UserName');
  const name = given ?? (ctx.principal.kind === 'user' ? ctx.principal.userName : undefined);
  if (name !== undefined) {
    // IAM names a user resource as `user <name>` in AccessDenied messages.
    authorize(ctx.store, ctx.principal, action, `user ${name}`);
  }
  return targetUser(ctx);
}

function keysOf(ctx: OperationContext, userName: string): AccessKeyRecord[] {
  return Object.values(ctx.store.state.accessKeys)
    .filter((k) => k.userName === userName)
    .sort((a, b) => a.createDate - b.createDate);
}

function ownedKey(ctx: OperationContext, user: UserRecord, accessKeyId: string): AccessKeyRecord {
  const key = ctx.store.state.accessKeys[accessKeyId];
  if (key === undefined || key.userName !== user.userName) throw awsErrors.noSuchAccessKey(accessKeyId);
  return key;
}

function parseStatus(value: string): AccessKeyStatus {
  if (value === 'Active' || value === 'Inactive') return value;
  throw awsErrors.validation(
    `1 validation error detected: Value '${value}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]`,
  );
}

/** Creates a key for `user`, enforcing the quota and the current propagation delay. */
export function createAccessKeyRecord(
  store: StateStore,
  userName: string,
  options: { accessKeyId?: string; secretAccessKey?: string; status?: AccessKeyStatus; propagate: boolean },
): AccessKeyRecord {
  const state = store.state;
  const existing = Object.values(state.accessKeys).filter((k) => k.userName === userName).length;
  if (existing >= ACCESS_KEYS_PER_USER) throw awsErrors.accessKeyQuota(ACCESS_KEYS_PER_USER);
  const now = store.now();
  const key: AccessKeyRecord = {
    accessKeyId: options.accessKeyId ?? awsId('AKIA', 20),
    secretAccessKey: options.secretAccessKey ?? newSecretAccessKey(),
    userName,
    status: options.status ?? 'Active',
    createDate: now,
  };
  const { rejectUses, delayMs } = state.keyPropagation;
  if (options.propagate && (rejectUses > 0 || delayMs > 0)) {
    key.pending = { rejectUsesRemaining: rejectUses, visibleAt: now + delayMs };
  }
  state.accessKeys[key.accessKeyId] = key;
  store.save();
  return key;
}

const accessKeyMetadata = (k: AccessKeyRecord): Xml[] => [
  leaf('UserName', k.userName),
  leaf('AccessKeyId', k.accessKeyId),
  leaf('Status', k.status),
  leaf('CreateDate', awsTimestamp(k.createDate)),
];

export const iamOperations: Record<string, Operation> = {
  ListAccessKeys(ctx) {
    const user = authorizeOnUser(ctx, 'iam:ListAccessKeys');
    return [list('AccessKeyMetadata', keysOf(ctx, user.userName).map(accessKeyMetadata)), leaf('IsTruncated', false)];
  },

  CreateAccessKey(ctx) {
    const user = authorizeOnUser(ctx, 'iam:CreateAccessKey');
    const key = createAccessKeyRecord(ctx.store, user.userName, { propagate: true });
    return [
      node(
        'AccessKey',
        leaf('UserName', key.userName),
        leaf('AccessKeyId', key.accessKeyId),
        leaf('Status', key.status),
        leaf('SecretAccessKey', key.secretAccessKey),
        leaf('CreateDate', awsTimestamp(key.createDate)),
      ),
    ];
  },

  DeleteAccessKey(ctx) {
    const accessKeyId = required(ctx, 'AccessKeyId', 'accessKeyId');
    const user = authorizeOnUser(ctx, 'iam:DeleteAccessKey');
    const key = ownedKey(ctx, user, accessKeyId);
    delete ctx.store.state.accessKeys[key.accessKeyId];
    ctx.store.state.deletedAccessKeyIds.push(key.accessKeyId);
    ctx.store.save();
    return undefined;
  },

  UpdateAccessKey(ctx) {
    const accessKeyId = required(ctx, 'AccessKeyId', 'accessKeyId');
    const status = parseStatus(required(ctx, 'Status', 'status'));
    const user = authorizeOnUser(ctx, 'iam:UpdateAccessKey');
    const key = ownedKey(ctx, user, accessKeyId);
    key.status = status;
    ctx.store.save();
    return undefined;
  },

  GetUser(ctx) {
    const user = authorizeOnUser(ctx, 'iam:GetUser');
    return [
      node(
        'User',
        leaf('Path', '/'),
        leaf('UserName', user.userName),
        leaf('UserId', user.userId),
        leaf('Arn', user.arn),
        leaf('CreateDate', awsTimestamp(user.createDate)),
      ),
    ];
  },

  GetAccessKeyLastUsed(ctx) {
    const accessKeyId = required(ctx, 'AccessKeyId', 'accessKeyId');
    const key = ctx.store.state.accessKeys[accessKeyId];
    const owner = key === undefined ? undefined : ctx.store.state.users[key.userName];
    authorize(ctx.store, ctx.principal, 'iam:GetAccessKeyLastUsed', `user ${owner?.userName ?? '*'}`);
    if (key === undefined) throw awsErrors.noSuchAccessKey(accessKeyId);
    const used = key.lastUsed;
    return [
      leaf('UserName', key.userName),
      node(
        'AccessKeyLastUsed',
        leaf('LastUsedDate', used === undefined ? undefined : awsTimestamp(used.date)),
        leaf('ServiceName', used?.serviceName ?? 'N/A'),
        leaf('Region', used?.region ?? 'N/A'),
      ),
    ];
  },
};

const MIN_SESSION_SECONDS = 900;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export const stsOperations: Record<string, Operation> = {
  // Needs no permission in AWS: even a principal denied everything may ask who it is.
  GetCallerIdentity(ctx) {
    return [
      leaf('Arn', ctx.principal.arn),
      leaf('UserId', ctx.principal.userId),
      leaf('Account', ctx.store.state.accountId),
    ];
  },

  AssumeRole(ctx) {
    const state = ctx.store.state;
    const requestedArn = required(ctx, 'RoleArn', 'roleArn');
    const sessionName = required(ctx, 'RoleSessionName', 'roleSessionName');
    if (!SESSION_NAME.test(sessionName)) {
      throw awsErrors.validation(
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const durationParam = param(ctx, 'DurationSeconds');
    const duration = durationParam === undefined ? 3600 : Number(durationParam);
    if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS) {
      throw awsErrors.validation(
        `1 validation error detected: Value '${durationParam ?? ''}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_SESSION_SECONDS}`,
      );
    }
    authorize(ctx.store, ctx.principal, 'sts:AssumeRole', requestedArn);
    const role = Object.values(state.roles).find((r) => r.arn === requestedArn);
    const caller = policyPrincipalArn(ctx.principal);
    const trusted =
      role !== undefined &&
      (role.trustedPrincipals.includes(caller) || role.trustedPrincipals.includes(`arn:aws:iam::${state.accountId}:root`));
    if (role === undefined || !trusted) throw awsErrors.accessDenied(ctx.principal.arn, 'sts:AssumeRole', requestedArn);
    if (duration > role.maxSessionDurationSeconds) {
      throw awsErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    const session = {
      accessKeyId: awsId('ASIA', 20),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      roleName: role.roleName,
      sessionName,
      expiration: ctx.store.now() + duration * 1000,
    };
    state.sessions[session.accessKeyId] = session;
    ctx.store.save();
    return [
      node(
        'Credentials',
        leaf('AccessKeyId', session.accessKeyId),
        leaf('SecretAccessKey', session.secretAccessKey),
        leaf('SessionToken', session.sessionToken),
        leaf('Expiration', awsTimestamp(session.expiration)),
      ),
      node(
        'AssumedRoleUser',
        leaf('AssumedRoleId', `${role.roleId}:${sessionName}`),
        leaf('Arn', assumedRoleArn(state.accountId, role.roleName, sessionName)),
      ),
    ];
  },
};

export const operationsByService: Record<ServiceName, Record<string, Operation>> = {
  iam: iamOperations,
  sts: stsOperations,
};
