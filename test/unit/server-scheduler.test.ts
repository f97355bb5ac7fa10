/** The server's validation scheduler: leading edge, burst coalescing, cancel when superseded. */
import { strict as assert } from 'node:assert';
import { EnvironmentWorkspace } from '../../shared/src/language/environmentWorkspace';
import { OPEN_BURST_PAUSE_MS, ValidationPolicy, ValidationScheduler } from '../../server/src/validationPolicy';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A scheduler whose runs record their start and wait until released (no debounce). */
function blockingScheduler(concurrency: number): { scheduler: ValidationScheduler; started: string[]; releases: Map<string, () => void> } {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const scheduler = new ValidationScheduler(
    async (uri) => {
      started.push(uri);
      await new Promise<void>((r) => releases.set(uri, r));
    },
    0,
    concurrency,
  );
  return { scheduler, started, releases };
}

describe('validation scheduler', () => {
  it('validates a single change at once, coalesces a burst, and aborts a run that is superseded', async () => {
    const runs: { uri: string; signal: AbortSignal; at: number }[] = [];
    let release: () => void = () => undefined;
    const scheduler = new ValidationScheduler(async (uri, signal) => {
      runs.push({ uri, signal, at: Date.now() });
      await new Promise<void>((r) => (release = r));
    }, 40);
    try {
      const start = Date.now();
      scheduler.schedule('a');
      await tick(5);
      assert.equal(runs.length, 1, 'leading edge: ran without waiting for the delay');
      assert.ok(runs[0]!.at - start < 30);
      // A burst while the first run is in flight: it is aborted, the burst runs once after the delay.
      scheduler.schedule('a');
      assert.equal(runs[0]!.signal.aborted, true);
      scheduler.schedule('a');
      scheduler.schedule('a');
      await tick(20);
      assert.equal(runs.length, 1, 'still coalescing');
      await tick(60);
      assert.equal(runs.length, 2, 'one run for the burst');
      assert.equal(runs[1]!.signal.aborted, false);
      release();
      // Documents are independent.
      scheduler.schedule('b');
      await tick(5);
      assert.deepEqual(runs.map((r) => r.uri), ['a', 'a', 'b']);
      scheduler.cancel('b');
      assert.equal(runs[2]!.signal.aborted, true);
    } finally {
      release();
      scheduler.dispose();
    }
  });

  it('runs at most the concurrency limit at once, then the newest waiting document, and a shown one before it', async () => {
    const { scheduler, started, releases } = blockingScheduler(2);
    try {
      for (const uri of ['a', 'b', 'c', 'd', 'e']) scheduler.schedule(uri, 0);
      await tick(10);
      assert.deepEqual(started, ['a', 'b'], 'two slots: the others wait');
      scheduler.prioritize('c');
      releases.get('a')!();
      await tick(10);
      assert.deepEqual(started, ['a', 'b', 'c'], 'the shown document goes first');
      releases.get('b')!();
      await tick(10);
      assert.deepEqual(started, ['a', 'b', 'c', 'e'], 'then the newest');
      scheduler.cancel('d');
      releases.get('c')!();
      releases.get('e')!();
      await tick(10);
      assert.deepEqual(started, ['a', 'b', 'c', 'e'], 'a cancelled document never runs');
      assert.equal(scheduler.idle, true);
    } finally {
      for (const release of releases.values()) release();
      scheduler.dispose();
    }
  });

  it('holds documents opened in bulk until the openings pause, but not running ones, others, or a shown one', async () => {
    const { scheduler, started, releases } = blockingScheduler(1);
    try {
      assert.equal(scheduler.idle, true);
      scheduler.schedule('a', 0);
      assert.equal(scheduler.idle, false);
      for (const uri of ['b', 'c', 'd']) scheduler.scheduleHeld(uri, 500);
      scheduler.schedule('e', 0); // changed, not opened in bulk
      await tick(20);
      assert.deepEqual(started, ['a'], 'a was scheduled before the burst');
      releases.get('a')!();
      await tick(20);
      assert.deepEqual(started, ['a', 'e'], 'the held ones wait, a document scheduled otherwise does not');
      scheduler.prioritize('b');
      releases.get('e')!();
      await tick(20);
      assert.deepEqual(started, ['a', 'e', 'b'], 'a shown document is not held');
      releases.get('b')!();
      await tick(20);
      assert.deepEqual(started, ['a', 'e', 'b'], 'still opening (within the pause)');
      await tick(700);
      assert.deepEqual(started, ['a', 'e', 'b', 'd'], 'after the pause, newest first');
      releases.get('d')!();
      await tick(20);
      assert.deepEqual(started, ['a', 'e', 'b', 'd', 'c']);
      releases.get('c')!();
      await tick(20);
      assert.equal(scheduler.idle, true);
    } finally {
      for (const release of releases.values()) release();
      scheduler.dispose();
    }
  });

  it('a document opened alone is evaluated at once; when a bulk opening follows, it gets its own diagnostics at once with the others and is evaluated after the burst', async () => {
    const events: string[] = [];
    const signals = new Map<string, AbortSignal[]>();
    // No document is in the editor's list: the policy reads it only for dependents and the last close.
    const documents = { all: () => [], get: () => undefined } as unknown as ConstructorParameters<typeof ValidationPolicy>[0];
    const policy = new ValidationPolicy(documents, new EnvironmentWorkspace({ read: () => undefined }), {
      validateAndPublish: async (uri, signal) => {
        events.push(`evaluate ${uri}`);
        signals.set(uri, [...(signals.get(uri) ?? []), signal]);
        // Evaluations outlast the burst (a checker thread starting, a large document).
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        return false;
      },
      publishWithoutEvaluation: (uri) => events.push(`own ${uri}`),
      nothingOpen: () => undefined,
      error: (what, error) => assert.fail(`${what}: ${String(error)}`),
    });
    try {
      policy.opened('a', false);
      await tick(10);
      assert.deepEqual(events, ['evaluate a'], 'alone: evaluated at once, no separate own diagnostics');
      for (const uri of ['b', 'c']) policy.opened(uri, false);
      assert.deepEqual(events, ['evaluate a', 'own a', 'own b', 'own c'], 'the burst: own diagnostics of each, a included');
      assert.equal(signals.get('a')![0]!.aborted, true, "a's evaluation gave way to the burst");
      await tick(OPEN_BURST_PAUSE_MS / 2);
      assert.equal(events.length, 4, 'no evaluation while the openings go on');
      await tick(OPEN_BURST_PAUSE_MS * 4);
      assert.deepEqual(events.slice(4).sort(), ['evaluate a', 'evaluate b', 'evaluate c'], 'then every one is evaluated');
    } finally {
      policy.dispose();
    }
  });
});
