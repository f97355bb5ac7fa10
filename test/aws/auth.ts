/**
 * Who is calling: turns a SigV4-signed request into a principal (an IAM user via a long-term
 * key, or an assumed role via AssumeRole's temporary credentials) or the error AWS gives.
 */
import { awsErrors } from './errors';
import { amzDateToMs, type ParsedAuthorization, requestAmzDate, type SignedRequest, signatureMatches } from './sigv4';
import { assumedRoleArn, roleArn, type StateStore } from './state';

export interface UserPrincipal {
  kind: 'user';
  arn: string;
  userId: string;
  userName: string;
  accessKeyId: string;
}

export interface AssumedRolePrincipal {
  kind: 'assumed-role';
  arn: string;
  /** `AROA…:<session name>`, as GetCallerIdentity reports it. */
  userId: string;
  roleArn: string;
  roleName: string;
  sessionName: string;
  accessKeyId: string;
}

export type Principal = UserPrincipal | AssumedRolePrincipal;

/** The ARN the allow-list and role trust are keyed by (an assumed role acts as its role). */
export function policyPrincipalArn(principal: Principal): string {
  return principal.kind === 'user' ? principal.arn : principal.roleArn;
}

export interface AuthOptions {
  /** Requests signed further than this from the wall clock are refused (AWS: 15 minutes). */
  maxClockSkewMs: number;
}

function headerString(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function authenticate(
  store: StateStore,
  request: SignedRequest,
  auth: ParsedAuthorization,
  options: AuthOptions,
): Principal {
  const amzDate = requestAmzDate(request.headers);
  if (auth.date !== amzDate.slice(0, 8)) {
    throw awsErrors.incompleteSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const signedAt = amzDateToMs(amzDate);
  const wallNow = Date.now();
  if (Math.abs(wallNow - signedAt) > options.maxClockSkewMs) {
    const nowStamp = new Date(wallNow).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
    throw awsErrors.signatureExpired(amzDate, nowStamp, Math.round(options.maxClockSkewMs / 60000));
  }

  const state = store.state;
  const token = headerString(request, 'x-amz-security-token');
  const session = state.sessions[auth.accessKeyId];
  if (session !== undefined) {
    if (token !== session.sessionToken) throw awsErrors.invalidClientTokenId();
    if (!signatureMatches(request, auth, session.secretAccessKey)) throw awsErrors.signatureDoesNotMatch();
    if (session.expiration <= store.now()) throw awsErrors.expiredToken();
    const role = state.roles[session.roleName];
    return {
      kind: 'assumed-role',
      arn: assumedRoleArn(state.accountId, session.roleName, session.sessionName),
      userId: `${role?.roleId ?? 'AROAUNKNOWNROLE'}:${session.sessionName}`,
      roleArn: roleArn(state.accountId, session.roleName),
      roleName: session.roleName,
      sessionName: session.sessionName,
      accessKeyId: session.accessKeyId,
    };
  }

  const key = state.accessKeys[auth.accessKeyId];
  if (key === undefined || key.status !== 'Active' || token !== undefined) throw awsErrors.invalidClientTokenId();
  if (key.pending !== undefined) {
    // Eventual consistency: IAM created the key, but the authentication service has not heard of it yet.
    const stillPending = key.pending.rejectUsesRemaining > 0 || store.now() < key.pending.visibleAt;
    if (stillPending) {
      if (key.pending.rejectUsesRemaining > 0) key.pending.rejectUsesRemaining -= 1;
      store.save();
      throw awsErrors.invalidClientTokenId();
    }
    delete key.pending;
  }
  if (!signatureMatches(request, auth, key.secretAccessKey)) throw awsErrors.signatureDoesNotMatch();
  const user = state.users[key.userName];
  if (user === undefined) throw awsErrors.invalidClientTokenId();
  key.lastUsed = { date: store.now(), serviceName: auth.service, region: auth.region };
  store.save();
  return { kind: 'user', arn: user.arn, userId: user.userId, userName: user.userName, accessKeyId: key.accessKeyId };
}

/** Default allow; a principal with an allow-list may call only what it lists. */
export function authorize(store: StateStore, principal: Principal, action: string, resourceArn: string): void {
  const allowed = store.state.permissions[policyPrincipalArn(principal)];
  if (allowed === undefined) return;
  const service = action.split(':')[0] ?? '';
  if (allowed.includes(action) || allowed.includes(`${service}:*`) || allowed.includes('*')) return;
  throw awsErrors.accessDenied(principal.arn, action, resourceArn);
}
