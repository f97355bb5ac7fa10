/**
 * Errors the local AWS endpoint answers with, shaped like AWS's own: a code, an HTTP status,
 * a `Sender`/`Receiver` type and a message worded the way IAM/STS word it, so that the SDK
 * maps them to the same exception classes and retry decisions as against real AWS.
 */
export type ErrorType = 'Sender' | 'Receiver';

export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: ErrorType = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export const awsErrors = {
  missingAuthenticationToken: (): AwsError =>
    new AwsError('MissingAuthenticationToken', 403, 'Missing Authentication Token'),
  incompleteSignature: (detail: string): AwsError =>
    new AwsError('IncompleteSignature', 400, detail),
  invalidClientTokenId: (): AwsError =>
    new AwsError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
  expiredToken: (): AwsError =>
    new AwsError('ExpiredToken', 403, 'The security token included in the request is expired'),
  signatureDoesNotMatch: (): AwsError =>
    new AwsError(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    ),
  signatureExpired: (signedAt: string, now: string, skewMinutes: number): AwsError =>
    new AwsError(
      'SignatureDoesNotMatch',
      403,
      `Signature expired: ${signedAt} is now earlier than ${now} (${now} - ${skewMinutes} min.)`,
    ),
  accessDenied: (principalArn: string, action: string, resource: string): AwsError =>
    new AwsError(
      'AccessDenied',
      403,
      `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ` +
        `because no identity-based policy allows the ${action} action`,
    ),
  noSuchUser: (userName: string): AwsError =>
    new AwsError('NoSuchEntity', 404, `The user with name ${userName} cannot be found.`),
  noSuchAccessKey: (accessKeyId: string): AwsError =>
    new AwsError('NoSuchEntity', 404, `The Access Key with id ${accessKeyId} cannot be found.`),
  accessKeyQuota: (quota: number): AwsError =>
    new AwsError('LimitExceeded', 409, `Cannot exceed quota for AccessKeysPerUser: ${quota}`),
  validation: (message: string): AwsError => new AwsError('ValidationError', 400, message),
  missingParameter: (field: string): AwsError =>
    new AwsError(
      'ValidationError',
      400,
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    ),
  invalidAction: (action: string, version: string): AwsError =>
    new AwsError('InvalidAction', 400, `Could not find operation ${action} for version ${version}`),
  throttling: (): AwsError => new AwsError('Throttling', 400, 'Rate exceeded'),
  serviceUnavailable: (): AwsError =>
    new AwsError('ServiceUnavailable', 503, 'Service is unavailable. Please try again later.'),
  internalFailure: (): AwsError =>
    new AwsError('InternalFailure', 500, 'The request processing has failed because of an unknown error, exception or failure.'),
} as const;
