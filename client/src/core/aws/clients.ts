/**
 * AWS SDK clients for the core. Endpoints come from the SDK's standard settings
 * (`AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`) or from an explicit
 * override the extension passes from its settings; the code path is the same for real AWS and
 * for any compatible endpoint.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials } from '../keychain';

export interface AwsSettings {
  /** Explicit IAM endpoint URL (otherwise the SDK's standard resolution applies). */
  iamEndpoint?: string;
  /** Explicit STS endpoint URL. */
  stsEndpoint?: string;
  /** Region for STS calls that have no region of their own (aws-login). Default: AWS_REGION or us-east-1. */
  defaultRegion?: string;
  /** Attempts for retryable calls (throttling, 5xx, dropped connections). Default 5. */
  maxAttempts?: number;
  /** Per-request timeout in ms. Default 15000. */
  requestTimeoutMs?: number;
  /** Verification of a new key through STS: attempts and first delay (doubles, capped). */
  verifyAttempts?: number;
  verifyInitialDelayMs?: number;
  verifyMaxDelayMs?: number;
}

export function defaultRegion(settings: AwsSettings): string {
  return settings.defaultRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

function common(settings: AwsSettings, credentials: AwsCredentials, region: string, maxAttempts: number) {
  return {
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    maxAttempts,
    requestHandler: { requestTimeout: settings.requestTimeoutMs ?? 15000, connectionTimeout: 5000 },
  };
}

/** IAM client with retries for idempotent/read calls (SDK standard retry: throttling, 5xx, transient network errors). */
export function iamClient(settings: AwsSettings, credentials: AwsCredentials, region: string): IAMClient {
  return new IAMClient({ ...common(settings, credentials, region, settings.maxAttempts ?? 5), ...(settings.iamEndpoint ? { endpoint: settings.iamEndpoint } : {}) });
}

/**
 * IAM client that never retries: used for `CreateAccessKey`, which is not idempotent (a retry
 * after a lost response would create a second key, and the SDK would retry LimitExceeded).
 * The caller reconciles with `ListAccessKeys` instead.
 */
export function iamClientNoRetry(settings: AwsSettings, credentials: AwsCredentials, region: string): IAMClient {
  return new IAMClient({ ...common(settings, credentials, region, 1), ...(settings.iamEndpoint ? { endpoint: settings.iamEndpoint } : {}) });
}

export function stsClient(settings: AwsSettings, credentials: AwsCredentials, region: string, maxAttempts?: number): STSClient {
  return new STSClient({ ...common(settings, credentials, region, maxAttempts ?? settings.maxAttempts ?? 5), ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}) });
}
