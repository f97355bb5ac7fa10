/**
 * Maps AWS SDK errors to located, actionable CoreErrors. AWS error messages can echo request
 * parameters but never secret keys, so their text is kept as detail.
 */
import { CoreError, type ErrorLocation } from '../errors';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function awsErrorName(e: unknown): string {
  const s = e as SdkErrorShape;
  return s?.name ?? s?.code ?? 'Error';
}

export function httpStatus(e: unknown): number | undefined {
  return (e as SdkErrorShape)?.$metadata?.httpStatusCode;
}

/** Credentials not (yet) accepted: unknown/inactive/deleted key, or a key still propagating. */
export function isInvalidCredentials(e: unknown): boolean {
  return ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'AuthFailure'].includes(awsErrorName(e));
}

/** Throttling, 5xx and network failures: the request may be retried (if idempotent). */
export function isTransient(e: unknown): boolean {
  const name = awsErrorName(e);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) return true;
  if (['ServiceUnavailable', 'InternalFailure', 'InternalError', 'ServiceFailure', 'TimeoutError', 'RequestTimeout'].includes(name)) return true;
  const status = httpStatus(e);
  if (status !== undefined && status >= 500) return true;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED'].includes(code)) return true;
  if (status === undefined && (e as SdkErrorShape)?.$fault === undefined && /socket hang up|ECONNRESET|network|timeout/i.test((e as Error)?.message ?? '')) return true;
  return false;
}

export function explainAwsError(e: unknown, location: ErrorLocation, subject: string): CoreError {
  if (e instanceof CoreError) return e;
  const name = awsErrorName(e);
  const detail = (e as Error)?.message ?? String(e);
  const op = location.operation ?? 'AWS';
  const action = op.startsWith('iam:') || op.startsWith('sts:') ? op : undefined;
  switch (true) {
    case /AccessDenied/.test(name):
      return new CoreError('AwsAccessDenied', `access denied for ${subject} (${detail})`, location, action ? `allow \`${action}\` for the managing credentials' principal on this resource` : 'check the IAM policy of the managing credentials', { cause: e });
    case /NoSuchEntity/.test(name):
      return new CoreError('AwsNoSuchEntity', `${subject}: AWS reports it does not exist (${detail})`, location, 'check the ARN/user name in the environment (userArn) and that it is in the account of the managing credentials', { cause: e });
    case /LimitExceeded/.test(name):
      return new CoreError('AwsLimitExceeded', `${subject}: AWS quota reached (${detail})`, location, 'an IAM user can have at most 2 access keys; delete the key this environment does not manage (or add it to the state) and rotate again', { cause: e });
    case isInvalidCredentials(e) || name === 'ExpiredToken' || name === 'ExpiredTokenException':
      return new CoreError('AwsInvalidCredentials', `${subject}: the credentials were rejected by AWS (${name})`, location, 'store valid managing credentials (ESC: Store Managing Credentials / `esc-local credentials set`), or check the login in the environment', { cause: e });
    case isTransient(e):
      return new CoreError('AwsUnavailable', `${subject}: AWS did not answer successfully after retries (${name}: ${detail})`, location, 'try again later; nothing was changed that the next run cannot recover', { cause: e });
    default:
      return new CoreError('AwsError', `${subject}: ${name}: ${detail}`, location, undefined, { cause: e });
  }
}
