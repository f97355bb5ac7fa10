/**
 * `fn::rotate::aws-iam`: rotates an IAM user's access keys with ESC's two-secret strategy,
 * following AWS Secrets Manager's rotation protocol, with every external step journaled
 * (see ../journal.ts) so that a crash anywhere is completed by the next run:
 *
 *   preflight   GetCallerIdentity (login) → principal; ListAccessKeys reconciled with the state
 *   retire      delete `previous` (intent journaled first; NoSuchEntity = already gone)
 *   create      CreateAccessKey without SDK retries; the secret is journaled (sealed) at once;
 *               an ambiguous failure is reconciled with ListAccessKeys (an orphan whose secret
 *               we never saw is deleted, then the create is retried)
 *   verify      GetCallerIdentity signed by the new key, with backoff (IAM propagation delay)
 *   promote     return `{current: new, previous: old current}`; the driver writes it back
 *
 * Keys that neither the state nor the journal account for are never touched: they stop the
 * rotation with a drift message.
 */
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, ListAccessKeysCommand, type AccessKeyMetadata } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ExecutionContext, Rotator } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { rotatorSchemas } from '../catalog';
import { CoreError } from '../errors';
import type { Journal, JournalEntry } from '../journal';
import type { AwsCredentials } from '../keychain';
import { crashPoint } from '../crashpoints';
import { type AwsSettings, defaultRegion, iamClient, iamClientNoRetry, stsClient } from '../aws/clients';
import { awsErrorName, explainAwsError, isInvalidCredentials, isTransient } from '../aws/errors';
import { sleep } from '../sleep';
import { fieldsOf, objectValue, optionalString, plain, requiredString, secretString } from '../values';

/** What a rotation run lends the rotator: its journal, AWS settings and a place to report. */
export interface AwsRotationSession {
  environment: string;
  journal: Journal;
  aws: AwsSettings;
  /** The principal ARN of the managing credentials (for the revision record). */
  onPrincipal(arn: string): void;
  /** Progress lines; never given secrets. */
  log(message: string): void;
  /** Called when a user's rotation has produced its new state (the driver then writes it). */
  onCompleted?(userArn: string): void;
  /**
   * Called just before the first change in AWS. From then on the rotation is no longer
   * cancellable (the abort signal is ignored) so that it never stops half-way.
   */
  onPointOfNoReturn?(): void;
}

export interface IamKey {
  accessKeyId: string;
  secretAccessKey: string;
  createdAt?: string;
}

export interface IamState {
  current?: IamKey;
  previous?: IamKey;
}

/** Orphans are keys created at most this long before our journaled create intent (clock skew). */
const ORPHAN_SKEW_MS = 5 * 60_000;

export function userNameFromArn(userArn: string): string {
  const m = /^arn:aws[a-zA-Z-]*:iam::\d*:user\/(?:[^/]+\/)*([^/]+)$/.exec(userArn);
  if (!m) {
    throw new CoreError('InvalidInput', `inputs.userArn "${userArn}" is not an IAM user ARN`, {}, 'use the form arn:aws:iam::<account-id>:user/<user-name>');
  }
  return m[1]!;
}

export function loginCredentials(login: Value | undefined, what = 'inputs.login'): AwsCredentials {
  const f = fieldsOf(login, what);
  if (f === undefined) {
    throw new CoreError('InvalidInput', `${what} is required: the managing credentials (e.g. \${environments.<project>.<env>.aws.login} opened with fn::open::aws-login)`);
  }
  const sessionToken = optionalString(f.sessionToken, `${what}.sessionToken`);
  return {
    accessKeyId: requiredString(f.accessKeyId, `${what}.accessKeyId`),
    secretAccessKey: requiredString(f.secretAccessKey, `${what}.secretAccessKey`),
    ...(sessionToken ? { sessionToken } : {}),
  };
}

function parseKey(v: Value | undefined, what: string): IamKey | undefined {
  const f = fieldsOf(v, what);
  if (f === undefined) return undefined;
  const createdAt = optionalString(f.createdAt, `${what}.createdAt`) ?? optionalString(f.createDate, `${what}.createDate`);
  return {
    accessKeyId: requiredString(f.accessKeyId, `${what}.accessKeyId`),
    secretAccessKey: requiredString(f.secretAccessKey, `${what}.secretAccessKey`),
    ...(createdAt ? { createdAt } : {}),
  };
}

export function parseIamState(state: Value | undefined): IamState {
  const f = fieldsOf(state, 'state');
  if (f === undefined) return {};
  const current = parseKey(f.current, 'state.current');
  const previous = parseKey(f.previous, 'state.previous');
  return { ...(current ? { current } : {}), ...(previous ? { previous } : {}) };
}

function keyValue(k: IamKey): Value {
  return objectValue({ accessKeyId: plain(k.accessKeyId), secretAccessKey: secretString(k.secretAccessKey), createdAt: k.createdAt ? plain(k.createdAt) : undefined });
}

export function iamStateValue(s: IamState): Value {
  return objectValue({ current: s.current && keyValue(s.current), previous: s.previous && keyValue(s.previous) });
}

function now(): string {
  return new Date().toISOString();
}

function last<K extends JournalEntry['kind']>(entries: JournalEntry[], kind: K): Extract<JournalEntry, { kind: K }> | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.kind === kind) return entries[i] as Extract<JournalEntry, { kind: K }>;
  return undefined;
}

export class AwsIamRotator implements Rotator {
  /** Without a session the rotator can only open (preview); rotating needs a journal. */
  constructor(private readonly session?: AwsRotationSession) {}

  schema(): { inputs: Schema; state: Schema; outputs: Schema } {
    return rotatorSchemas('aws-iam');
  }

  async open(_inputs: { [key: string]: Value }, state: Value | undefined, _context?: ExecutionContext): Promise<Value> {
    return iamStateValue(parseIamState(state));
  }

  async rotate(inputs: { [key: string]: Value }, state: Value | undefined, _context: ExecutionContext, signal?: AbortSignal): Promise<Value> {
    const session = this.session;
    if (!session) throw new CoreError('InvalidInput', 'aws-iam rotation needs a rotation session (use the core\'s rotateEnvironment)');
    const userArn = requiredString(inputs.userArn, 'inputs.userArn');
    const run = new IamRotationRun(session, {
      userArn,
      userName: userNameFromArn(userArn),
      region: optionalString(inputs.region, 'inputs.region') ?? defaultRegion(session.aws),
      login: loginCredentials(inputs.login),
      state: parseIamState(state),
      signal,
    });
    return iamStateValue(await run.run());
  }
}

interface RunParams {
  userArn: string;
  userName: string;
  region: string;
  login: AwsCredentials;
  state: IamState;
  /** Cleared at the point of no return. */
  signal?: AbortSignal | undefined;
}

/** One rotation of one user's keys. */
class IamRotationRun {
  private readonly iam;
  private readonly iamCreate;
  private readonly j: Journal;

  constructor(
    private readonly s: AwsRotationSession,
    private readonly p: RunParams,
  ) {
    this.iam = iamClient(s.aws, p.login, p.region);
    this.iamCreate = iamClientNoRetry(s.aws, p.login, p.region);
    this.j = s.journal;
  }

  private loc(operation: string) {
    return { environment: this.s.environment, operation };
  }

  private journalEntries(): JournalEntry[] {
    return this.j.entriesFor(this.p.userArn);
  }

  async run(): Promise<IamState> {
    const { userArn, userName, state } = this.p;
    await this.preflightIdentity();
    let keys = await this.listKeys();
    crashPoint('after-preflight');

    // Resume: a key was already created (and its secret journaled) by an interrupted run.
    const created = last(this.journalEntries(), 'iam-created');
    if (created) {
      if (!keys.some((k) => k.AccessKeyId === created.accessKeyId)) {
        throw new CoreError('Drift', `the access key ${created.accessKeyId} created by the interrupted rotation no longer exists in AWS for user ${userName}`, this.loc('iam:ListAccessKeys'), 'someone deleted it; check who, then delete the journal file to start over', {});
      }
      if (state.current?.accessKeyId === created.accessKeyId) {
        // The file was already written with the new key before the interruption: nothing to redo.
        this.s.log(`the rotation of ${userName} to key ${created.accessKeyId} was already written; nothing to redo`);
        this.s.onCompleted?.(userArn);
        return state;
      }
      const begin = last(this.journalEntries(), 'iam-begin');
      if (begin && begin.current !== state.current?.accessKeyId) {
        throw new CoreError('Drift', `the state in the file changed since the interrupted rotation began (current key ${state.current?.accessKeyId ?? 'none'}, was ${begin.current ?? 'none'})`, this.loc('recovery'), 'restore the file from version control or delete the journal after checking AWS');
      }
      const newKey: IamKey = { accessKeyId: created.accessKeyId, secretAccessKey: this.j.unseal(created.secret, `iam-created ${userArn}`), createdAt: created.createdAt };
      this.s.log(`resuming the interrupted rotation of ${userName}: new key ${newKey.accessKeyId} was created before the interruption`);
      this.pointOfNoReturn();
      if (!this.journalEntries().some((e) => e.kind === 'iam-verified' && e.accessKeyId === newKey.accessKeyId)) await this.verify(newKey);
      this.s.onCompleted?.(userArn);
      return { current: newKey, ...(state.current ? { previous: state.current } : {}) };
    }

    if (!last(this.journalEntries(), 'iam-begin')) {
      this.j.append({ kind: 'iam-begin', userArn, ...(state.current ? { current: state.current.accessKeyId } : {}), ...(state.previous ? { previous: state.previous.accessKeyId } : {}), at: now() });
    }
    keys = await this.removeOrphans(keys);
    this.reconcile(keys);
    this.pointOfNoReturn();

    // Retire the old previous key to make room (IAM allows 2 keys per user).
    const previousId = state.previous?.accessKeyId;
    if (previousId && previousId !== state.current?.accessKeyId && keys.some((k) => k.AccessKeyId === previousId)) {
      this.j.append({ kind: 'iam-delete-intent', userArn, accessKeyId: previousId, at: now() });
      crashPoint('after-delete-intent');
      await this.deleteKey(previousId);
      crashPoint('after-delete');
      this.j.append({ kind: 'iam-deleted', userArn, accessKeyId: previousId, at: now() });
      crashPoint('after-delete-journaled');
      this.s.log(`deleted previous key ${previousId} of ${userName}`);
    }

    const newKey = await this.createKey();
    await this.verify(newKey);
    this.s.onCompleted?.(userArn);
    return { current: newKey, ...(state.current ? { previous: state.current } : {}) };
  }

  private pointOfNoReturn(): void {
    this.p.signal?.throwIfAborted();
    this.p.signal = undefined;
    this.s.onPointOfNoReturn?.();
  }

  private async preflightIdentity(): Promise<void> {
    try {
      const out = await stsClient(this.s.aws, this.p.login, this.p.region).send(new GetCallerIdentityCommand({}), { abortSignal: this.p.signal });
      if (out.Arn) {
        this.s.onPrincipal(out.Arn);
        if (this.j.principal() !== out.Arn) this.j.append({ kind: 'principal', arn: out.Arn, at: now() });
      }
    } catch (e) {
      throw explainAwsError(e, this.loc('sts:GetCallerIdentity'), 'checking the managing credentials (inputs.login)');
    }
  }

  private async listKeys(): Promise<AccessKeyMetadata[]> {
    try {
      const out = await this.iam.send(new ListAccessKeysCommand({ UserName: this.p.userName }), { abortSignal: this.p.signal });
      return out.AccessKeyMetadata ?? [];
    } catch (e) {
      throw explainAwsError(e, this.loc('iam:ListAccessKeys'), `listing the access keys of ${this.p.userName}`);
    }
  }

  /** Keys not in the state that we created just before a crash/lost response: nobody has their secret. */
  private async removeOrphans(keys: AccessKeyMetadata[]): Promise<AccessKeyMetadata[]> {
    const entries = this.journalEntries();
    const intent = last(entries, 'iam-create-intent');
    if (!intent) return keys;
    const managed = new Set([this.p.state.current?.accessKeyId, this.p.state.previous?.accessKeyId]);
    const since = Date.parse(intent.at) - ORPHAN_SKEW_MS;
    const orphans = keys.filter((k) => k.AccessKeyId && !managed.has(k.AccessKeyId) && k.CreateDate !== undefined && k.CreateDate.getTime() >= since);
    for (const k of orphans) {
      const id = k.AccessKeyId!;
      this.s.log(`deleting key ${id} of ${this.p.userName}: it was created by an interrupted attempt and its secret was never received`);
      await this.deleteKey(id);
      this.j.append({ kind: 'iam-orphan-deleted', userArn: this.p.userArn, accessKeyId: id, at: now() });
    }
    return orphans.length === 0 ? keys : keys.filter((k) => !orphans.includes(k));
  }

  /** Drift: the state's current key must exist; every key in AWS must be one the state manages. */
  private reconcile(keys: AccessKeyMetadata[]): void {
    const { state, userName } = this.p;
    const ids = new Set(keys.map((k) => k.AccessKeyId));
    if (state.current && !ids.has(state.current.accessKeyId)) {
      throw new CoreError('Drift', `state.current (key ${state.current.accessKeyId}) no longer exists in AWS for user ${userName}`, this.loc('iam:ListAccessKeys'), 'the key was deleted outside this tool: remove `state` from the environment (or set it to the keys that exist) and rotate again');
    }
    const managed = new Set([state.current?.accessKeyId, state.previous?.accessKeyId]);
    const unknown = keys.filter((k) => !managed.has(k.AccessKeyId));
    if (unknown.length > 0) {
      const list = unknown.map((k) => `${k.AccessKeyId} (${k.Status ?? 'unknown status'})`).join(', ');
      throw new CoreError('Drift', `user ${userName} has access key(s) this environment does not manage: ${list}`, this.loc('iam:ListAccessKeys'), 'this tool never touches keys it does not manage: add them to the state (as current/previous) or delete them in AWS, then rotate again');
    }
  }

  private async deleteKey(accessKeyId: string): Promise<void> {
    try {
      await this.iam.send(new DeleteAccessKeyCommand({ UserName: this.p.userName, AccessKeyId: accessKeyId }), { abortSignal: this.p.signal });
    } catch (e) {
      // Already gone (e.g. a retried request whose first attempt succeeded): the goal is reached.
      if (/NoSuchEntity/.test(awsErrorName(e))) return;
      throw explainAwsError(e, this.loc('iam:DeleteAccessKey'), `deleting key ${accessKeyId} of ${this.p.userName}`);
    }
  }

  private async createKey(): Promise<IamKey> {
    const { userArn, userName } = this.p;
    const maxTries = 4;
    for (let attempt = 1; ; attempt++) {
      this.j.append({ kind: 'iam-create-intent', userArn, at: now() });
      crashPoint('after-create-intent');
      try {
        const out = await this.iamCreate.send(new CreateAccessKeyCommand({ UserName: userName }), { abortSignal: this.p.signal });
        const k = out.AccessKey;
        if (!k?.AccessKeyId || !k.SecretAccessKey) throw new CoreError('AwsError', 'CreateAccessKey returned no key', this.loc('iam:CreateAccessKey'));
        crashPoint('after-create');
        const key: IamKey = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey, createdAt: (k.CreateDate ?? new Date()).toISOString() };
        this.j.append({ kind: 'iam-created', userArn, accessKeyId: key.accessKeyId, secret: this.j.seal(key.secretAccessKey, `iam-created ${userArn}`), createdAt: key.createdAt!, at: now() });
        crashPoint('after-create-journaled');
        this.s.log(`created key ${key.accessKeyId} for ${userName}`);
        return key;
      } catch (e) {
        if (e instanceof CoreError || this.p.signal?.aborted) throw e;
        if (!isTransient(e) || attempt >= maxTries) throw explainAwsError(e, this.loc('iam:CreateAccessKey'), `creating an access key for ${userName}`);
        // The request may or may not have created a key: look, delete an orphan, then try again.
        this.s.log(`CreateAccessKey for ${userName} failed (${awsErrorName(e)}); reconciling before retrying`);
        await sleep(200 * 2 ** attempt, this.p.signal);
        await this.removeOrphans(await this.listKeys());
      }
    }
  }

  /** The new key must work before it is promoted: STS signed by it, with backoff. */
  private async verify(key: IamKey): Promise<void> {
    const a = this.s.aws;
    const attempts = a.verifyAttempts ?? 10;
    let delay = a.verifyInitialDelayMs ?? 500;
    const maxDelay = a.verifyMaxDelayMs ?? 8000;
    const sts = stsClient(a, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, this.p.region, 1);
    let lastError: unknown;
    for (let i = 1; i <= attempts; i++) {
      try {
        const out = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: this.p.signal });
        const arnUser = out.Arn ? /:user\/(?:[^/]+\/)*([^/]+)$/.exec(out.Arn)?.[1] : undefined;
        if (arnUser !== undefined && arnUser !== this.p.userName) {
          throw new CoreError('VerificationFailed', `the new key ${key.accessKeyId} authenticates as ${out.Arn}, not as ${this.p.userArn}`, this.loc('sts:GetCallerIdentity'));
        }
        this.j.append({ kind: 'iam-verified', userArn: this.p.userArn, accessKeyId: key.accessKeyId, at: now() });
        crashPoint('after-verify');
        return;
      } catch (e) {
        if (e instanceof CoreError || this.p.signal?.aborted) throw e;
        if (!isInvalidCredentials(e) && !isTransient(e)) throw explainAwsError(e, this.loc('sts:GetCallerIdentity'), `verifying the new key ${key.accessKeyId}`);
        lastError = e;
        if (i < attempts) {
          this.s.log(`new key ${key.accessKeyId} not accepted yet (${awsErrorName(e)}); retrying in ${delay} ms`);
          await sleep(delay, this.p.signal);
          delay = Math.min(delay * 2, maxDelay);
        }
      }
    }
    throw new CoreError(
      'VerificationFailed',
      `the new key ${key.accessKeyId} was still not accepted by STS after ${attempts} attempts (${awsErrorName(lastError)})`,
      this.loc('sts:GetCallerIdentity'),
      'it is kept (sealed) in the rotation journal and was not promoted; run the rotation again to retry the verification',
    );
  }
}
