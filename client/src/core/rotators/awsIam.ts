/**
 * `fn::rotate::aws-iam`: rotates an IAM user's access keys with ESC's two-secret strategy,
 * following AWS Secrets Manager's rotation protocol, with every external step journaled
 * (see ../rotation/journal.ts) so that a crash anywhere is completed by the next run:
 *
 *   preflight   GetCallerIdentity (login) → principal; ListAccessKeys
 *   settle      an earlier CreateAccessKey whose outcome is unknown (crash, timeout, dropped
 *               connection, 5xx) may have left a key whose secret nobody has: such an orphan
 *               is deleted only if it provably came from that call (see `settleOrphans`)
 *   reconcile   every key in AWS must be one the state manages, else drift: stop, touch nothing
 *   retire      delete `previous` (intent journaled first; NoSuchEntity = already gone)
 *   create      CreateAccessKey without SDK retries; the secret is journaled (sealed) at once
 *   verify      GetCallerIdentity signed by the new key, with backoff (IAM propagation delay)
 *   promote     return `{current: new, previous: old current}`; the driver writes it back
 *
 * In recovery (`session.recoveryOnly`) the rotator only finishes what the journal started: it
 * promotes a key created before the interruption, settles orphans, and otherwise returns the
 * state as it is (the driver drops keys the journal deleted); it never creates a key.
 * Every AWS call has a deadline (../aws/clients.ts `awsSend`).
 */
import type { ExecutionContext, Rotator } from '../../../../shared/src/contract/plugins';
import type { Value } from '../../../../shared/src/value/value';
import type { Schema } from '../../../../shared/src/schema/schema';
import { rotatorSchemas } from '../catalog';
import { CoreError } from '../errors';
import type { Journal, JournalEntry } from '../rotation/journal';
import type { AwsCredentials } from '../keychain';
import { crashPoint } from '../rotation/crashpoints';
import { randomUUID } from 'node:crypto';
import { awsSdk, type AwsSettings, awsSend, callTimeoutMs, defaultRegion, iamClient, iamClientNoRetry, stsClient } from '../aws/clients';
import type { AccessKeyMetadata } from '../aws/sdk';
import { awsErrorName, certainlyNotPerformed, explainAwsError, isInvalidCredentials, isTransient } from '../aws/awsErrors';
import { sleep } from '../sleep';
import { fieldsOf, objectValue, optionalString, plain, requiredString, secretString } from '../pluginValues';

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
  /** The rotation's overall deadline: aborts every AWS call and wait, also after the point of no return. */
  deadline?: AbortSignal;
  /** Recovery: finish the journal's work only (promote a created key, settle orphans); never create. */
  recoveryOnly?: boolean;
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

/**
 * Margin around a create attempt's time window when matching an orphan's CreateDate: IAM
 * reports whole seconds, and AWS's clock and this machine's differ a little. A larger skew
 * makes a real orphan unmatched, which stops the rotation as drift: safe, never destructive.
 */
const ORPHAN_MARGIN_MS = 3000;

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

    keys = await this.settleOrphans(keys);
    keys = this.confirmDeletions(keys);
    if (this.s.recoveryOnly) {
      // Nothing was created before the interruption: the state stays; keys the journal deleted are dropped by the driver.
      this.reconcile(keys, this.stateWithout(this.deletedIds()));
      this.s.onCompleted?.(userArn);
      return state;
    }
    if (!last(this.journalEntries(), 'iam-begin')) {
      this.j.append({ kind: 'iam-begin', userArn, ...(state.current ? { current: state.current.accessKeyId } : {}), ...(state.previous ? { previous: state.previous.accessKeyId } : {}), at: now() });
    }
    this.reconcile(keys, this.stateWithout(this.deletedIds()));
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

  /** Key ids the journal records as deleted by this tool (confirmed). */
  private deletedIds(): Set<string> {
    return new Set(this.journalEntries().flatMap((e) => (e.kind === 'iam-deleted' || e.kind === 'iam-orphan-deleted' ? [e.accessKeyId] : [])));
  }

  private stateWithout(deleted: Set<string>): IamState {
    const { current, previous } = this.p.state;
    return { ...(current && !deleted.has(current.accessKeyId) ? { current } : {}), ...(previous && !deleted.has(previous.accessKeyId) ? { previous } : {}) };
  }

  /** A delete that was journaled as intended and whose key is gone from AWS did happen: record it. */
  private confirmDeletions(keys: AccessKeyMetadata[]): AccessKeyMetadata[] {
    const confirmed = this.deletedIds();
    for (const e of this.journalEntries()) {
      if (e.kind !== 'iam-delete-intent' || confirmed.has(e.accessKeyId) || keys.some((k) => k.AccessKeyId === e.accessKeyId)) continue;
      this.j.append({ kind: 'iam-deleted', userArn: this.p.userArn, accessKeyId: e.accessKeyId, at: now() });
      confirmed.add(e.accessKeyId);
    }
    return keys;
  }

  /** The rotation's deadline plus, until the point of no return, the caller's cancellation. */
  private get signal(): AbortSignal | undefined {
    const signals = [this.s.deadline, this.p.signal].filter((x): x is AbortSignal => x !== undefined);
    return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  }

  private callOptions(attempts?: number): { timeoutMs: number; signal?: AbortSignal | undefined } {
    return { timeoutMs: callTimeoutMs(this.s.aws, attempts), signal: this.signal };
  }

  private pointOfNoReturn(): void {
    this.p.signal?.throwIfAborted();
    this.p.signal = undefined;
    this.s.onPointOfNoReturn?.();
  }

  private async preflightIdentity(): Promise<void> {
    try {
      const sts = stsClient(this.s.aws, this.p.login, this.p.region);
      const out = await awsSend((o) => sts.send(new (awsSdk().GetCallerIdentityCommand)({}), o), this.callOptions());
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
      const out = await awsSend((o) => this.iam.send(new (awsSdk().ListAccessKeysCommand)({ UserName: this.p.userName }), o), this.callOptions());
      return out.AccessKeyMetadata ?? [];
    } catch (e) {
      throw explainAwsError(e, this.loc('iam:ListAccessKeys'), `listing the access keys of ${this.p.userName}`);
    }
  }

  /**
   * Keys neither the state nor the journal accounts for, after CreateAccessKey attempts whose
   * outcome is unknown. Such a key is ours — an orphan whose secret nobody ever received — only
   * if it provably came from one of those calls: created within an attempt's time window (from
   * its journaled intent to its failure, or to its deadline if the process died), and at most
   * one key per attempt. Those are deleted (journaled, reported). Any other unaccounted key is
   * drift: the rotation stops before touching anything and names it.
   */
  private async settleOrphans(keys: AccessKeyMetadata[]): Promise<AccessKeyMetadata[]> {
    const attempts = this.j.unsettledCreates(this.p.userArn);
    if (attempts.length === 0) return keys;
    const known = new Set([this.p.state.current?.accessKeyId, this.p.state.previous?.accessKeyId, ...this.journalEntries().flatMap((e) => (e.kind === 'iam-created' ? [e.accessKeyId] : []))]);
    const unknown = keys.filter((k) => k.AccessKeyId && !known.has(k.AccessKeyId));
    const claimed = new Map<string, AccessKeyMetadata>();
    const unexplained: AccessKeyMetadata[] = [];
    for (const k of unknown) {
      const created = k.CreateDate?.getTime();
      const attempt = created === undefined ? undefined : attempts.find((a) => !claimed.has(a.attempt) && created >= a.from - ORPHAN_MARGIN_MS && created <= a.until + ORPHAN_MARGIN_MS);
      if (attempt) claimed.set(attempt.attempt, k);
      else unexplained.push(k);
    }
    if (unexplained.length > 0) {
      const list = unexplained.map((k) => `${k.AccessKeyId} (created ${k.CreateDate?.toISOString() ?? 'at an unknown time'})`).join(', ');
      throw new CoreError(
        'Drift',
        `user ${this.p.userName} has access key(s) that neither this environment nor its interrupted rotation accounts for: ${list}`,
        this.loc('iam:ListAccessKeys'),
        'nothing was changed: this tool never deletes a key it cannot prove it created. Add the key to the state or delete it in AWS yourself, then rotate again',
      );
    }
    for (const a of attempts) {
      const orphan = claimed.get(a.attempt);
      if (orphan) {
        const id = orphan.AccessKeyId!;
        this.s.log(`deleting key ${id} of ${this.p.userName}: an interrupted CreateAccessKey of this tool created it (${orphan.CreateDate!.toISOString()}) and its secret was never received`);
        await this.deleteKey(id);
        this.j.append({ kind: 'iam-orphan-deleted', userArn: this.p.userArn, accessKeyId: id, at: now() });
      }
      this.j.append({ kind: 'iam-create-settled', userArn: this.p.userArn, attempt: a.attempt, ...(orphan ? { orphan: orphan.AccessKeyId! } : {}), at: now() });
    }
    return keys.filter((k) => ![...claimed.values()].includes(k));
  }

  /** Drift: the state's current key must exist; every key in AWS must be one the state manages. */
  private reconcile(keys: AccessKeyMetadata[], state: IamState): void {
    const { userName } = this.p;
    const ids = new Set(keys.map((k) => k.AccessKeyId));
    if (state.current && !ids.has(state.current.accessKeyId)) {
      throw new CoreError('Drift', `state.current (key ${state.current.accessKeyId}) no longer exists in AWS for user ${userName}`, this.loc('iam:ListAccessKeys'), 'the key was deleted outside this tool: remove `state` from the environment (or set it to the keys that exist) and rotate again');
    }
    const managed = new Set([state.current?.accessKeyId, state.previous?.accessKeyId, ...this.journalEntries().flatMap((e) => (e.kind === 'iam-created' ? [e.accessKeyId] : []))]);
    const unknown = keys.filter((k) => !managed.has(k.AccessKeyId));
    if (unknown.length > 0) {
      const list = unknown.map((k) => `${k.AccessKeyId} (${k.Status ?? 'unknown status'})`).join(', ');
      throw new CoreError('Drift', `user ${userName} has access key(s) this environment does not manage: ${list}`, this.loc('iam:ListAccessKeys'), 'nothing was changed: this tool never touches keys it does not manage. Add them to the state (as current/previous) or delete them in AWS, then rotate again');
    }
  }

  private async deleteKey(accessKeyId: string): Promise<void> {
    try {
      await awsSend((o) => this.iam.send(new (awsSdk().DeleteAccessKeyCommand)({ UserName: this.p.userName, AccessKeyId: accessKeyId }), o), this.callOptions());
    } catch (e) {
      // Already gone (e.g. a retried request whose first attempt succeeded): the goal is reached.
      if (/NoSuchEntity/.test(awsErrorName(e))) return;
      throw explainAwsError(e, this.loc('iam:DeleteAccessKey'), `deleting key ${accessKeyId} of ${this.p.userName}`);
    }
  }

  private async createKey(): Promise<IamKey> {
    const { userArn, userName } = this.p;
    const maxTries = 4;
    const deadlineMs = callTimeoutMs(this.s.aws, 1);
    for (let attempt = 1; ; attempt++) {
      const id = randomUUID();
      this.j.append({ kind: 'iam-create-intent', userArn, attempt: id, deadlineMs, at: now() });
      crashPoint('after-create-intent');
      try {
        const out = await awsSend((o) => this.iamCreate.send(new (awsSdk().CreateAccessKeyCommand)({ UserName: userName }), o), this.callOptions(1));
        const k = out.AccessKey;
        if (!k?.AccessKeyId || !k.SecretAccessKey) throw new CoreError('AwsError', 'CreateAccessKey returned no key', this.loc('iam:CreateAccessKey'));
        crashPoint('after-create');
        const key: IamKey = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey, createdAt: (k.CreateDate ?? new Date()).toISOString() };
        this.j.append({ kind: 'iam-created', userArn, attempt: id, accessKeyId: key.accessKeyId, secret: this.j.seal(key.secretAccessKey, `iam-created ${userArn}`), createdAt: key.createdAt!, at: now() });
        crashPoint('after-create-journaled');
        this.s.log(`created key ${key.accessKeyId} for ${userName}`);
        return key;
      } catch (e) {
        // Record what is known: a 4xx answer means no key was made; anything else may have made one.
        if (!(e instanceof CoreError && e.code === 'AwsError')) this.j.append({ kind: 'iam-create-failed', userArn, attempt: id, certain: certainlyNotPerformed(e), at: now() });
        if (e instanceof CoreError || this.signal?.aborted || !isTransient(e) || attempt >= maxTries) throw explainAwsError(e, this.loc('iam:CreateAccessKey'), `creating an access key for ${userName}`);
        // The request may or may not have created a key: settle it against ListAccessKeys, then try again.
        this.s.log(`CreateAccessKey for ${userName} failed (${awsErrorName(e)}); checking whether it created a key before retrying`);
        await sleep(200 * 2 ** attempt, this.signal);
        await this.settleOrphans(await this.listKeys());
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
        const out = await awsSend((o) => sts.send(new (awsSdk().GetCallerIdentityCommand)({}), o), this.callOptions(1));
        const arnUser = out.Arn ? /:user\/(?:[^/]+\/)*([^/]+)$/.exec(out.Arn)?.[1] : undefined;
        if (arnUser !== undefined && arnUser !== this.p.userName) {
          throw new CoreError('VerificationFailed', `the new key ${key.accessKeyId} authenticates as ${out.Arn}, not as ${this.p.userArn}`, this.loc('sts:GetCallerIdentity'));
        }
        this.j.append({ kind: 'iam-verified', userArn: this.p.userArn, accessKeyId: key.accessKeyId, at: now() });
        crashPoint('after-verify');
        return;
      } catch (e) {
        if (e instanceof CoreError || this.signal?.aborted) throw explainAwsError(e, this.loc('sts:GetCallerIdentity'), `verifying the new key ${key.accessKeyId}`);
        if (!isInvalidCredentials(e) && !isTransient(e)) throw explainAwsError(e, this.loc('sts:GetCallerIdentity'), `verifying the new key ${key.accessKeyId}`);
        lastError = e;
        if (i < attempts) {
          this.s.log(`new key ${key.accessKeyId} not accepted yet (${awsErrorName(e)}); retrying in ${delay} ms`);
          await sleep(delay, this.signal);
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
