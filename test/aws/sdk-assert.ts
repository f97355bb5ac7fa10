/**
 * Assertions on errors thrown by the real AWS SDK (v3) when it talks to the endpoint: the
 * exception name the SDK chose, the AWS error code and type it parsed from our XML, the HTTP
 * status and how many attempts its retry strategy made.
 */
import { strict as assert } from 'node:assert';

export interface SdkErrorShape {
  name: string;
  message: string;
  /** Parsed from `<Error><Code>`; SDK v3 copies the Query error's fields onto the exception. */
  Code?: string;
  Type?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $fault?: 'client' | 'server';
}

function isSdkError(e: unknown): e is SdkErrorShape {
  return e instanceof Error;
}

/** Awaits `promise`, asserts it rejected with AWS error `code` (and `status` if given), returns the error. */
export async function expectAwsError(
  promise: Promise<unknown>,
  expected: { code: string; status?: number; name?: string; message?: RegExp | string },
): Promise<SdkErrorShape> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected AWS error ${expected.code}, but the call succeeded`);
  assert.ok(isSdkError(caught), `expected an Error, got ${String(caught)}`);
  const err = caught;
  const code = err.Code ?? err.name;
  assert.equal(code, expected.code, `error code (name ${err.name}: ${err.message})`);
  if (expected.name !== undefined) assert.equal(err.name, expected.name);
  if (expected.status !== undefined) assert.equal(err.$metadata?.httpStatusCode, expected.status, 'HTTP status');
  if (expected.message instanceof RegExp) assert.match(err.message, expected.message);
  else if (expected.message !== undefined) assert.equal(err.message, expected.message);
  return err;
}

/** Awaits a rejection that is not an AWS error response (network failure, timeout). */
export async function expectRejection(promise: Promise<unknown>): Promise<SdkErrorShape> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected the call to fail, but it succeeded');
  assert.ok(isSdkError(caught), `expected an Error, got ${String(caught)}`);
  return caught;
}
