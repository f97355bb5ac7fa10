/**
 * AWS SDK clients for the rotation core and its providers, and `awsSend`, the one way the core calls AWS. Endpoints
 * come from the SDK's standard settings (`AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL_STS` /
 * `AWS_ENDPOINT_URL`) or from an explicit override the extension passes from its settings; the
 * code path is the same for real AWS and for any compatible endpoint.
 *
 * Deadlines: the SDK's `requestTimeout` (@smithy/node-http-handler 4.x) only logs a warning
 * unless `throwOnRequestTimeout` is set, and bounds one attempt, not a call with its retries.
 * So every call gets its own deadline, an AbortSignal that fires `callTimeoutMs` after the call
 * starts (or when the caller's signal — cancellation, the rotation's overall deadline — fires);
 * the SDK destroys the socket on abort and the call rejects. Per attempt, the handler also gets
 * a connect timeout and a throwing response timeout.
 */
import type { AwsCredentials } from '../keychain';
import type * as Sdk from './sdk';
import { AwsCallTimeout } from './awsErrors';

let sdk: typeof Sdk | undefined;

/** The AWS SDK, loaded on first use (see ./sdk: commands that make no AWS call never load it). */
export function awsSdk(): typeof Sdk {
  // A synchronous require keeps every caller synchronous; the bundler maps './sdk' to dist/aws-sdk.js.
  return (sdk ??= require('./sdk') as typeof Sdk);
}

export interface AwsSettings {
  /** Explicit IAM endpoint URL (otherwise the SDK's standard resolution applies). */
  iamEndpoint?: string;
  /** Explicit STS endpoint URL. */
  stsEndpoint?: string;
  /** Region for STS calls that have no region of their own (aws-login). Default: AWS_REGION or us-east-1. */
  defaultRegion?: string;
  /** Attempts for retryable calls (throttling, 5xx, dropped connections). Default 3. */
  maxAttempts?: number;
  /** Deadline for a connection to be established, per attempt (ms). Default 5000. */
  connectTimeoutMs?: number;
  /** Deadline for the response once the request is sent, per attempt (ms). Default 15000. */
  requestTimeoutMs?: number;
  /** Deadline for one call including the SDK's retries (ms). Default: attempts × (connect + request). */
  callTimeoutMs?: number;
  /** Verification of a new key through STS: attempts and first delay (doubles, capped). */
  verifyAttempts?: number;
  verifyInitialDelayMs?: number;
  verifyMaxDelayMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 15000;
export const DEFAULT_MAX_ATTEMPTS = 3;

export function defaultRegion(settings: AwsSettings): string {
  return settings.defaultRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** The longest one call may take (its retries included): after that, `awsSend` aborts it. */
export function callTimeoutMs(settings: AwsSettings, attempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS): number {
  return settings.callTimeoutMs ?? attempts * ((settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) + (settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
}

/**
 * The configuration every AWS SDK client of the core is built from (IAM, STS, and the
 * aws-secrets / aws-parameter-store providers' clients): region, credentials, attempts, and the
 * per-attempt connect and throwing response deadlines. One place, so no client goes without them.
 */
export function clientConfig(settings: AwsSettings, credentials: AwsCredentials | undefined, region: string, maxAttempts: number = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) {
  return {
    region,
    ...(credentials ? { credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken } } : {}),
    maxAttempts,
    requestHandler: {
      connectionTimeout: settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}

/** IAM client with retries for idempotent/read calls (SDK standard retry: throttling, 5xx, transient network errors). */
export function iamClient(settings: AwsSettings, credentials: AwsCredentials, region: string): Sdk.IAMClient {
  return new (awsSdk().IAMClient)({ ...clientConfig(settings, credentials, region, settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS), ...(settings.iamEndpoint ? { endpoint: settings.iamEndpoint } : {}) });
}

/**
 * IAM client that never retries: used for `CreateAccessKey`, which is not idempotent (a retry
 * after a lost response would create a second key, and the SDK would retry LimitExceeded).
 * The caller reconciles with `ListAccessKeys` instead.
 */
export function iamClientNoRetry(settings: AwsSettings, credentials: AwsCredentials, region: string): Sdk.IAMClient {
  return new (awsSdk().IAMClient)({ ...clientConfig(settings, credentials, region, 1), ...(settings.iamEndpoint ? { endpoint: settings.iamEndpoint } : {}) });
}

export function stsClient(settings: AwsSettings, credentials: AwsCredentials, region: string, maxAttempts?: number): Sdk.STSClient {
  return new (awsSdk().STSClient)({ ...clientConfig(settings, credentials, region, maxAttempts ?? settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS), ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}) });
}

/**
 * Runs one AWS call (`send` gets the abort signal to pass to the SDK) with a deadline that
 * throws: `AwsCallTimeout` when the call's own deadline fired, the caller signal's reason
 * (cancellation, the rotation's deadline) when that fired. Every AWS call of the core goes here.
 */
export async function awsSend<Out>(send: (options: { abortSignal: AbortSignal }) => Promise<Out>, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<Out> {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new AwsCallTimeout(options.timeoutMs)), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([own.signal, options.signal]) : own.signal;
  try {
    return await send({ abortSignal: signal });
  } catch (e) {
    // The SDK reports an abort as a generic AbortError: say which deadline (or cancellation) it was.
    if (signal.aborted) throw signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * STS client that signs nothing: AssumeRoleWithWebIdentity is authorised by its token alone,
 * so it works where no AWS credentials exist at all (a CI runner with only its OIDC token).
 */
export function stsClientWithoutCredentials(settings: AwsSettings, region: string): Sdk.STSClient {
  return new (awsSdk().STSClient)({ ...clientConfig(settings, undefined, region, settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS), ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}) });
}
