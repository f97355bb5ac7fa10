/**
 * Check-mode evaluation on a worker thread, so that validating a large environment neither
 * blocks completion/hover nor waits for the main thread's own parse of the document (on a
 * multi-core machine both run at once). The worker has no file access of its own: it asks the
 * main thread for each environment's text (open documents win over disk there), and the texts
 * the previous check of the same environment needed are sent along with the job.
 *
 * Messages: main → worker `check` / `abort` / `text`; worker → main `load` / `result`.
 *
 * Resource limits: the worker runs under `resourceLimits` (heap and stack), so a hostile document
 * can exhaust the worker, never the server: a worker that dies of it gets its jobs answered with
 * one located diagnostic, and the next check starts a fresh worker. A worker whose heap grew past
 * RECYCLE_HEAP_MB (V8 rarely gives memory back to the system) is ended once idle, so memory taken
 * for a large document is returned when that check is done; so is the worker when the server has
 * no document open (`endIfIdle`).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import { CancelledError, type CheckOutcome, type EnvironmentChecker } from '../../shared/src/language/service';
import type { EnvironmentLoader } from '../../shared/src/contract/plugins';
import { memo, type LazyValues, type Values } from '../../shared/src/language/checkedValues';
import type { Diagnostic as EvalDiagnostic } from '../../shared/src/syntax/diagnostic';
import type { LazySchemas, SchemaIndex } from '../../shared/src/language/schemas';
import type { Json } from '../../shared/src/schema/schema';

export const WORKER_MARKER = 'esc-checker-worker';

/** Heap limits of the checker worker: far above what real environments need (a 5,000-line one: ~60 MB). */
export const WORKER_LIMITS = { maxOldGenerationSizeMb: 768, maxYoungGenerationSizeMb: 48, stackSizeMb: 8 } as const;
/**
 * The worker's young generation starts at its largest (a third of WORKER_LIMITS'): checks of
 * large documents run at full speed from the first one, and the memory goes back when the worker ends.
 */
const WORKER_SEMI_SPACE_MB = 16;

/**
 * V8 never shrinks a young generation it has grown (seen: 32 MB kept by a server with nothing
 * open), so the server's own thread keeps the one it starts with: a growth factor of 1. The flag
 * is process-wide and each new isolate resets it to at least 2, hence set again once the worker
 * runs; the worker itself needs no growth (WORKER_SEMI_SPACE_MB).
 */
export function keepYoungGenerationSize(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** An idle worker whose heap is larger than this is ended (the next check starts a fresh one). */
export const RECYCLE_HEAP_MB = 128;

type ToWorker =
  | { type: 'check'; job: number; envName: string; texts: [string, string | null][]; only?: string[] }
  | { type: 'abort'; job: number }
  | { type: 'text'; job: number; name: string; text: string | null };

type FromWorker =
  | { type: 'load'; job: number; name: string }
  | { type: 'result'; job: number; outcome?: CheckOutcome; error?: string }
  /** Values and schemas as UTF-8 JSON in pieces moved (not copied) to the main thread: a large environment's are megabytes. */
  | { type: 'values'; job: number; json?: Uint8Array[]; schemas?: Uint8Array[]; heapMb: number };

interface Pending {
  loader: EnvironmentLoader;
  /** Settles the outcome's `valuesLater` (values follow the diagnostics in a second message). */
  values?: (values: LazyValues | undefined, schemas: LazySchemas | undefined) => void;
  envName: string;
  needed: Set<string>;
  resolve: (outcome: CheckOutcome) => void;
  reject: (error: Error) => void;
}

export class WorkerChecker implements EnvironmentChecker {
  private worker: Worker | undefined;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  /** Environment names each root's last check loaded (prefetched next time). */
  private readonly lastNeeded = new Map<string, Set<string>>();

  constructor(
    private readonly entry: string,
    private readonly context: { [key: string]: Json },
    private readonly log: (message: string) => void,
    private readonly limits: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number; stackSizeMb: number } = WORKER_LIMITS,
  ) {}

  /** True while a worker thread is alive (it is started on demand and ended when recycled). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    setFlagsFromString(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
    const worker = new Worker(this.entry, { workerData: { role: WORKER_MARKER, context: this.context }, stdout: false, stderr: false, resourceLimits: this.limits });
    worker.unref();
    worker.once('online', keepYoungGenerationSize);
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.log(`checker worker ran out of its ${this.limits.maxOldGenerationSizeMb} MB heap; a fresh one takes the next check`);
        this.answerAll(`checking stopped: the environment needs more than the checker's ${this.limits.maxOldGenerationSizeMb} MB memory limit`);
        return;
      }
      this.log(`checker worker failed: ${error.stack ?? error.message}`);
      this.failAll(error);
    });
    worker.on('exit', (code) => {
      // A worker ended on purpose (recycled, or after running out of memory) is no longer current.
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (code !== 0) this.failAll(new Error(`checker worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    this.worker = undefined;
    for (const [, pending] of this.pending) {
      pending.values?.(undefined, undefined);
      pending.reject(error);
    }
    this.pending.clear();
  }

  /** Answers every pending job with one error at the start of its environment (the worker is gone). */
  private answerAll(summary: string): void {
    this.worker = undefined;
    for (const [, pending] of this.pending) {
      const at = { line: 1, column: 1, byte: 0 };
      const diagnostic: EvalDiagnostic = { severity: 1, summary, path: '', range: { environment: pending.envName, begin: at, end: at } };
      pending.values?.(undefined, undefined);
      pending.resolve({ diagnostics: [diagnostic] });
    }
    this.pending.clear();
  }

  /** Ends the worker when it is idle and its heap grew large: memory goes back to the system. */
  private recycleIfLarge(heapMb: number): void {
    if (heapMb > RECYCLE_HEAP_MB) this.endIfIdle();
  }

  /** Ends the worker if no check is pending (the server has nothing open); the next check starts a fresh one. */
  endIfIdle(): void {
    if (this.pending.size > 0 || !this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    void worker.terminate();
  }

  private onMessage(message: FromWorker): void {
    const pending = this.pending.get(message.job);
    if (!pending) return;
    if (message.type === 'load') {
      pending.needed.add(message.name);
      void pending.loader.load(message.name).then(
        (loaded) => this.worker?.postMessage({ type: 'text', job: message.job, name: message.name, text: loaded?.text ?? null } satisfies ToWorker),
        () => this.worker?.postMessage({ type: 'text', job: message.job, name: message.name, text: null } satisfies ToWorker),
      );
      return;
    }
    if (message.type === 'values') {
      this.pending.delete(message.job);
      // Serialized in the worker, decoded here only when hover first asks.
      const json = message.json;
      const schemas = message.schemas;
      pending.values?.(json === undefined ? undefined : memo(() => parsePieces<Values>(json)), schemas === undefined ? undefined : memo(() => parsePieces<SchemaIndex>(schemas)));
      this.recycleIfLarge(message.heapMb);
      return;
    }
    if (message.outcome) {
      this.lastNeeded.set(pending.envName, pending.needed);
      // Values are serialized after the diagnostics went out: off the diagnostics' critical path.
      let settleSchemas: (schemas: LazySchemas | undefined) => void = () => undefined;
      const schemasLater = new Promise<LazySchemas | undefined>((resolve) => (settleSchemas = resolve));
      const valuesLater = new Promise<LazyValues | undefined>((resolve) => {
        pending.values = (values, schemas) => {
          resolve(values);
          settleSchemas(schemas);
        };
      });
      const outcome: CheckOutcome = { ...message.outcome, valuesLater, schemasLater };
      pending.resolve(outcome);
    } else {
      this.pending.delete(message.job);
      pending.reject(new Error(message.error ?? 'checker worker failed'));
    }
  }

  async check(envName: string, loader: EnvironmentLoader, signal?: AbortSignal, only?: ReadonlySet<string>): Promise<CheckOutcome> {
    if (signal?.aborted) throw new CancelledError();
    const worker = this.ensureWorker();
    const job = this.nextJob++;
    const names = new Set([envName, ...(this.lastNeeded.get(envName) ?? [])]);
    const texts: [string, string | null][] = [];
    for (const name of names) texts.push([name, (await loader.load(name))?.text ?? null]);
    if (signal?.aborted) throw new CancelledError();
    return new Promise<CheckOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        const entry = this.pending.get(job);
        if (!entry) return;
        this.pending.delete(job);
        entry.values?.(undefined, undefined);
        worker.postMessage({ type: 'abort', job } satisfies ToWorker);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(job, {
        loader,
        envName,
        needed: new Set(),
        resolve: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      worker.postMessage({ type: 'check', job, envName, texts, ...(only ? { only: [...only] } : {}) } satisfies ToWorker);
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

const utf8 = new TextDecoder();

/** How long serializing runs between two pauses (ms): a check waits at most about this long. */
const STEP_MS = 4;
const encoder = new TextEncoder();

/**
 * `JSON.stringify(object)` for an object of many top-level keys, as UTF-8 in pieces (their
 * concatenation is the JSON text), pausing (`pause`) every STEP_MS. The pieces are moved, not
 * copied, to the main thread, which decodes them when hover first asks.
 */
async function jsonInSteps(object: { [key: string]: unknown }, pause: () => Promise<void>): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = [];
  let parts = ['{'];
  let separator = '';
  let since = performance.now();
  for (const key of Object.keys(object)) {
    const value = JSON.stringify(object[key]);
    if (value !== undefined) {
      parts.push(`${separator}${JSON.stringify(key)}:${value}`);
      separator = ',';
    }
    if (performance.now() - since > STEP_MS) {
      pieces.push(encoder.encode(parts.join('')));
      parts = [];
      await pause();
      since = performance.now();
    }
  }
  parts.push('}');
  pieces.push(encoder.encode(parts.join('')));
  return pieces;
}

/** The JSON text of pieces made by `jsonInSteps`, parsed. */
function parsePieces<T>(pieces: Uint8Array[]): T {
  return JSON.parse(pieces.map((piece) => utf8.decode(piece)).join('')) as T;
}

/**
 * The worker's side: evaluates jobs with texts from the main thread.
 *
 * A check's values and schemas (for hover) are serialized after its result went out, in the
 * order of the checks (an incremental result's values are merged into the previous check's);
 * those of a reduced check in steps that pause whenever a check is under way, so the next
 * keystroke's check does not wait for them. Until they arrive, hover shows the last values the
 * main thread has.
 */
export function runCheckerWorker(port: MessagePort, context: { [key: string]: Json }): void {
  const checker = createCheckModeChecker(context);
  const jobs = new Map<number, { texts: Map<string, string | null>; waiting: Map<string, ((text: string | null) => void)[]>; controller: AbortController }>();
  /** Serializations waiting for no check to be under way. */
  const idleWaiters: (() => void)[] = [];
  const checkEnded = (): void => {
    if (jobs.size === 0) for (const wake of idleWaiters.splice(0)) wake();
  };
  /** Resolves once the messages that came meanwhile were read and no check is under way. */
  const checksFirst = (): Promise<void> =>
    new Promise((resolve) =>
      setImmediate(() => {
        if (jobs.size === 0) resolve();
        else idleWaiters.push(resolve);
      }),
    );
  let serializing = Promise.resolve();
  const serialize = async (job: number, outcome: CheckOutcome, aborted: AbortSignal, giveWay: boolean): Promise<void> => {
    let schemas: Uint8Array[] | undefined;
    let json: Uint8Array[] | undefined;
    // A full check's values are the basis every later incremental result is merged into, and full
    // checks are rare: they go out before the next check starts. A reduced check's (the entries an
    // edit reached) give way to the next keystroke's check.
    const pause = giveWay ? checksFirst : (): Promise<void> => Promise.resolve();
    if (!aborted.aborted) {
      try {
        await pause();
        let index: SchemaIndex | undefined;
        if (outcome.schemaSteps) {
          const steps = outcome.schemaSteps();
          for (let step = steps.next(); ; step = steps.next()) {
            if (step.done) {
              index = step.value;
              break;
            }
            await pause();
          }
        } else index = outcome.schemas?.();
        schemas = index ? [encoder.encode('{"nodes":'), ...(await jsonInSteps(index.nodes, pause)), encoder.encode(',"refs":'), ...(await jsonInSteps(index.refs, pause)), encoder.encode('}')] : undefined;
      } catch {
        schemas = undefined; // hover then shows values without schemas; never lose the values
      }
      try {
        json = outcome.values ? await jsonInSteps(outcome.values, pause) : undefined;
      } catch {
        json = undefined; // hover shows no values; the main thread still hears the job is done
      }
    }
    const heapMb = getHeapStatistics().used_heap_size / 2 ** 20;
    const moved = [...(json ?? []), ...(schemas ?? [])].map((piece) => piece.buffer).filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
    port.postMessage({ type: 'values', job, ...(json ? { json } : {}), ...(schemas ? { schemas } : {}), heapMb } satisfies FromWorker, moved);
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') {
      const job = jobs.get(message.job);
      jobs.delete(message.job);
      if (!job) return;
      job.controller.abort();
      // Nobody will answer this job's pending loads any more.
      for (const wakers of job.waiting.values()) for (const wake of wakers) wake(null);
      job.waiting.clear();
      checkEnded();
    } else if (message.type === 'text') {
      const job = jobs.get(message.job);
      if (!job) return;
      job.texts.set(message.name, message.text);
      for (const wake of job.waiting.get(message.name) ?? []) wake(message.text);
      job.waiting.delete(message.name);
    } else {
      const job = { texts: new Map(message.texts), waiting: new Map<string, ((text: string | null) => void)[]>(), controller: new AbortController() };
      jobs.set(message.job, job);
      const loader: EnvironmentLoader = {
        load: async (name) => {
          let text = job.texts.get(name);
          if (text === undefined) {
            text = await new Promise<string | null>((resolve) => {
              const list = job.waiting.get(name) ?? [];
              list.push(resolve);
              job.waiting.set(name, list);
              if (list.length === 1) port.postMessage({ type: 'load', job: message.job, name } satisfies FromWorker);
            });
          }
          return text === null ? undefined : { text };
        },
      };
      // Started after the messages already here are read: a check superseded while the thread was
      // busy (its abort is among them) is dropped unstarted, so a burst of keystrokes that queued
      // up behind a long check costs one check, not one each.
      const started = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        if (job.controller.signal.aborted) throw new CancelledError();
        return checker.check(message.envName, loader, job.controller.signal, message.only ? new Set(message.only) : undefined);
      });
      started.then(
        (outcome) => {
          jobs.delete(message.job);
          checkEnded();
          if (job.controller.signal.aborted) return;
          port.postMessage({ type: 'result', job: message.job, outcome: { diagnostics: outcome.diagnostics, ...(outcome.unevaluated ? { unevaluated: true } : {}) } } satisfies FromWorker);
          serializing = serializing.then(() => serialize(message.job, outcome, job.controller.signal, message.only !== undefined)).catch(() => undefined);
        },
        (error: unknown) => {
          jobs.delete(message.job);
          checkEnded();
          port.postMessage({ type: 'result', job: message.job, error: error instanceof Error ? error.message : String(error) } satisfies FromWorker);
        },
      );
    }
  });
}
