/**
 * What `fn::open::aws-secrets` and `fn::open::aws-parameter-store` share: ESC's input shape
 * (`region`, `login`, `get: {name: {...}}`), a deadline over the whole read, one request per
 * entry (in parallel), every value a secret, and a failure located on the entry that failed.
 * Their SDK clients are built like every other AWS client of the core (../aws/clients.ts
 * `clientConfig`: per-attempt connect and response deadlines) and every request goes through
 * `awsSend` (a deadline per call, retries included).
 */
import type { Value } from '../../../../shared/src/value/value';
import { describeError } from '../errors';
import type { AwsCredentials } from '../keychain';
import { awsSend, callTimeoutMs, clientConfig, type AwsSettings } from '../aws/clients';
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

/** The configuration of a provider's SDK client: the core's AWS settings with the request's login and region. */
export function importClientConfig(settings: AwsSettings, request: ImportRequest): ReturnType<typeof clientConfig> {
  return clientConfig(settings, request.login, request.region);
}

/** Sends one request of a provider with its call deadline (and the read's signal). */
export function sendWithDeadline<Out>(settings: AwsSettings, signal: AbortSignal, send: (options: { abortSignal: AbortSignal }) => Promise<Out>): Promise<Out> {
  return awsSend(send, { timeoutMs: callTimeoutMs(settings), signal });
}
