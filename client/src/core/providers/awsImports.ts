/**
 * What `fn::open::aws-secrets` and `fn::open::aws-parameter-store` share: ESC's input shape
 * (`region`, `login`, `get: {name: {...}}`), a deadline over the whole read, one request per
 * entry (in parallel), every value a secret, and a failure located on the entry that failed.
 */
import type { Value } from '../../../../shared/src/value/value';
import { describeError } from '../errors';
import type { AwsCredentials } from '../keychain';
import { loginCredentials } from '../rotators/awsIam';
import { fieldsOf, objectValue, requiredString, secretString } from '../pluginValues';

/** The whole provider call (all entries): SDK attempts have their own timeouts inside it. */
export const IMPORT_DEADLINE_MS = 60_000;

export interface ImportRequest {
  region: string;
  login: AwsCredentials;
  /** Entry name → its fields (validated by the catalog schema before the provider runs). */
  entries: Array<[string, { [key: string]: Value }]>;
}

export function importRequest(inputs: { [key: string]: Value }): ImportRequest {
  const get = fieldsOf(inputs.get, 'get') ?? {};
  return {
    region: requiredString(inputs.region, 'region'),
    login: loginCredentials(inputs.login, 'login'),
    entries: Object.keys(get)
      .sort()
      .map((name) => [name, fieldsOf(get[name], `get.${name}`) ?? {}]),
  };
}

/** An error that the evaluator places on `get.<entry>` (see InputLocatedError). */
function atEntry(entry: string, e: unknown): Error {
  const error = e instanceof Error ? e : new Error(describeError(e));
  return Object.assign(error, { inputPath: ['get', entry] });
}

/**
 * Reads every entry with `read` under one deadline (and the caller's signal); the first failing
 * entry in name order is thrown, located on it. Values come back as secrets.
 */
export async function importAll(request: ImportRequest, signal: AbortSignal | undefined, read: (entry: string, fields: { [key: string]: Value }, signal: AbortSignal) => Promise<string>): Promise<Value> {
  const deadline = AbortSignal.timeout(IMPORT_DEADLINE_MS);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  const results = await Promise.all(
    request.entries.map(async ([name, fields]) => {
      try {
        return { name, value: await read(name, fields, combined) };
      } catch (e) {
        const timedOut = deadline.aborted && !signal?.aborted;
        return { name, error: timedOut ? new Error(`no answer within ${IMPORT_DEADLINE_MS / 1000} s`) : e };
      }
    }),
  );
  const failed = results.find((r) => 'error' in r);
  if (failed && 'error' in failed) throw atEntry(failed.name, failed.error);
  const out: { [key: string]: Value } = {};
  for (const r of results) if ('value' in r && r.value !== undefined) out[r.name] = secretString(r.value);
  return objectValue(out);
}

export function clientConfig(request: ImportRequest): { region: string; credentials: AwsCredentials; maxAttempts: number; requestHandler: { requestTimeout: number; connectionTimeout: number } } {
  return { region: request.region, credentials: request.login, maxAttempts: 3, requestHandler: { requestTimeout: 15_000, connectionTimeout: 5_000 } };
}
