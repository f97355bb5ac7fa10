/**
 * Debounced, cancellable validation per document: the first change after a pause validates at
 * once (leading edge: no added latency for a single edit); changes arriving within the delay of
 * the previous one are coalesced into one run after the burst; and a change arriving while a run
 * is in flight aborts it (its result would be stale), so diagnostics are only ever published for
 * the latest text.
 */
export type ValidationRun = (uri: string, signal: AbortSignal) => Promise<void>;

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
