/**
 * The server's validation policy, in one place: which open documents are checked, when, and
 * what a newer event cancels. The LSP handlers only report events (opened, changed, closed, a
 * file changed on disk, settings changed); publishing the result is handlers/diagnostics.ts.
 *
 * Timing (ValidationScheduler): debounced, cancellable validation per document: the first change
 * after a pause validates at once (leading edge: no added latency for a single edit); changes
 * arriving within the delay of the previous one are coalesced into one run after the burst; and
 * a change arriving while a run is in flight aborts it (its result would be stale), so
 * diagnostics are only ever published for the latest text.
 *
 * Which documents (ValidationPolicy): an opened or changed document; after a changed document's
 * own diagnostics are out, the open documents that import or reference it (a change is reported
 * where it was made first); every open document when the environments root or the workspace
 * folders change; a closed document's dependents (they now see the disk version).
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import type { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';

export type ValidationRun = (uri: string, signal: AbortSignal) => Promise<void>;
/** Validates one document and publishes its diagnostics; resolves true when they were published for its current text. */
export type ValidateAndPublish = (uri: string, signal: AbortSignal) => Promise<boolean>;

/** Debounce for bursts of changes, in ms (`initializationOptions.diagnosticsDelayMs`). */
export const DEFAULT_DIAGNOSTICS_DELAY_MS = 15;

export class ValidationScheduler {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private readonly lastScheduled = new Map<string, number>();

  constructor(
    private readonly run: ValidationRun,
    private delayMs: number,
  ) {}

  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  schedule(uri: string, delayMs = this.delayMs): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.running.get(uri)?.abort();
    const now = Date.now();
    const previous = this.lastScheduled.get(uri);
    this.lastScheduled.set(uri, now);
    // Part of a burst (a run pending or the previous change just now): wait for the burst to end.
    const inBurst = timer !== undefined || (previous !== undefined && now - previous < this.delayMs);
    if (!inBurst) delayMs = 0;
    this.startAfter(uri, delayMs);
  }

  /** Starts a run (abortable through `running`) after `delayMs`; the caller cleared any pending timer. */
  private startAfter(uri: string, delayMs: number): void {
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        const controller = new AbortController();
        this.running.set(uri, controller);
        void this.run(uri, controller.signal).finally(() => {
          if (this.running.get(uri) === controller) this.running.delete(uri);
        });
      }, delayMs),
    );
  }

  cancel(uri: string): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.pending.delete(uri);
    this.running.get(uri)?.abort();
    this.running.delete(uri);
    this.lastScheduled.delete(uri);
  }

  dispose(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const controller of this.running.values()) controller.abort();
    this.pending.clear();
    this.running.clear();
    this.lastScheduled.clear();
  }
}

export class ValidationPolicy {
  private readonly scheduler: ValidationScheduler;
  /** Documents whose text changed since they were last validated (their dependents follow). */
  private readonly changedSinceValidation = new Set<string>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly workspace: EnvironmentWorkspace,
    validateAndPublish: ValidateAndPublish,
    private readonly onError: (what: string, error: unknown) => void,
  ) {
    this.scheduler = new ValidationScheduler(async (uri, signal) => {
      if (!(await validateAndPublish(uri, signal))) return;
      if (!this.changedSinceValidation.delete(uri)) return;
      try {
        this.revalidateDependents(uri);
      } catch (error) {
        this.onError('dependents', error);
      }
    }, DEFAULT_DIAGNOSTICS_DELAY_MS);
  }

  setDelay(ms: number): void {
    this.scheduler.setDelay(ms);
  }

  opened(uri: string): void {
    this.scheduler.schedule(uri, 0);
  }

  changed(uri: string): void {
    this.changedSinceValidation.add(uri);
    this.scheduler.schedule(uri);
  }

  closed(uri: string): void {
    this.scheduler.cancel(uri);
    this.changedSinceValidation.delete(uri);
    this.revalidateDependents(uri);
  }

  /** A file changed or was deleted on disk: an open document's own change events cover it. */
  changedOnDisk(uri: string): void {
    if (!this.documents.get(uri)) this.revalidateDependents(uri);
  }

  /** Settings or workspace folders changed: names and imports may resolve differently. */
  everything(): void {
    for (const document of this.documents.all()) this.scheduler.schedule(document.uri);
  }

  dispose(): void {
    this.scheduler.dispose();
  }

  /** Re-validates open documents that depend on `uri`'s environment (after it changed). */
  private revalidateDependents(uri: string): void {
    const name = this.workspace.nameOf(uri);
    if (name === undefined) return;
    for (const document of this.documents.all()) {
      if (document.uri === uri) continue;
      const other = this.workspace.nameOf(document.uri);
      if (other !== undefined && this.workspace.dependsOn(other, name)) this.scheduler.schedule(document.uri);
    }
  }
}
