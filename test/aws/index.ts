/**
 * Local AWS endpoint for tests: IAM + STS over the AWS Query protocol on 127.0.0.1, with real
 * SigV4 verification, AWS's XML and error shapes, the 2-keys-per-user quota, and injectable
 * faults. Point the real SDK at it with `endpoint` client config or with the standard
 * `AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL_STS` variables — product code needs no test branch.
 *
 * ## In-process
 * ```ts
 * const aws = await startAwsEndpoint({ stateFile?: string, port?: 0, accountId?: '123456789012' });
 * aws.url                                    // http://127.0.0.1:<port>
 * await aws.admin.createUser('alice');       // or aws.control.createUser('alice') (sync)
 * const key = await aws.admin.createAccessKey({ userName: 'alice' }); // {accessKeyId, secretAccessKey, …}
 * const iam = new IAMClient(aws.clientConfig(key));  // {endpoint, region: 'us-east-1', credentials}
 * spawn('node', [...], { env: { ...process.env, ...aws.sdkEnv(key) } }); // AWS_ENDPOINT_URL_IAM/STS + keys
 * await aws.close();
 * ```
 *
 * ## As a separate process (extension e2e, demo, crash tests)
 * `node out/test/aws/main.js [--port N] [--state FILE] [--account ID]` prints one JSON line
 * `{"url":"http://127.0.0.1:N","port":N,"accountId":"…","pid":…}` once listening; SIGTERM/SIGINT
 * stop it. Drive it with `new AwsAdminClient(url)` (same `AwsAdmin` interface) or plain HTTP:
 *
 * | route                                   | body (JSON)                                            |
 * |-----------------------------------------|--------------------------------------------------------|
 * | GET    /__admin/state                   | → StateView (users, keys, roles… never secrets)        |
 * | POST   /__admin/users                   | {userName} → UserView                                  |
 * | POST   /__admin/access-keys             | {userName, accessKeyId?, secretAccessKey?, status?}    |
 * |                                         |   → CreatedAccessKey (with its secret)                 |
 * | DELETE /__admin/access-keys/:id         | out-of-band deletion (drift)                           |
 * | POST   /__admin/access-keys/:id/status  | {status: 'Active'|'Inactive'}                          |
 * | POST   /__admin/roles                   | {roleName, trustedPrincipals[], maxSessionDurationSeconds?} |
 * | POST   /__admin/permissions             | {principalArn, allowedActions: string[] | null}        |
 * | POST   /__admin/key-propagation         | {rejectUses, delayMs}                                  |
 * | POST   /__admin/faults                  | FaultSpec → ActiveFault;  GET lists, DELETE clears     |
 * | GET    /__admin/requests                | → RequestLogEntry[];  DELETE clears                    |
 * | POST   /__admin/clock                   | {advanceMs} moves expiry/propagation clock forward     |
 * | POST   /__admin/reset                   | forget everything but the account id                   |
 *
 * ## AWS behaviour
 * - IAM: ListAccessKeys, CreateAccessKey, DeleteAccessKey, UpdateAccessKey, GetUser,
 *   GetAccessKeyLastUsed. STS: GetCallerIdentity, AssumeRole. One port serves both; the SigV4
 *   credential scope's service (`iam`/`sts`) picks the service.
 * - Omitted `UserName` = the calling user; with temporary credentials it is a ValidationError.
 * - Quota: 2 access keys per user → `LimitExceeded` (409). Unknown user/key → `NoSuchEntity` (404).
 * - Unknown, deleted, inactive or still-propagating key, or a missing/wrong session token →
 *   `InvalidClientTokenId` (403); wrong secret → `SignatureDoesNotMatch` (403); expired
 *   temporary credentials → `ExpiredToken` (403); signed > 15 min from now → `SignatureDoesNotMatch`.
 * - Permissions: every principal may do everything unless `setPermissions(arn, [...])` gives it
 *   an allow-list (`iam:CreateAccessKey`, `iam:*`, `*`; an assumed role is keyed by its role
 *   ARN) → `AccessDenied` (403). GetCallerIdentity is always allowed, as in AWS.
 * - AssumeRole: role must exist and trust the caller (its ARN or `arn:aws:iam::<acct>:root`) and
 *   the caller needs `sts:AssumeRole`, else `AccessDenied`; DurationSeconds 900…role max
 *   (default 3600). Returns ASIA… credentials; calls signed with them (plus
 *   `X-Amz-Security-Token`) act as `arn:aws:sts::<acct>:assumed-role/<role>/<session>`.
 *
 * ## Faults (`injectFault`, in-memory, consumed per matching call, first match wins)
 * - `{kind:'throttle', action?, count?}` → `Throttling` 400 "Rate exceeded" (SDK retries it).
 * - `{kind:'serviceUnavailable'|'internalFailure', action?, count?, phase?}` → 503 / 500.
 * - `{kind:'drop', action?, count?, phase?}` → socket destroyed, no response (SDK: ECONNRESET).
 * - `{kind:'delay', action?, delayMs}` → request held, then carried out even if the client left.
 * - `phase:'after'` (5xx, drop): the action IS performed and persisted, only the response is
 *   lost — e.g. a CreateAccessKey whose key exists in IAM but whose secret the client never saw.
 * - `setKeyPropagation({rejectUses, delayMs})`: keys created by CreateAccessKey afterwards are
 *   refused (`InvalidClientTokenId`) for their first `rejectUses` uses and for `delayMs` ms.
 * - `requests()`: log of {seq, service, action, accessKeyId, principalArn, params (UserName,
 *   AccessKeyId, Status, RoleArn, RoleSessionName, DurationSeconds), status, errorCode, fault};
 *   status 0 = dropped. Never a secret.
 *
 * ## What the real SDK (v3, 3.1169) does against it — verified by test/unit/aws-endpoint*.test.ts
 * - Retried by default (3 attempts): Throttling, 500/503, dropped connections (ECONNRESET) and
 *   also `LimitExceeded` (the SDK treats it as throttling) — so use `maxAttempts: 1` for
 *   CreateAccessKey. Not retried: InvalidClientTokenId (a propagating key: back off yourself),
 *   SignatureDoesNotMatch, AccessDenied, NoSuchEntity, ValidationError.
 * - A request signed > 15 min off fails once with "Signature expired"; the SDK then adopts the
 *   server's clock (Date header) and the next call succeeds.
 * - Modeled errors come back as `LimitExceededException`/`NoSuchEntityException` (with
 *   `Code`/`Type` fields); unmodeled ones are named by their code (`InvalidClientTokenId`).
 *   `test/aws/sdk-assert.ts#expectAwsError` checks either way.
 *
 * ## State file
 * With `stateFile`/`--state`, AWS's state (users, keys WITH their secrets, roles, sessions,
 * allow-lists, propagation setting, clock offset) is rewritten atomically after every change,
 * before the response is sent, and reloaded on start. It holds secrets by design (it is "AWS"):
 * keep it outside directories whose output is scanned for leaked secrets. Faults and the
 * request log are not persisted.
 */
import { type AwsAdmin, inProcessAdmin } from './admin';
import type { EndpointControl } from './control';
import { type AwsEndpointOptions, startServer } from './server';

export { type AwsAdmin, AwsAdminClient, AwsAdminRequestError } from './admin';
export type {
  AccessKeyView,
  ActiveFault,
  CreateAccessKeyInput,
  CreatedAccessKey,
  CreateRoleInput,
  FaultKind,
  FaultSpec,
  RequestLogEntry,
  RoleView,
  StateView,
  UserView,
} from './control';
export { AdminError, EndpointControl } from './control';
export type { AwsEndpointOptions } from './server';
export type { AccessKeyStatus, KeyPropagationSetting } from './state';

export interface EndpointCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What `new IAMClient(…)` / `new STSClient(…)` need to talk to the endpoint. */
export interface SdkClientConfig {
  endpoint: string;
  region: string;
  credentials: EndpointCredentials;
}

export interface AwsEndpoint {
  readonly url: string;
  readonly port: number;
  readonly accountId: string;
  /** Synchronous, in-process controls. */
  readonly control: EndpointControl;
  /** The same controls behind the promise-based interface the HTTP client also implements. */
  readonly admin: AwsAdmin;
  clientConfig(credentials: EndpointCredentials, region?: string): SdkClientConfig;
  /** Environment for a child process using the SDK's standard settings (no test-only code). */
  sdkEnv(credentials?: EndpointCredentials, region?: string): Record<string, string>;
  close(): Promise<void>;
}

export function sdkEnvFor(url: string, credentials?: EndpointCredentials, region = 'us-east-1'): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_IAM: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_REGION: region,
  };
  if (credentials !== undefined) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken !== undefined) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  return env;
}

export async function startAwsEndpoint(options: AwsEndpointOptions = {}): Promise<AwsEndpoint> {
  const { server, port } = await startServer(options);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    accountId: server.control.accountId,
    control: server.control,
    admin: inProcessAdmin(server.control),
    clientConfig: (credentials, region = 'us-east-1') => ({ endpoint: url, region, credentials: { ...credentials } }),
    sdkEnv: (credentials, region) => sdkEnvFor(url, credentials, region),
    close: () => server.close(),
  };
}
