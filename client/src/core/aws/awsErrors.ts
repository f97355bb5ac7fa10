/**
 * Maps AWS SDK errors to located, actionable CoreErrors. AWS error messages can echo request
 * parameters but never secret keys, so their text is kept as detail. Network failures are
 * named for what happened: no answer in time (timeout), no connection, or a connection the
 * endpoint dropped — a dropped connection is not a timeout.
 */
import { CoreError, type ErrorLocation } from '../errors';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** The reason `awsSend` aborts a call with when the call's own deadline passed. */
export class AwsCallTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${formatMs(timeoutMs)}`);
    this.name = 'AwsCallTimeout';
  }
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
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

export type NetworkFailure = 'timeout' | 'connect-timeout' | 'dropped' | 'refused' | 'unreachable';

/** What went wrong on the wire, when no HTTP response arrived; undefined for AWS's own errors. */
export function networkFailure(e: unknown): NetworkFailure | undefined {
  if (e instanceof AwsCallTimeout) return 'timeout';
  if (httpStatus(e) !== undefined) return undefined;
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  const message = (e as Error)?.message ?? '';
  if (/did not establish a connection/.test(message)) return 'connect-timeout';
  if (code === 'ETIMEDOUT' || /exceeded the configured \d+ ms requestTimeout|socket timed out/i.test(message)) return 'timeout';
  if (['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(code) || /socket hang up|ECONNRESET|EPIPE|premature close/i.test(message)) return 'dropped';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return 'refused';
  if (['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return 'unreachable';
  return undefined;
}

function describeNetworkFailure(kind: NetworkFailure, e: unknown): string {
  switch (kind) {
    case 'timeout':
      return e instanceof AwsCallTimeout ? `timed out: ${e.message} (the endpoint did not answer)` : 'timed out: the endpoint accepted the request but sent no response in time';
    case 'connect-timeout':
      return 'timed out connecting: no connection to the endpoint could be established in time';
    case 'dropped':
      return `the connection was dropped by the endpoint (or a proxy) before a response arrived (${(e as NodeJS.ErrnoException)?.code ?? awsErrorName(e)})`;
    case 'refused':
      return 'the connection was refused: nothing listens at the endpoint';
    case 'unreachable':
      return `the endpoint cannot be reached (${(e as NodeJS.ErrnoException)?.code ?? 'network error'})`;
  }
}

/** Throttling, 5xx and network failures: the request may be retried (if idempotent). */
export function isTransient(e: unknown): boolean {
  const name = awsErrorName(e);
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) return true;
  if (['ServiceUnavailable', 'InternalFailure', 'InternalError', 'ServiceFailure', 'TimeoutError', 'RequestTimeout'].includes(name)) return true;
  const status = httpStatus(e);
  if (status !== undefined && status >= 500) return true;
  if (networkFailure(e) !== undefined) return true;
  if (status === undefined && (e as SdkErrorShape)?.$fault === undefined && /network/i.test((e as Error)?.message ?? '')) return true;
  return false;
}

/**
 * True when the request certainly had no effect: AWS answered with a 4xx error. A network
 * failure, a timeout or a 5xx leaves it open whether AWS carried the request out.
 */
export function certainlyNotPerformed(e: unknown): boolean {
  const status = httpStatus(e);
  return status !== undefined && status >= 400 && status < 500;
}

export function explainAwsError(e: unknown, location: ErrorLocation, subject: string): CoreError {
  if (e instanceof CoreError) return e;
  const name = awsErrorName(e);
  const detail = (e as Error)?.message ?? String(e);
  const op = location.operation ?? 'AWS';
  const action = op.startsWith('iam:') || op.startsWith('sts:') ? op : undefined;
  const network = networkFailure(e);
  switch (true) {
    case network !== undefined:
      return new CoreError('AwsUnavailable', `${subject}: ${describeNetworkFailure(network!, e)}`, location, 'check the network/proxy and the endpoint, then try again; nothing was changed that the next run cannot recover', { cause: e });
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
