/** The worker-thread checker: check-mode results, texts from the main thread, cancellation, values and schemas sent in pieces. */
import { strict as assert } from 'node:assert';
import { WorkerChecker } from '../../server/src/checkerWorker';
import type { EnvironmentLoader } from '../../shared/src/contract/plugins';
import { SERVER_MAIN } from './text-markers';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';

describe('worker-thread checker', function () {
  this.timeout(20000);
  const logs: string[] = [];
  const checker = new WorkerChecker(SERVER_MAIN, { pulumi: { user: { id: 'tester' } } }, (m) => logs.push(m));
  after(() => checker.dispose());

  const envs: Record<string, string> = {
    app: 'imports:\n  - base\nvalues:\n  a: ${base.x}\n  s:\n    fn::secret: hunter2\n  u: ${context.pulumi.user.id}\n  l:\n    fn::open::aws-login:\n      static: {accessKeyId: a, secretAccessKey: b}\n',
    base: 'values:\n  base:\n    x: 1\n',
  };
  const requested: string[] = [];
  const loader: EnvironmentLoader = {
    load: async (name) => {
      requested.push(name);
      return envs[name] === undefined ? undefined : { text: envs[name]! };
    },
  };

  it('checks an environment with imports read through the main thread, secrets flagged, providers not run', async () => {
    const outcome = await checker.check('app', loader);
    assert.deepEqual(outcome.diagnostics, []);
    // Values follow the diagnostics in a second message, decoded when first asked for.
    assert.equal(outcome.values, undefined);
    const values = (await outcome.valuesLater)?.();
    assert.deepEqual(values?.a?.value, 1);
    assert.equal(values?.s?.secret, true);
    assert.equal(values?.u?.value, 'tester');
    assert.equal(values?.l?.unknown, true);
    assert.deepEqual([...new Set(requested)].sort(), ['app', 'base']);
    assert.deepEqual(logs, []);
  });

  it('sends the texts the previous check needed along with the job', async () => {
    requested.length = 0;
    await checker.check('app', loader);
    // Prefetched by the main thread before the job starts: app and base, each read once.
    assert.deepEqual(requested.sort(), ['app', 'base']);
  });

  it('rejects with a cancellation when aborted, and keeps working afterwards', async () => {
    const controller = new AbortController();
    const pending = checker.check('app', loader, controller.signal);
    controller.abort();
    await assert.rejects(pending, /cancelled/);
    const outcome = await checker.check('app', loader);
    assert.deepEqual((await outcome.valuesLater)?.()?.a?.value, 1);
  });

  it('sends a large environment\'s values and schemas in pieces that join to what the evaluator gave', async () => {
    // Hundreds of top-level keys: serialized in steps, moved as several buffers.
    const lines = ['values:'];
    for (let i = 0; i < 600; i++) lines.push(`  k${i}:`, `    name: n-${i}`, `    ref: \${k${Math.max(0, i - 1)}.name}`, `    list: [1, "two", {x: \${k0.name}}]`);
    const large: EnvironmentLoader = { load: async (name) => (name === 'large' ? { text: lines.join('\n') + '\n' } : undefined) };
    const inProcess = await createCheckModeChecker({ pulumi: { user: { id: 'tester' } } }).check('large', large);
    const outcome = await checker.check('large', large);
    assert.deepEqual(outcome.diagnostics, inProcess.diagnostics);
    const [values, schemas] = await Promise.all([outcome.valuesLater, outcome.schemasLater]);
    assert.equal(JSON.stringify(values?.()), JSON.stringify(inProcess.values));
    assert.equal(JSON.stringify(schemas?.()), JSON.stringify(inProcess.schemas?.()));
  });

  it('gives values and schemas of the keys asked for only', async () => {
    const outcome = await checker.check('app', loader, undefined, new Set(['a', 'u']));
    assert.deepEqual(Object.keys((await outcome.valuesLater)?.() ?? {}).sort(), ['a', 'u']);
    assert.deepEqual(Object.keys((await outcome.schemasLater)?.()?.nodes ?? {}).sort(), ['a', 'u']);
  });

  it('reports a missing environment as the evaluator does', async () => {
    const outcome = await checker.check('nope', loader);
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(await outcome.valuesLater, undefined);
  });
});
