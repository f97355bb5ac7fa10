/**
 * EscCore: the operations the extension and the CLI call (see index.ts for the overview).
 * The rotation driver runs, under the environment's lock:
 *
 *   recover?  an earlier run's journal → finish what it started (promote a created key, settle
 *             orphans, record a pending write) as a `recovery` revision; then, as asked:
 *   evaluate  the evaluator's rotateEnvironment with journal-backed rotators → patches
 *   correct   a failed path whose state names a key this run deleted loses that key (the file
 *             never names a key that no longer exists)
 *   write     journal `writing` (hash of the new text + revision draft) → atomic file write
 *   record    history revision (idempotent by rotation id; every deleted key listed) → journal removed
 *
 * The whole rotation has a deadline (`timeoutMs`, default 5 min) that aborts every AWS call and
 * wait, so the lock is released by then whatever the network does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Diagnostic } from '../../../shared/src/syntax/diagnostic';
import type { Decrypter, ProviderLoader, Provider, Rotator, RotationPatch } from '../../../shared/src/contract/plugins';
import type { Value } from '../../../shared/src/value/value';
import { openEnvironment, rotateEnvironment, type EvalResult } from '../../../shared/src/eval/index';
import { AesGcmCipher } from '../../../shared/src/crypt/index';
import { applyPatches, encryptPlaintextSecrets, listPlaintextSecrets } from '../../../shared/src/patch/index';
import { parsePath, formatPath } from '../../../shared/src/syntax/propertyPath';
import { registerTempDir, removeStaleTempFiles, writeFileAtomic } from './fs/atomic';
import { formatMs } from './aws/awsErrors';
import type { AwsSettings } from './aws/clients';
import { crashPoint } from './rotation/crashpoints';
import { CoreError, describeError } from './errors';
import { HistoryStore, type DeletedKeyRecord, type NewRevision, type Revision, type RotatedPathRecord } from './history/historyStore';
import { Journal, journalFile } from './rotation/journal';
import { Keychain, DEFAULT_KEYCHAIN_SERVICE } from './keychain';
import { acquireEnvironmentLock } from './fs/lock';
import { AwsLoginProvider } from './providers/awsLogin';
import { AwsParameterStoreProvider } from './providers/awsParameterStore';
import { AwsSecretsProvider } from './providers/awsSecrets';
import { cloudOnlyProvider } from './providers/cloudOnly';
import { AwsIamRotator, type AwsRotationSession } from './rotators/awsIam';
import { MysqlRotator } from './rotators/mysql';
import { PassphraseRotator, PasswordRotator } from './rotators/password';
import { PostgresRotator } from './rotators/postgres';
import { Workspace, type WorkspaceOptions } from './workspace';
import { findRotationTargets, jsAt, keyIdsOf, stateValueFromYaml, type RotationTarget } from './yamlstate';

export interface CoreOptions {
  workspace: WorkspaceOptions;
  /** Keychain service name (setting). Default `esc-local`. Ignored if `workspace.keychain` is given. */
  keychainService?: string;
  aws?: AwsSettings;
  /** Who is running: shown to a process that finds the environment locked. */
  tool?: string;
  /** Progress/diagnostic lines (never secrets). */
  log?: (line: string) => void;
  /**
   * Record the edits made to an environment file since its last revision (in an editor, by
   * `git pull`, a script) as a `save` revision before any operation here writes the file
   * (default true): the CLI's `ESC_LOCAL_RECORD_SAVES`, the extension's `esc.history.recordSaves`.
   */
  recordSaves?: boolean;
  /** The trigger recorded on those saves: who noticed the edits (`cli`, `extension`). Default: the operation's trigger. */
  saveTrigger?: string;
}

/**
 * What an operation that wrote the file did with the edits made to it since the last revision
 * (see `CoreOptions.recordSaves`): the `save` revision it recorded first, or why it could not.
 * The caller notifies `environment.saved` webhooks of `save` and shows `saveWarning`.
 */
export interface HandEdits {
  save?: Revision;
  /** Why the edits could not be recorded as a save (a rotation or an encryption went on; a rollback refuses instead). */
  saveWarning?: string;
}

export interface RotateOptions {
  /** Paths under `values` (ESC syntax, e.g. `iam`, `db["pw"]`) to rotate; all `fn::rotate` calls when omitted. */
  paths?: string[];
  /** Wait this long for another rotation of the environment to finish (ms). Default 0: fail at once. */
  waitMs?: number;
  signal?: AbortSignal;
  /** What started it (recorded): `extension`, `cli`, `schedule`, … */
  trigger?: string;
  /**
   * Writes the new text of the environment file. Default: atomic replace on disk. The extension
   * may pass its own (e.g. a workspace edit + save) when the file is open in an editor.
   */
  writeText?: (file: string, newText: string, oldText: string) => Promise<void>;
  /** Record a failed rotation in the history too (default true). */
  recordFailures?: boolean;
  /** Progress lines for this rotation (no secrets), e.g. for a progress notification. */
  onProgress?: (line: string) => void;
  /** Called before the first change in AWS: from then on `signal` is ignored (show "not cancellable"). */
  onPointOfNoReturn?: () => void;
  /** Deadline of the whole rotation, recovery included (ms). Default 5 minutes. */
  timeoutMs?: number;
}

export const DEFAULT_ROTATION_TIMEOUT_MS = 5 * 60_000;

export interface RotationResult extends HandEdits {
  environment: string;
  file: string;
  /** An interrupted earlier rotation was completed first (see `recovery`). */
  recovered: boolean;
  /** What completing the interrupted rotation did (its own revision), when there was one. */
  recovery?: { revision?: Revision; deletedKeys: DeletedKeyRecord[]; message: string };
  /** Every access key deleted in AWS by this call (recovery included), with why. */
  deletedKeys: DeletedKeyRecord[];
  /** True if every requested path rotated. */
  ok: boolean;
  paths: RotatedPathRecord[];
  principalArn?: string;
  revision?: Revision;
  /** Evaluation diagnostics (errors of failed paths among them), located in the file. */
  diagnostics: Diagnostic[];
  message: string;
}

export interface EncryptResult extends HandEdits {
  file: string;
  encrypted: number;
  revision?: Revision;
}

export interface RollbackResult extends HandEdits {
  revision: Revision;
  /** Rotated states kept as they are now (rotations are never rolled back). */
  keptRotatedPaths: string[];
  message: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

function valueField(v: Value | undefined, ...path: string[]): unknown {
  let cur: Value | undefined = v;
  for (const p of path) {
    const d: unknown = cur?.value;
    if (d === null || typeof d !== 'object' || Array.isArray(d)) return undefined;
    cur = (d as { [k: string]: Value })[p];
  }
  return cur?.value;
}

/** What names a rotated credential in the history: an access key id, or a database user name. */
function credentialId(state: Value, which: 'current' | 'previous'): unknown {
  return valueField(state, which, 'accessKeyId') ?? valueField(state, which, 'username');
}

export class EscCore {
  readonly workspace: Workspace;
  readonly history: HistoryStore;
  readonly keychain: Keychain;
  readonly aws: AwsSettings;
  private readonly tool: string;
  private readonly log: (line: string) => void;
  private readonly recordSaves: boolean;
  private readonly saveTrigger: string | undefined;

  constructor(options: CoreOptions) {
    this.keychain = options.workspace.keychain ?? new Keychain(options.keychainService ?? DEFAULT_KEYCHAIN_SERVICE);
    this.workspace = new Workspace({ ...options.workspace, keychain: this.keychain });
    this.history = new HistoryStore(this.workspace.historyDir);
    this.aws = options.aws ?? {};
    this.tool = options.tool ?? 'esc-local';
    this.log = options.log ?? (() => undefined);
    this.recordSaves = options.recordSaves ?? true;
    this.saveTrigger = options.saveTrigger;
    // Temp files of atomic writes anywhere in the workspace go to the machine-local run folder.
    registerTempDir(this.workspace.root, this.tempDir);
  }

  /** Where atomic writes keep their temp files: never a committed folder. */
  get tempDir(): string {
    return path.join(this.workspace.runDir, 'tmp');
  }

  /** Removes temp files that killed processes left (here, and where older versions put them). */
  private sweepTempFiles(environment: string, file: string): void {
    for (const dir of [this.tempDir, path.join(this.workspace.runDir, 'journal'), path.join(this.workspace.runDir, 'locks'), path.dirname(file), path.join(this.workspace.historyDir, ...environment.split('/').map(encodeURIComponent))]) removeStaleTempFiles(dir);
  }

  /** The providers/rotators that run locally. A session is needed to rotate aws-iam, postgres and mysql. */
  providers(options: { session?: AwsRotationSession } = {}): ProviderLoader {
    const login = new AwsLoginProvider(this.keychain, this.aws, this.log);
    return {
      loadProvider: (name: string): Provider | undefined => {
        switch (name) {
          case 'aws-login':
            return login;
          case 'aws-secrets':
            return new AwsSecretsProvider(this.aws);
          case 'aws-parameter-store':
            return new AwsParameterStoreProvider(this.aws);
          default:
            return cloudOnlyProvider(name);
        }
      },
      loadRotator: (name: string): Rotator | undefined => {
        switch (name) {
          case 'aws-iam':
            return new AwsIamRotator(options.session);
          case 'password':
            return new PasswordRotator();
          case 'passphrase':
            return new PassphraseRotator();
          case 'postgres':
            return new PostgresRotator(options.session);
          case 'mysql':
            return new MysqlRotator(options.session);
          default:
            return undefined;
        }
      },
    };
  }

  /** The `fn::rotate` calls of an environment (for pickers). */
  rotationTargets(environment: string): RotationTarget[] {
    return findRotationTargets(fs.readFileSync(this.workspace.requireFile(environment), 'utf8'));
  }

  /** True if an interrupted rotation of this environment will be completed by the next `rotate`. */
  pendingRecovery(environment: string): boolean {
    return fs.existsSync(journalFile(this.workspace.runDir, environment));
  }

  private async cipher(create: boolean): Promise<AesGcmCipher> {
    return new AesGcmCipher(await this.workspace.dataKey({ create }));
  }

  /**
   * A decrypter that fetches the data key on the first ciphertext only, so that an environment
   * without secrets opens on a machine that has no key (CI without ESC_LOCAL_DATA_KEY).
   * `keyError()` is why the key could not be had, once a ciphertext needed it.
   */
  private lazyDecrypter(): { decrypter?: Decrypter; keyError(): unknown } {
    if (!this.workspace.hasDataKey()) return { keyError: () => undefined };
    let cipher: Promise<AesGcmCipher> | undefined;
    let failure: unknown;
    const load = (): Promise<AesGcmCipher> =>
      this.cipher(false).catch((e: unknown) => {
        failure = e;
        throw e;
      });
    return { decrypter: { decrypt: async (ciphertext) => (await (cipher ??= load())).decrypt(ciphertext) }, keyError: () => failure };
  }

  /**
   * Opens an environment (providers run, ciphertexts decrypted here, in the core). A missing or
   * unreachable data key is thrown as such (not as one diagnostic per ciphertext).
   */
  async open(environment: string, options: { signal?: AbortSignal } = {}): Promise<EvalResult> {
    const text = fs.readFileSync(this.workspace.requireFile(environment), 'utf8');
    const { decrypter, keyError } = this.lazyDecrypter();
    const result = await openEnvironment(environment, text, {
      loader: this.workspace.loader(decrypter),
      providers: this.providers(),
      ...(decrypter ? { decrypter } : {}),
      context: { pulumi: { user: { id: osUser() } } },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (keyError() !== undefined) throw keyError();
    return result;
  }

  // ---------------------------------------------------------------- rotation

  async rotate(environment: string, options: RotateOptions = {}): Promise<RotationResult> {
    const file = this.workspace.requireFile(environment);
    const cipher = await this.cipher(true);
    const dataKey = await this.workspace.dataKey();
    const lock = await acquireEnvironmentLock(this.workspace.runDir, environment, { waitMs: options.waitMs ?? 0, tool: this.tool, purpose: 'rotation', ...(options.signal ? { signal: options.signal } : {}) });
    const timeoutMs = options.timeoutMs ?? DEFAULT_ROTATION_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new CoreError('DeadlineExceeded', `the rotation did not finish within its deadline of ${formatMs(timeoutMs)}`, { environment }, 'check the network and the AWS endpoint; the next run completes whatever this one started')),
      timeoutMs,
    );
    try {
      crashPoint('after-lock');
      this.sweepTempFiles(environment, file);
      const run: RunContext = { environment, file, cipher, options, deadline: deadline.signal, handEdits: {} };
      const earlier = Journal.open(this.workspace.runDir, environment, dataKey);
      const recovery = earlier ? await this.recover(run, earlier) : undefined;
      if (recovery && !recovery.ok) return { ...recovery, ...run.handEdits };
      const journal = Journal.begin(this.workspace.runDir, environment, dataKey, options.paths);
      crashPoint('after-journal-begin');
      const result = { ...(await this.runRotation(run, { journal, mode: 'rotation', paths: options.paths })), ...run.handEdits };
      if (!recovery?.recovery) return result;
      return { ...result, recovered: true, recovery: recovery.recovery, deletedKeys: [...recovery.deletedKeys, ...result.deletedKeys], message: `${recovery.recovery.message}; then ${result.message}` };
    } finally {
      clearTimeout(timer);
      lock.release();
    }
  }

  /**
   * Finishes what an interrupted rotation started, without starting anything new: records a
   * write that happened, promotes a key that was created, settles orphans of lost
   * CreateAccessKey responses, drops keys it deleted from the file. Returns ok: false when it
   * cannot (the caller then does not rotate).
   */
  private async recover(run: RunContext, journal: Journal): Promise<RotationResult> {
    const { environment, file } = run;
    let recorded: Revision | undefined;
    if (journal.phase !== 'rotating') {
      recorded = this.finishRecordedWrite(environment, file, journal);
      if (recorded && !journal.keepUnfinished(journal.pendingWrite?.completedUsers ?? [], [])) {
        const message = `completed an interrupted rotation of ${environment} (revision ${recorded.number})`;
        return { ...this.recoveryResult(run, recorded, message), recovery: { revision: recorded, deletedKeys: recorded.deletedKeys ?? [], message } };
      }
    }
    if (!journal.hasExternalEffects()) {
      journal.remove();
      this.log(`${environment}: an interrupted rotation had changed nothing in AWS; starting over`);
      return { ...this.recoveryResult(run, recorded, 'nothing to recover'), ...(recorded ? { recovery: { revision: recorded, deletedKeys: [], message: `completed an interrupted rotation of ${environment} (revision ${recorded.number})` } } : {}) };
    }
    this.log(`${environment}: completing an interrupted rotation (started ${journal.startedAt})`);
    const text = fs.readFileSync(file, 'utf8');
    const wanted = journal.paths && journal.paths.length > 0 ? new Set(journal.paths.map(canonicalValuesPath)) : undefined;
    const paths = findRotationTargets(text)
      .filter((t) => JOURNALED_ROTATORS.has(t.rotator ?? '') && (wanted === undefined || wanted.has(canonicalValuesPath(t.path))))
      .map((t) => t.path);
    const result = await this.runRotation(run, { journal, mode: 'recovery', paths });
    const message = result.revision ? `completed an interrupted rotation of ${environment} (revision ${result.revision.number})` : `completed an interrupted rotation of ${environment}`;
    if (!result.ok) return { ...result, message: `could not complete an interrupted rotation of ${environment}, so no new rotation was started: ${result.message}` };
    return { ...result, recovery: { ...(result.revision ? { revision: result.revision } : {}), deletedKeys: result.deletedKeys, message } };
  }

  private recoveryResult(run: RunContext, revision: Revision | undefined, message: string): RotationResult {
    return { environment: run.environment, file: run.file, recovered: true, ok: true, paths: [], deletedKeys: [], diagnostics: [], message, ...(revision ? { revision } : {}) };
  }

  /**
   * Crash after the journal said `writing`: the file has the new text iff its hash matches.
   * Returns the recorded revision, or undefined when the write never happened (the journal is
   * then back in `rotating`, and the recovery promotes what it created).
   */
  private finishRecordedWrite(environment: string, file: string, journal: Journal): Revision | undefined {
    const pending = journal.pendingWrite;
    if (journal.phase === 'history-recorded' && journal.revision !== undefined) return this.history.get(environment, journal.revision);
    if (pending && sha256(fs.readFileSync(file, 'utf8')) === pending.textSha256) return this.recordOnce(environment, pending.rotationId, pending.revision);
    journal.abandonWrite();
    return undefined;
  }

  /** Appends the revision unless one with this rotation id exists already (recovery after a crash). */
  private recordOnce(environment: string, rotationId: string, draft: NewRevision): Revision {
    const latest = this.history.latest(environment);
    if (latest?.rotationId === rotationId) return latest;
    return this.history.append(environment, { ...draft, rotationId });
  }

  /**
   * One pass of the rotation driver: select the paths, evaluate them with journal-backed
   * rotators, settle what happened (keys this run deleted dropped from every state), then either
   * record the failure or write the file and record the revision.
   */
  private async runRotation(run: RunContext, step: RotationStep): Promise<RotationResult> {
    const text = fs.readFileSync(run.file, 'utf8');
    const selected = this.selectTargets(run, step, text);
    if (selected.length === 0) return this.recoveryResult(run, undefined, 'nothing to recover');
    const reports: SessionReports = { principals: [], completedUsers: [] };
    const evaluated = await this.evaluateRotation(run, step, text, selected, reports);
    const settled = await this.settleRotation(run, step, text, selected, evaluated, reports);
    return settled.patches.length === 0 ? this.finishWithoutWrite(run, step, settled) : this.writeAndRecord(run, step, settled);
  }

  /**
   * The `fn::rotate` targets the step asks for (all when it names none). A path with no
   * `fn::rotate` is an error; so is nothing to rotate, except in a recovery, which then has
   * nothing left to do (empty). The journal is removed in every such case: nothing was started.
   */
  private selectTargets(run: RunContext, step: RotationStep, text: string): RotationTarget[] {
    const { environment, file } = run;
    const targets = findRotationTargets(text);
    const wanted = step.paths && step.paths.length > 0 ? new Set(step.paths.map(canonicalValuesPath)) : undefined;
    const selected = targets.filter((t) => wanted === undefined || wanted.has(canonicalValuesPath(t.path)));
    if (wanted !== undefined) {
      const missing = [...wanted].filter((p) => !targets.some((t) => canonicalValuesPath(t.path) === p));
      if (missing.length > 0) {
        step.journal.remove();
        throw new CoreError('InvalidInput', `no fn::rotate at ${missing.map((p) => `values.${p}`).join(', ')}`, { environment, file }, targets.length > 0 ? `rotatable paths: ${targets.map((t) => t.path).join(', ')}` : 'this environment has no fn::rotate');
      }
    }
    if (selected.length === 0) {
      step.journal.remove();
      if (step.mode !== 'recovery') throw new CoreError('InvalidInput', 'this environment has no fn::rotate to rotate', { environment, file });
    }
    return selected;
  }

  /** What the rotators are given: the journal, the AWS settings, the deadline, and where to report progress. */
  private rotationSession(run: RunContext, step: RotationStep, reports: SessionReports): AwsRotationSession {
    const { environment, options } = run;
    return {
      environment,
      journal: step.journal,
      aws: this.aws,
      onPrincipal: (arn) => reports.principals.push(arn),
      log: (line) => {
        this.log(`${environment}: ${line}`);
        options.onProgress?.(line);
      },
      onCompleted: (userArn) => reports.completedUsers.push(userArn),
      deadline: run.deadline,
      recoveryOnly: step.mode === 'recovery',
      ...(options.onPointOfNoReturn ? { onPointOfNoReturn: options.onPointOfNoReturn } : {}),
    };
  }

  /**
   * Evaluates the selected paths with the rotators (the only step that changes anything outside
   * the file). An environment that does not load, when nothing was changed yet, is an error.
   */
  private async evaluateRotation(run: RunContext, step: RotationStep, text: string, selected: RotationTarget[], reports: SessionReports): Promise<EvalRotation> {
    const { environment, file, cipher, options } = run;
    const session = this.rotationSession(run, step, reports);
    const signal = options.signal ? AbortSignal.any([options.signal, run.deadline]) : run.deadline;
    const result = await rotateEnvironment(environment, text, {
      loader: this.workspace.loader(cipher),
      providers: this.providers({ session }),
      decrypter: cipher,
      context: { pulumi: { user: { id: osUser() } } },
      paths: selected.map((t) => t.path),
      signal,
    });
    crashPoint('after-evaluate');
    if (run.deadline.aborted) throw run.deadline.reason;
    const loadErrors = result.loadDiagnostics.filter((d) => d.severity === 1);
    const { journal } = step;
    if (loadErrors.length > 0 && journal.deletedKeyIds().length === 0 && !journal.hasExternalEffects()) {
      journal.remove();
      const d = loadErrors[0]!;
      throw new CoreError('EvaluationFailed', `${d.summary} (line ${d.range.begin.line}, column ${d.range.begin.column})`, { environment, path: d.path, file });
    }
    return result;
  }

  /**
   * What the evaluation amounts to: the records per path (in a recovery, only the paths it
   * changed or that failed), the patches to write with every key this run deleted dropped, the
   * deletions not yet reported, and the revision's common fields.
   */
  private async settleRotation(run: RunContext, step: RotationStep, text: string, selected: RotationTarget[], evaluated: EvalRotation, reports: SessionReports): Promise<SettledRotation> {
    const { options } = run;
    const { journal } = step;
    const recovered = step.mode === 'recovery';
    const records = this.pathRecords(text, selected, evaluated.patches, evaluated.diagnostics);
    if (options.signal?.aborted) for (const r of records) if (r.error !== undefined) r.error = `cancelled: ${r.error}`;
    // The file must never name a key this run deleted: drop such keys from every state written.
    const deleted = journal.deletedKeyIds();
    const patches = await this.withoutDeletedKeys(text, selected, evaluated.patches, records, new Set(deleted.map((d) => d.accessKeyId)), recovered);
    const shown = recovered ? records.filter((r) => r.error !== undefined || patches.some((p) => samePathText(p.docPath, selected.find((t) => t.path === r.path)!.stateDocPath))) : records;
    const failed = shown.filter((r) => r.error !== undefined);
    const deletedKeys: DeletedKeyRecord[] = journal.unreportedDeletions().map((d) => ({ accessKeyId: d.accessKeyId, userArn: d.userArn, reason: d.reason }));
    const principalArn = reports.principals[reports.principals.length - 1] ?? journal.principal();
    const revisionBase: Omit<NewRevision, 'definition' | 'outcome'> = {
      kind: recovered ? 'recovery' : 'rotation',
      paths: shown,
      ...(deletedKeys.length > 0 ? { deletedKeys } : {}),
      ...(principalArn ? { principalArn } : {}),
      ...(options.trigger ? { trigger: options.trigger } : {}),
    };
    return {
      patches,
      shown,
      failed,
      failureText: failed.map((f) => `${f.path}: ${f.error}`).join('; '),
      deletedKeys,
      ...(principalArn ? { principalArn } : {}),
      revisionBase,
      diagnostics: evaluated.diagnostics,
      completedUsers: reports.completedUsers,
    };
  }

  /** The result of a pass, from what it settled. */
  private passResult(run: RunContext, step: RotationStep, settled: SettledRotation, outcome: { ok: boolean; revision?: Revision; message: string }): RotationResult {
    return {
      environment: run.environment,
      file: run.file,
      recovered: step.mode === 'recovery',
      ok: outcome.ok,
      paths: settled.shown,
      deletedKeys: settled.deletedKeys,
      ...(settled.principalArn ? { principalArn: settled.principalArn } : {}),
      ...(outcome.revision ? { revision: outcome.revision } : {}),
      diagnostics: settled.diagnostics,
      message: outcome.message,
    };
  }

  /** No state to write: the failure (or, in a recovery, the deletions) recorded; the journal kept only if AWS may hold something of ours. */
  private finishWithoutWrite(run: RunContext, step: RotationStep, settled: SettledRotation): RotationResult {
    const { environment, options } = run;
    const recovered = step.mode === 'recovery';
    const { failed, failureText, deletedKeys } = settled;
    step.journal.keepUnfinished(settled.completedUsers, failed.map((r) => r.path));
    const record = options.recordFailures !== false && (failed.length > 0 || deletedKeys.length > 0 || !recovered);
    const revision = record
      ? this.history.append(environment, { ...settled.revisionBase, outcome: failed.length > 0 || !recovered ? 'failed' : 'succeeded', message: failureText || (recovered ? `deleted ${deletedKeys.map((d) => d.accessKeyId).join(', ')}` : 'no state was produced') })
      : undefined;
    const ok = recovered && failed.length === 0;
    return this.passResult(run, step, settled, {
      ok,
      ...(revision ? { revision } : {}),
      message: ok ? `completed an interrupted rotation of ${environment}` : `rotation of ${environment} failed: ${failureText || 'no state was produced'}`,
    });
  }

  /**
   * Writes the new states into the file as it is now (it may have been saved meanwhile: patches
   * are by path) under the journal's `writing` intent, then records the revision (once per
   * rotation id) and settles the journal.
   */
  private async writeAndRecord(run: RunContext, step: RotationStep, settled: SettledRotation): Promise<RotationResult> {
    const { environment, file, cipher, options } = run;
    const { journal } = step;
    const { failed, failureText } = settled;
    const current = fs.readFileSync(file, 'utf8');
    let newText: string;
    try {
      newText = await applyPatches(current, settled.patches, cipher);
    } catch (e) {
      // Keys created so far are sealed in the journal (kept): the next run writes them.
      throw new CoreError('EvaluationFailed', `the rotated state cannot be written into the file: ${describeError(e)}`, { environment, file }, 'fix the file (it changed while rotating?) and run the rotation again; the new keys are kept in the rotation journal');
    }
    const definition = (await encryptPlaintextSecrets(newText, cipher)).text;
    const sourceDigest = await this.digestIfPlaintext(newText);
    const rotationId = randomUUID();
    const draft: NewRevision = { ...settled.revisionBase, outcome: failed.length === 0 ? 'succeeded' : 'failed', definition, ...(sourceDigest ? { sourceDigest } : {}), ...(failed.length > 0 ? { message: failureText } : {}) };
    // Before the write intent: a run killed after it never has its own text taken for an edit.
    Object.assign(run.handEdits, await this.recordEditsBeforeWrite(environment, current, options.trigger));
    journal.beginWrite({ textSha256: sha256(newText), rotationId, revision: draft, completedUsers: settled.completedUsers });
    crashPoint('after-write-intent');
    try {
      if (options.writeText) await options.writeText(file, newText, current);
      else writeFileAtomic(file, newText);
    } catch (e) {
      journal.abandonWrite();
      throw new CoreError('EvaluationFailed', `the rotated state could not be written to the file: ${describeError(e)}`, { environment, file }, 'the new keys are kept in the rotation journal; run the rotation again to write them');
    }
    crashPoint('after-file-write');
    const revision = this.recordOnce(environment, rotationId, draft);
    journal.historyRecorded(revision.number);
    journal.markReported(settled.deletedKeys.map((d) => d.accessKeyId));
    crashPoint('after-history');
    if (failed.length === 0) journal.remove();
    else journal.keepUnfinished(settled.completedUsers, failed.map((r) => r.path));
    const done = settled.shown.filter((r) => r.error === undefined);
    const recovered = step.mode === 'recovery';
    return this.passResult(run, step, settled, {
      ok: failed.length === 0,
      revision,
      message:
        (recovered ? `completed an interrupted rotation of ${environment}` : failed.length > 0 ? `rotation of ${environment} failed` : `rotated ${done.map((r) => r.path).join(', ')} in ${environment}`) +
        ` (revision ${revision.number})` +
        (failed.length > 0 ? `: ${failureText}` : ''),
    });
  }

  /**
   * The patches to write, with every key in `deleted` dropped from the states: from the
   * evaluator's new states, and — as a correction — from the old state of a path that failed
   * after its previous key was deleted. In recovery, a state left as it was is not rewritten.
   */
  private async withoutDeletedKeys(text: string, selected: RotationTarget[], patches: RotationPatch[], records: RotatedPathRecord[], deleted: Set<string>, recovered: boolean): Promise<RotationPatch[]> {
    const out: RotationPatch[] = [];
    for (const t of selected) {
      const record = records.find((r) => r.path === t.path)!;
      const oldJs = jsAt(text, t.stateDocPath);
      const before = keyIdsOf(oldJs);
      const patch = patches.find((p) => samePathText(p.docPath, t.stateDocPath));
      if (patch) {
        const replacement = dropKeys(patch.replacement, deleted);
        const after = { current: credentialId(replacement, 'current'), previous: credentialId(replacement, 'previous') };
        if (recovered && after.current === before.current && after.previous === before.previous) continue;
        const dropped = [before.current, before.previous].filter((id): id is string => id !== undefined && deleted.has(id));
        if (dropped.length > 0) record.deletedKeyId = dropped.join(', ');
        if (after.current === before.current) delete record.newKeyId;
        out.push({ ...patch, replacement });
        continue;
      }
      const named = [before.current, before.previous].filter((id): id is string => id !== undefined && deleted.has(id));
      if (named.length === 0 || oldJs === undefined) continue;
      const cipher = await this.cipher(false);
      out.push({ docPath: t.stateDocPath, replacement: dropKeys(await stateValueFromYaml(oldJs, cipher), deleted) });
      record.deletedKeyId = named.join(', ');
    }
    return out;
  }

  /** Per selected path: old/new/deleted key ids from the patches, or the error from the diagnostics. */
  private pathRecords(oldText: string, selected: RotationTarget[], patches: RotationPatch[], diagnostics: Diagnostic[]): RotatedPathRecord[] {
    return selected.map((t) => {
      const record: RotatedPathRecord = { path: t.path, rotator: t.rotator ?? 'unknown' };
      const patch = patches.find((p) => samePathText(p.docPath, t.stateDocPath));
      if (patch) {
        const before = keyIdsOf(jsAt(oldText, t.stateDocPath));
        const newId = credentialId(patch.replacement, 'current');
        const newPrev = credentialId(patch.replacement, 'previous');
        if (before.current) record.oldKeyId = before.current;
        if (typeof newId === 'string') record.newKeyId = newId;
        if (before.previous && before.previous !== newId && before.previous !== newPrev) record.deletedKeyId = before.previous;
        return record;
      }
      const rotateNode = t.stateDocPath.replace(/\.state$/, '');
      const d = diagnostics.find((x) => x.severity === 1 && (x.path === rotateNode || x.path.startsWith(rotateNode) || rotateNode.startsWith(x.path + '[') || x.path === `values.${t.path}`));
      if (d) {
        record.error = d.summary.replace(/^rotate: /, '');
      } else {
        // Typically an input (e.g. the login) failed in an imported/referenced environment.
        const cause = diagnostics.find((x) => x.severity === 1);
        record.error = cause
          ? `not rotated: its inputs could not be evaluated (${cause.range.environment}, ${cause.path || 'document'}, line ${cause.range.begin.line}: ${cause.summary})`
          : 'not rotated: its inputs could not be evaluated';
      }
      return record;
    });
  }

  // ---------------------------------------------------------------- encryption, saves, rollback

  /**
   * Encrypts every plaintext `fn::secret` of the environment's file with the workspace data key.
   * The edits made since the last revision are recorded as a `save` first (see `HandEdits`),
   * even when there is nothing to encrypt: `encrypt` is the CLI's step after editing a file by
   * hand, and the one command there that records such edits without changing anything else.
   */
  async encryptFile(environment: string, options: { record?: boolean; trigger?: string } = {}): Promise<EncryptResult> {
    const file = this.workspace.requireFile(environment);
    const record = options.record !== false;
    if (!record && listPlaintextSecrets(fs.readFileSync(file, 'utf8')).length === 0) return { file, encrypted: 0 };
    const lock = await acquireEnvironmentLock(this.workspace.runDir, environment, { tool: this.tool, purpose: 'encryption', waitMs: 5000 });
    try {
      const current = fs.readFileSync(file, 'utf8');
      const { text: out, encrypted } = listPlaintextSecrets(current).length > 0 ? await encryptPlaintextSecrets(current, await this.cipher(true)) : { text: current, encrypted: 0 };
      const handEdits = record ? await this.recordEditsBeforeWrite(environment, current, options.trigger) : {};
      if (encrypted === 0) return { file, encrypted, ...handEdits };
      writeFileAtomic(file, out);
      const revision = record ? this.history.append(environment, { kind: 'encrypt', outcome: 'succeeded', paths: [], definition: out, message: `encrypted ${encrypted} secret(s)`, ...(options.trigger ? { trigger: options.trigger } : {}) }) : undefined;
      return { file, encrypted, ...(revision ? { revision } : {}), ...handEdits };
    } finally {
      lock.release();
    }
  }

  /** Records the environment's current definition as a `save` revision (secrets as ciphertext). */
  async recordSave(environment: string, options: { message?: string; trigger?: string } = {}): Promise<Revision> {
    const text = fs.readFileSync(this.workspace.requireFile(environment), 'utf8');
    return this.appendSave(environment, text, await this.digestIfPlaintext(text), options);
  }

  /**
   * Records a `save` revision only when the file differs from the definition of the newest
   * revision that has one (edits made since, in an editor or by hand); returns undefined when
   * it does not. Called on each save in VS Code; operations that write the file record the edits
   * themselves first, under their lock (`recordEditsBeforeWrite`). This one takes no lock: a save
   * must never make a rotation that starts at that moment fail as locked.
   */
  async recordSaveIfChanged(environment: string, options: { message?: string; trigger?: string } = {}): Promise<Revision | undefined> {
    return this.saveIfChanged(environment, fs.readFileSync(this.workspace.requireFile(environment), 'utf8'), options);
  }

  /**
   * The rule, in one place: under the environment's lock, right before an operation writes the
   * file, the text it is about to replace (`current`) is recorded as a `save` revision if it
   * differs from the newest recorded definition (unless saves are off, or there is no recorded
   * definition yet: the operation's own revision then starts the history). A failure is returned
   * as a warning, never thrown, for the caller to show with the save: a rotation (often urgent,
   * or unattended) and an encryption go on, since the edits stay in the file and in their own
   * revision; only their attribution is lost. A rollback refuses (see `rollback`).
   */
  private async recordEditsBeforeWrite(environment: string, current: string, trigger: string | undefined): Promise<HandEdits> {
    if (!this.recordSaves) return {};
    try {
      if (this.history.latestWithDefinition(environment) === undefined) return {};
      const by = this.saveTrigger ?? trigger;
      const save = await this.saveIfChanged(environment, current, { message: 'edits made since the previous revision', ...(by ? { trigger: by } : {}) });
      return save ? { save } : {};
    } catch (e) {
      return { saveWarning: `the edits to ${environment} since its last revision were not recorded as a save: ${describeError(e)}` };
    }
  }

  /**
   * `text` as a `save` revision unless the newest recorded definition is the same. A file holding
   * plaintext secrets is stored encrypted, so it is compared through its keyed digest instead
   * (see `Revision.sourceDigest`). The text an interrupted rotation wrote but did not record yet
   * is no edit: the next rotation's recovery records it as that rotation's revision.
   */
  private async saveIfChanged(environment: string, text: string, options: { message?: string; trigger?: string }): Promise<Revision | undefined> {
    if (await this.writtenByInterruptedRotation(environment, text)) return undefined;
    const latest = this.history.latestWithDefinition(environment);
    const digest = await this.digestIfPlaintext(text);
    if (digest === undefined ? latest?.definition === text : latest?.sourceDigest === digest) return undefined;
    return this.appendSave(environment, text, digest, options);
  }

  /** True when `text` is the file an interrupted rotation wrote (its journal's pending write). */
  private async writtenByInterruptedRotation(environment: string, text: string): Promise<boolean> {
    if (!this.pendingRecovery(environment)) return false;
    const journal = Journal.open(this.workspace.runDir, environment, await this.workspace.dataKey());
    return journal?.phase === 'writing' && journal.pendingWrite?.textSha256 === sha256(text);
  }

  private async appendSave(environment: string, text: string, sourceDigest: string | undefined, options: { message?: string; trigger?: string }): Promise<Revision> {
    const definition = await this.safeDefinition(text);
    return this.history.append(environment, { kind: 'save', outcome: 'succeeded', paths: [], definition, ...(sourceDigest ? { sourceDigest } : {}), ...(options.message ? { message: options.message } : {}), ...(options.trigger ? { trigger: options.trigger } : {}) });
  }

  /** The keyed digest of a text that holds plaintext secrets (its revision stores them encrypted); undefined for one that does not. */
  private async digestIfPlaintext(text: string): Promise<string | undefined> {
    return listPlaintextSecrets(text).length > 0 ? await this.sourceDigest(text) : undefined;
  }

  /** HMAC-SHA256 of the text under a key derived from the data key: comparable, not guessable. */
  private async sourceDigest(text: string): Promise<string> {
    const key = createHmac('sha256', await this.workspace.dataKey({ create: true })).update('esc-local save digest v1').digest();
    return createHmac('sha256', key).update(text, 'utf8').digest('base64');
  }

  /** The text with any plaintext secret encrypted (history never holds plaintext). */
  private async safeDefinition(text: string): Promise<string> {
    if (listPlaintextSecrets(text).length === 0) return text;
    return (await encryptPlaintextSecrets(text, await this.cipher(true))).text;
  }

  /**
   * Rolls the environment back to revision `number`, as a new revision. Rotated states are
   * never rolled back (the keys they name may be deleted): each `fn::rotate` keeps its current
   * state; the rest of the definition becomes the revision's.
   */
  async rollback(environment: string, number: number, options: { trigger?: string } = {}): Promise<RollbackResult> {
    const file = this.workspace.requireFile(environment);
    const target = this.history.get(environment, number);
    if (target.definition === undefined) throw new CoreError('RollbackRefused', `revision ${number} has no recorded definition to roll back to`, { environment });
    const lock = await acquireEnvironmentLock(this.workspace.runDir, environment, { tool: this.tool, purpose: 'rollback', waitMs: 5000 });
    try {
      if (this.pendingRecovery(environment)) {
        throw new CoreError('RollbackRefused', 'an interrupted rotation of this environment must be completed first', { environment }, 'run the rotation again, then roll back');
      }
      const current = fs.readFileSync(file, 'utf8');
      const currentTargets = findRotationTargets(current);
      const targetTargets = findRotationTargets(target.definition);
      const kept: string[] = [];
      const patches: RotationPatch[] = [];
      const cipher = currentTargets.length > 0 ? await this.cipher(false) : undefined;
      for (const t of currentTargets) {
        const state = jsAt(current, t.stateDocPath);
        if (state === undefined || !targetTargets.some((x) => samePathText(x.stateDocPath, t.stateDocPath))) continue;
        patches.push({ docPath: t.stateDocPath, replacement: await stateValueFromYaml(state, cipher!) });
        kept.push(t.path);
      }
      const newText = patches.length > 0 ? await applyPatches(target.definition, patches, cipher) : target.definition;
      const definition = await this.safeDefinition(newText);
      const sourceDigest = await this.digestIfPlaintext(newText);
      const handEdits = await this.recordEditsBeforeWrite(environment, current, options.trigger);
      // Unlike a rotation's or an encryption's, a rollback's own revision does not hold the edits
      // it overwrites: unrecorded, they would be lost.
      if (handEdits.saveWarning !== undefined) throw new CoreError('RollbackRefused', `${handEdits.saveWarning}; rolling back would lose them`, { environment, file }, 'fix the cause and roll back again; to roll back anyway, keep a copy of the file and turn saves off for the rollback (ESC_LOCAL_RECORD_SAVES=0, esc.history.recordSaves)');
      writeFileAtomic(file, newText);
      // Rotators the current file no longer has come back with their old state: say so.
      const revived = targetTargets.filter((t) => !currentTargets.some((c) => samePathText(c.stateDocPath, t.stateDocPath))).map((t) => t.path);
      let message =
        kept.length > 0
          ? `rolled ${environment} back to revision ${number} except the rotated secrets (${kept.join(', ')}), which keep their current state: rotations cannot be rolled back`
          : `rolled ${environment} back to revision ${number}`;
      if (revived.length > 0) message += `; ${revived.join(', ')} come back with the state of revision ${number}, which may name keys deleted since: rotate them to reconcile`;
      const revision = this.history.append(environment, { kind: 'rollback', outcome: 'succeeded', paths: [], rolledBackTo: number, definition, ...(sourceDigest ? { sourceDigest } : {}), message, ...(options.trigger ? { trigger: options.trigger } : {}) });
      return { revision, keptRotatedPaths: kept, message, ...handEdits };
    } finally {
      lock.release();
    }
  }
}

interface RunContext {
  environment: string;
  file: string;
  cipher: AesGcmCipher;
  options: RotateOptions;
  /** Aborted when the rotation's deadline passes. */
  deadline: AbortSignal;
  /** The edits recorded as a save before the first write of this call (recovery or rotation). */
  handEdits: HandEdits;
}

/** One pass of the rotation driver: a fresh rotation of `paths` (all when none), or the recovery of `journal`'s interrupted run. */
interface RotationStep {
  journal: Journal;
  mode: 'rotation' | 'recovery';
  paths: string[] | undefined;
}

/** What the rotators report during a pass: the principals they acted as, and the IAM users whose rotation completed. */
interface SessionReports {
  principals: string[];
  completedUsers: string[];
}

type EvalRotation = Awaited<ReturnType<typeof rotateEnvironment>>;

/** What a pass amounts to once evaluated, before anything is written. */
interface SettledRotation {
  patches: RotationPatch[];
  /** The path records the result and the revision show. */
  shown: RotatedPathRecord[];
  failed: RotatedPathRecord[];
  failureText: string;
  /** Deletions in AWS not yet reported by a revision. */
  deletedKeys: DeletedKeyRecord[];
  principalArn?: string;
  revisionBase: Omit<NewRevision, 'definition' | 'outcome'>;
  diagnostics: Diagnostic[];
  completedUsers: string[];
}

/** Rotators that journal what they change outside the file: a recovery completes their work. */
const JOURNALED_ROTATORS: ReadonlySet<string> = new Set(['aws-iam', 'postgres', 'mysql']);

/** A state without its entries (`current`, `previous`, …) whose `accessKeyId` is in `deleted`. */
function dropKeys(state: Value, deleted: Set<string>): Value {
  const d: unknown = state.value;
  if (deleted.size === 0 || d === null || typeof d !== 'object' || Array.isArray(d)) return state;
  const kept: { [k: string]: Value } = {};
  for (const [k, v] of Object.entries(d as { [k: string]: Value })) {
    const id = valueField(v, 'accessKeyId');
    if (typeof id === 'string' && deleted.has(id)) continue;
    kept[k] = v;
  }
  return { ...state, value: kept };
}

function canonicalValuesPath(p: string): string {
  const stripped = p.startsWith('values.') ? p.slice('values.'.length) : p.startsWith('values[') ? p.slice('values'.length) : p;
  try {
    return formatPath(parsePath(stripped));
  } catch {
    return stripped;
  }
}

function samePathText(a: string, b: string): boolean {
  try {
    return formatPath(parsePath(a)) === formatPath(parsePath(b));
  } catch {
    return a === b;
  }
}
