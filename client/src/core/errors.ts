/**
 * Errors the rotation core reports to its callers (extension, CLI). Every error says what
 * happened, where (environment, document path, AWS call), and what the user can do about it.
 * Messages never contain secret values: callers may show or log them verbatim.
 */

export type CoreErrorCode =
  | 'KeychainUnavailable'
  | 'KeychainMissingEntry'
  | 'DataKeyMissing'
  | 'EnvironmentNotFound'
  | 'InvalidInput'
  | 'Locked'
  | 'Drift'
  | 'AwsAccessDenied'
  | 'AwsNoSuchEntity'
  | 'AwsLimitExceeded'
  | 'AwsInvalidCredentials'
  | 'AwsUnavailable'
  | 'AwsError'
  | 'DbInvalidCredentials'
  | 'DbAccessDenied'
  | 'DbNoSuchUser'
  | 'DbUnavailable'
  | 'DbTlsFailed'
  | 'DbError'
  | 'VerificationFailed'
  | 'EvaluationFailed'
  | 'HistoryError'
  | 'RollbackRefused'
  | 'Cancelled'
  | 'DeadlineExceeded'
  | 'InjectedCrash';

export interface ErrorLocation {
  /** Environment name (path under the environments root without extension). */
  environment?: string;
  /** ESC property path of the `fn::rotate` / `fn::open` node, e.g. `values.iam`. */
  path?: string;
  /** The AWS API call or database step that failed, e.g. `iam:CreateAccessKey`, `postgres:set-password`. */
  operation?: string;
  /** A file involved (journal, lock, history). */
  file?: string;
}

export class CoreError extends Error {
  readonly code: CoreErrorCode;
  readonly location: ErrorLocation;
  /** What the user can do about it (one or two sentences). */
  readonly hint?: string;

  constructor(code: CoreErrorCode, message: string, location: ErrorLocation = {}, hint?: string, options?: { cause?: unknown }) {
    super(CoreError.compose(message, location, hint), options);
    this.name = 'CoreError';
    this.code = code;
    this.location = location;
    this.hint = hint;
  }

  private static compose(message: string, location: ErrorLocation, hint?: string): string {
    const where: string[] = [];
    if (location.environment !== undefined) where.push(`environment ${location.environment}`);
    if (location.path !== undefined) where.push(location.path);
    if (location.operation !== undefined) where.push(location.operation);
    const prefix = where.length > 0 ? `${where.join(', ')}: ` : '';
    return `${prefix}${message}${hint ? ` — ${hint}` : ''}`;
  }
}

export function isCoreError(e: unknown): e is CoreError {
  return e instanceof CoreError;
}

/** A message safe to show for any thrown value (no stack, no secrets from our own errors). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
