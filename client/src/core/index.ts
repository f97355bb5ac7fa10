/**
 * # esc-local rotation core (vscode-free; used by the extension and the CLI)
 *
 * Everything that touches secrets, the OS keychain, AWS or the history lives here; callers
 * (client/src/extension/ glue, client/src/cli/) only present results. Nothing in here
 * imports `vscode`. Every failure is a {@link CoreError} with `code`, `location`
 * ({environment, path, operation, file}) and `hint`; its `message` is safe to show and log
 * (never contains a secret).
 *
 * ## Entry point: `EscCore`
 * ```ts
 * const core = new EscCore({
 *   workspace: { root, environmentsRoot: 'environments', toolDir: '.esc' }, // settings
 *   keychainService: 'esc-local',                 // setting; same for extension and CLI
 *   aws: { iamEndpoint?, stsEndpoint?, defaultRegion? }, // settings; else SDK standard env vars
 *   tool: 'VS Code' | 'esc-local CLI',            // shown to the other side of a lock
 *   log: (line) => outputChannel.appendLine(line), // never receives secrets
 *   recordSaves?: true,                           // edits since the last revision → a `save` revision before any write
 *   saveTrigger?: 'extension' | 'cli',            // recorded on those saves
 * });
 * core.workspace.listEnvironments()      // [{name, file}] — names are paths under the root w/o extension
 * core.workspace.nameForFile(file)       // environment name of a file, or undefined
 * core.workspace.loader(decrypter?)      // EnvironmentLoader for the evaluator
 * core.providers({ session? })           // ProviderLoader: aws-login, aws-iam, password, passphrase
 *
 * // Rotation (lock → recover/journal → preflight → rotate → write file → history → unlock)
 * const r = await core.rotate('prod/app', {
 *   paths?: ['iam', 'db.password'],   // paths under `values` (ESC syntax); all fn::rotate when omitted
 *   waitMs?: 0,                       // wait for another rotation of the env; default fail at once (code 'Locked')
 *   signal?,                          // cancel; honoured until the point of no return
 *   onPointOfNoReturn?: () => …,      // first AWS change is about to happen: stop offering "Cancel"
 *   onProgress?: (line) => …,         // progress lines, never secrets
 *   trigger?: 'extension' | 'cli' | 'schedule',
 *   recordFailures?: true,            // failed runs are recorded as revisions with outcome 'failed'
 *   writeText?: async (file, newText, oldText) => …, // e.g. apply as a WorkspaceEdit when the file is open
 * });
 * // r: RotationResult {environment, file, ok, recovered, message, principalArn?, revision?,
 * //    paths: RotatedPathRecord[] ({path, rotator, oldKeyId?, newKeyId?, deletedKeyId?, error?}),
 * //    diagnostics, save?, saveWarning?} — a failed path does not throw: see r.ok / paths[i].error.
 * //    save: the edits made to the file since its last revision, recorded as a `save` revision
 * //    under the lock right before the write (rotate, encryptFile and rollback all do this and
 * //    return it: notify `environment.saved` webhooks); saveWarning: why they could not be (the
 * //    rotation and the encryption go on, their own revision holds the edits; a rollback refuses).
 * // Throws CoreError for: EnvironmentNotFound, InvalidInput (unknown path), Locked,
 * //    KeychainUnavailable, DataKeyMissing, EvaluationFailed (YAML errors).
 * core.pendingRecovery('prod/app')       // true if an interrupted rotation will be completed first
 * core.rotationTargets('prod/app')       // [{path, rotator, stateDocPath}] fn::rotate calls, for the quick pick
 *
 * // Opening (preview / `esc-local open`): providers run; secrets decrypted only here
 * await core.open('prod/app', { signal? })   // EvalResult of shared/src/eval (use toJSON(v, {redact}))
 *
 * // Encryption of plaintext fn::secret values with the workspace data key (escx envelope)
 * await core.encryptFile('prod/app')      // {file, encrypted: number, revision?, save?, saveWarning?}; creates the data key if needed
 * await core.recordSave('prod/app', { message?, trigger? }) // explicit save revision
 * await core.recordSaveIfChanged('prod/app', { trigger? })   // on an editor save: a save revision only if the file changed since the last revision
 *
 * // History (.esc/history/<env>/<000001>.json — committable, no secrets)
 * core.history.list(env) / .show(env, n) (redacted) / .diff(env, file, a, b?) / .latest(env)
 * core.history.tags(env) / .tag(env, name, n) / .untag(env, name) / .resolve(env, '3' | 'latest' | tag)
 * core.history.environments()
 * core.history.watch((env) => refreshTree(env))  // → dispose(); fires for CLI-made revisions too
 * await core.rollback(env, n)             // new revision; rotated states are kept (not rolled back)
 *                                          // → {revision, keptRotatedPaths: string[], message, save?}
 * ```
 *
 * ## Keychain (`core.keychain`, class {@link Keychain})
 * `setAwsCredentials(name, {accessKeyId, secretAccessKey, sessionToken?})`,
 * `getAwsCredentials(name)`, `forgetAwsCredentials(name)`, `listAwsCredentialNames()` (names only),
 * `probe()` (throws `KeychainUnavailable` with how to fix it). Names: a role ARN (used by
 * `aws-login` `oidc` for that role) or any name (e.g. `default`, the fallback). Data keys:
 * `core.workspace.dataKey({create})`, `core.workspace.importDataKey(b64)`.
 *
 * ## Crash safety
 * A rotation holds `.esc/run/locks/<env>.lock` (cross-process) and writes a journal
 * `.esc/run/journal/<env>.json` (0600, secrets sealed with the data key) before every AWS
 * side effect. The next `rotate` of that environment first finishes what an interrupted
 * rotation started (a `recovery` revision; it never creates a key), then performs the rotation
 * asked for, and returns `recovered: true` with `recovery` set. Keys the tool cannot prove it
 * created are drift (never deleted); every deleted key is in `deletedKeys` and the revision.
 * Every AWS call has a deadline and the rotation one too (`timeoutMs`): the lock is released by then.
 * `ESC_LOCAL_CRASH_AT=<step>` (see rotation/crashpoints.ts) makes a process SIGKILL itself at a step —
 * used by the crash tests only.
 */
export { EscCore, type CoreOptions, type EncryptResult, type HandEdits, type RotateOptions, type RotationResult, type RollbackResult } from './escCore';
export { findRotationTargets, type RotationTarget } from './yamlstate';
export { CoreError, isCoreError, describeError, type CoreErrorCode, type ErrorLocation } from './errors';
export { Keychain, DEFAULT_KEYCHAIN_SERVICE, explainKeychainFailure, type AwsCredentials, type KeytarLike } from './keychain';
export { Workspace, dataKeyId, type WorkspaceOptions, type EnvironmentFile } from './workspace';
export { HistoryStore, redactDefinition, validateTagName, type RevisionTag, type Revision, type RevisionKind, type RotatedPathRecord, type NewRevision } from './history/historyStore';
export { acquireEnvironmentLock, lockFile, type HeldLock, type LockOptions, type LockOwner } from './fs/lock';
export { Journal, journalFile, type JournalEntry, type JournalPhase } from './rotation/journal';
export { CRASH_POINTS, type CrashPoint } from './rotation/crashpoints';
export type { AwsSettings } from './aws/clients';
export { AwsLoginProvider, parseDurationSeconds, DEFAULT_CREDENTIAL_NAME } from './providers/awsLogin';
export { AwsIamRotator, userNameFromArn, type AwsRotationSession, type IamKey, type IamState } from './rotators/awsIam';
export { PasswordRotator, PassphraseRotator, generatePassword, generatePassphrase, DEFAULT_SPECIAL } from './rotators/password';
export { unifiedDiff, type DiffSide } from './history/unifiedDiff';
