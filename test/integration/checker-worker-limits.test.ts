/**
 * The checker worker under hostile input, as its own thread (split from the in-process
 * hostile-input unit tests: each starts a worker and checks 120,000–150,000-item lists, tens of
 * seconds on a loaded machine): a document that exhausts the worker's heap limit gets one located
 * diagnostic and the next check runs; a worker whose heap grew past the recycling size is ended
 * once idle and a new one checks on.
 */
import { strict as assert } from 'node:assert';
import { WorkerChecker } from '../../server/src/checkerWorker';
import { SERVER_MAIN } from './lsp-support';

describe('checker worker: heap limits and recycling', function () {
  this.timeout(180_000);

  it('the checker worker answers a document that exhausts its heap limit with a located diagnostic, then checks on', async () => {
    const logs: string[] = [];
    const checker = new WorkerChecker(SERVER_MAIN, {}, (m) => logs.push(m), { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4, stackSizeMb: 4 });
    try {
      const big = `values:\n  a:\n${Array.from({ length: 150_000 }, (_, i) => `    - {k: ${i}}\n`).join('')}`;
      const outcome = await checker.check('big', { load: async () => ({ text: big }) });
      assert.equal(outcome.diagnostics.length, 1);
      assert.match(outcome.diagnostics[0]!.summary, /checking stopped: .* 24 MB memory limit/);
      assert.deepEqual([outcome.diagnostics[0]!.range.environment, outcome.diagnostics[0]!.range.begin.line], ['big', 1]);
      const small = await checker.check('small', { load: async () => ({ text: 'values:\n  a: ${b}\n' }) });
      assert.match(small.diagnostics[0]!.summary, /^unknown property "b"/);
    } finally {
      checker.dispose();
    }
  });

  it('the checker worker is ended once idle after a check that grew its heap, and a new one checks on', async () => {
    const checker = new WorkerChecker(SERVER_MAIN, {}, () => undefined);
    try {
      // Big enough that the heap stays past RECYCLE_HEAP_MB even when a collection ran just
      // before it is measured (60,000 items: ~285 MB, but ~88 MB live after one).
      const big = `values:\n  a:\n${Array.from({ length: 120_000 }, (_, i) => `    - {k: ${i}}\n`).join('')}`;
      const outcome = await checker.check('big', { load: async () => ({ text: big }) });
      await outcome.valuesLater;
      assert.equal(checker.running, false);
      const small = await checker.check('small', { load: async () => ({ text: 'values:\n  a: 1\n' }) });
      assert.deepEqual(small.diagnostics, []);
    } finally {
      checker.dispose();
    }
  });
});
