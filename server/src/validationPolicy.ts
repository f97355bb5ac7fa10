/**
 * The server's validation policy, in one place: which open documents are checked, when, and
 * what a newer event cancels. The LSP handlers only report events (opened, changed, closed, a
 * file changed on disk, settings changed); publishing the result is handlers/diagnosticsPublishing.ts.
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
 * folders change; a closed document's dependents when the disk's text they now see differs from
 * the editor's. A document opened or closed as it is on disk changes nothing for its dependents.
 *
 * Order (lazy validation): at most MAX_CONCURRENT_VALIDATIONS run at once. When many documents
 * open together (a restored session, a script opening a workspace), each one's own diagnostics
 * (syntax, structure: no evaluation) are published as it opens, and the evaluations follow in
 * the background, the newest and those the editor asks features for (a shown document) first;
 * every open document gets its full diagnostics, the ones the user looks at first. Evaluations
 * of documents opened in such a burst start once the openings pause (OPEN_BURST_PAUSE_MS), so
 * the burst itself is spent on each document's own diagnostics.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocuments } from 'vscode-languageserver';
import type { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';

export type ValidationRun = (uri: string, signal: AbortSignal) => Promise<void>;

/** How the policy's decisions are carried out (handlers/diagnosticsPublishing.ts, the checker). */
export interface ValidationActions {
  /** Validates one document and publishes its diagnostics; resolves true when they were published for its current text. */
  validateAndPublish(uri: string, signal: AbortSignal): Promise<boolean>;
  /** Publishes what the document itself shows (syntax, structure), without evaluating it. */
  publishWithoutEvaluation(uri: string): void;
  /** Called when the last open document closed: nothing is validated until the next one opens. */
  nothingOpen(): void;
  error(what: string, error: unknown): void;
}

/** Debounce for bursts of changes, in ms (`initializationOptions.diagnosticsDelayMs`). */
export const DEFAULT_DIAGNOSTICS_DELAY_MS = 15;

/** Validations running at once; more wait their turn, newest first (what the user just did or looks at). */
export const MAX_CONCURRENT_VALIDATIONS = 4;

/**
 * While documents open in bulk, their evaluations start once no document opened for this long:
 * the thread spends the burst giving each document its own diagnostics first.
 */
export const OPEN_BURST_PAUSE_MS = 50;

export class ValidationScheduler {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private readonly lastScheduled = new Map<string, number>();
  /** Documents whose delay is over, waiting for a free slot; `readyOrder`'s last live entry runs first. */
  private readonly ready = new Set<string>();
  private readyOrder: string[] = [];
  /** Documents opened in bulk, not started before the openings pause (`scheduleHeld`). */
  private readonly held = new Set<string>();
  private heldUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: ValidationRun,
    private delayMs: number,
    private readonly maxConcurrent = MAX_CONCURRENT_VALIDATIONS,
  ) {}

  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  schedule(uri: string, delayMs = this.delayMs): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.ready.delete(uri);
    this.held.delete(uri);
    this.running.get(uri)?.abort();
    const now = Date.now();
    const previous = this.lastScheduled.get(uri);
    this.lastScheduled.set(uri, now);
    // Part of a burst (a run pending or the previous change just now): wait for the burst to end.
    const inBurst = timer !== undefined || (previous !== undefined && now - previous < this.delayMs);
    if (!inBurst) delayMs = 0;
    this.startAfter(uri, delayMs);
  }

  /** True when nothing is running or waiting. */
  get idle(): boolean {
    return this.running.size === 0 && this.pending.size === 0 && this.ready.size === 0;
  }

  /** A document the user looks at: if it waits for a slot, it goes first (bulk opening or not). */
  prioritize(uri: string): void {
    this.held.delete(uri);
    if (this.ready.has(uri)) this.readyOrder.push(uri);
  }

  /**
   * `uri` was opened in bulk: ready at once (no timer per document), but it starts only once
   * this was not called for `ms` (the openings paused). Runs already going, and documents
   * scheduled otherwise, are not held.
   */
  scheduleHeld(uri: string, ms: number): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.pending.delete(uri);
    this.running.get(uri)?.abort();
    this.lastScheduled.set(uri, Date.now());
    this.held.add(uri);
    this.ready.add(uri);
    this.readyOrder.push(uri);
    this.holdUntilPause(ms);
  }

  private holdUntilPause(ms: number): void {
    this.heldUntil = Date.now() + ms;
    if (this.holdTimer) return;
    const release = (): void => {
      const left = this.heldUntil - Date.now();
      if (left > 0) {
        this.holdTimer = setTimeout(release, left);
        return;
      }
      this.holdTimer = undefined;
      this.held.clear();
      this.startReady();
    };
    this.holdTimer = setTimeout(release, ms);
  }

  /** Queues a run after `delayMs` (the caller cleared any pending timer); it starts when a slot is free. */
  private startAfter(uri: string, delayMs: number): void {
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        this.ready.add(uri);
        this.readyOrder.push(uri);
        this.startReady();
      }, delayMs),
    );
  }

  /** Starts the newest ready runs while fewer than `maxConcurrent` run (each abortable through `running`). */
  private startReady(): void {
    while (this.running.size < this.maxConcurrent && this.ready.size > 0) {
      const uri = this.nextReady();
      if (uri === undefined) break;
      this.ready.delete(uri);
      const controller = new AbortController();
      this.running.set(uri, controller);
      void this.run(uri, controller.signal).finally(() => {
        if (this.running.get(uri) === controller) this.running.delete(uri);
        this.startReady();
      });
    }
    if (this.ready.size === 0) this.readyOrder = [];
  }

  /** The newest ready document not held; entries of documents no longer ready (rescheduled, cancelled, or pushed again by prioritize) are dropped. */
  private nextReady(): string | undefined {
    for (let i = this.readyOrder.length - 1; i >= 0; i--) {
      const uri = this.readyOrder[i]!;
      if (!this.ready.has(uri)) {
        this.readyOrder.splice(i, 1);
      } else if (!this.held.has(uri)) {
        this.readyOrder.splice(i, 1);
        return uri;
      }
    }
    return undefined;
  }

  cancel(uri: string): void {
    const timer = this.pending.get(uri);
    if (timer) clearTimeout(timer);
    this.pending.delete(uri);
    this.ready.delete(uri);
    this.held.delete(uri);
    if (this.ready.size === 0) this.readyOrder = [];
    this.running.get(uri)?.abort();
    this.running.delete(uri);
    this.lastScheduled.delete(uri);
  }

  dispose(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.held.clear();
    for (const timer of this.pending.values()) clearTimeout(timer);
    for (const controller of this.running.values()) controller.abort();
    this.pending.clear();
    this.running.clear();
    this.ready.clear();
    this.readyOrder = [];
    this.lastScheduled.clear();
  }
}

export class ValidationPolicy {
  private readonly scheduler: ValidationScheduler;
  /** Documents whose text changed since they were last validated (their dependents follow). */
  private readonly changedSinceValidation = new Set<string>();
  /**
   * Documents opened alone (validated at once) whose diagnostics are not out yet: when a bulk
   * opening follows, they are part of it (their own diagnostics at once, evaluated after it).
   */
  private readonly openedAwaitingDiagnostics = new Set<string>();

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly workspace: EnvironmentWorkspace,
    private readonly actions: ValidationActions,
  ) {
    this.scheduler = new ValidationScheduler(async (uri, signal) => {
      if (!(await actions.validateAndPublish(uri, signal))) return;
      this.openedAwaitingDiagnostics.delete(uri);
      if (!this.changedSinceValidation.delete(uri)) return;
      try {
        this.revalidateDependents(uri);
      } catch (error) {
        actions.error('dependents', error);
      }
    }, DEFAULT_DIAGNOSTICS_DELAY_MS);
  }

  setDelay(ms: number): void {
    this.scheduler.setDelay(ms);
  }

  /**
   * A document was opened: validated at once; when others' validations are in the way (many
   * documents opened together), what the document itself shows is published at once and the
   * evaluation follows in turn (newest and shown first). `differsFromDisk`: its dependents saw
   * the disk's text, so they are re-validated too; a document opened as it is on disk changes
   * nothing for them.
   */
  opened(uri: string, differsFromDisk: boolean): void {
    if (differsFromDisk) this.changedSinceValidation.add(uri);
    // Anything else being checked may delay this one: what it shows by itself goes out now, and
    // its evaluation waits until the openings pause (a second document opened while the first is
    // checked is the start of a bulk opening: the burst is spent on each one's own diagnostics,
    // not on evaluations in the checker thread that compete for the same cores).
    if (this.scheduler.idle) {
      this.openedAwaitingDiagnostics.add(uri);
      this.scheduler.schedule(uri, 0);
      return;
    }
    // The document opened just before, whose check (and the checker thread's start) would
    // otherwise hold the whole burst's last diagnostics, is part of the burst too: its check
    // starts again after it.
    for (const first of this.openedAwaitingDiagnostics) this.holdOpened(first);
    this.openedAwaitingDiagnostics.clear();
    this.holdOpened(uri);
  }

  private holdOpened(uri: string): void {
    this.actions.publishWithoutEvaluation(uri);
    this.scheduler.scheduleHeld(uri, OPEN_BURST_PAUSE_MS);
  }

  changed(uri: string): void {
    this.openedAwaitingDiagnostics.delete(uri);
    this.changedSinceValidation.add(uri);
    this.scheduler.schedule(uri);
  }

  /** The user looks at this document (the editor asks for its symbols, tokens, hover, ...): it goes first. */
  shown(uri: string): void {
    this.scheduler.prioritize(uri);
  }

  /** A document was closed; its dependents now see the disk's text, re-validated when it differs from the editor's. */
  closed(uri: string, differsFromDisk: boolean): void {
    this.scheduler.cancel(uri);
    this.openedAwaitingDiagnostics.delete(uri);
    this.changedSinceValidation.delete(uri);
    if (differsFromDisk) this.revalidateDependents(uri);
    if (this.documents.all().length === 0) this.actions.nothingOpen();
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
