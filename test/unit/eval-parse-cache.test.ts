/** The evaluator's parse cache: unchanged texts reuse their parse; results are the same either way. */
import { strict as assert } from 'node:assert';
import { parseEnvironment } from '../../shared/src/ast/environment';
import { parseEnvironmentCached } from '../../shared/src/eval/parseCache';
import { checkEnvironment, type EvalOptions } from '../../shared/src/eval/index';
import type { LoadedEnvironment } from '../../shared/src/contract/plugins';
import { TEST_CONTEXT, TestDecrypter, TestProviders } from '../conformance/providers';

const ROOT = 'imports:\n  - base\nvalues:\n  app: ${name}-app\n  url: https://${app}.example.com\n  secret:\n    fn::secret: s3cret\n';
const BASE = 'values:\n  name: svc\n  port: 8080\n';

function options(files: Map<string, string>): EvalOptions {
  return {
    loader: { load: async (name: string): Promise<LoadedEnvironment | undefined> => {
      const text = files.get(name);
      return text === undefined ? undefined : { text, decrypter: new TestDecrypter() };
    } },
    providers: new TestProviders({ benchDelayMs: 0 }),
    context: TEST_CONTEXT,
    decrypter: new TestDecrypter(),
  };
}

describe('eval: parse cache', () => {
  it('reuses the parse of an unchanged text, keyed by name and text', () => {
    const text = `values:\n  unique: ${Date.now()}-${Math.random()}\n`;
    const first = parseEnvironmentCached('cache/a', text);
    assert.equal(parseEnvironmentCached('cache/a', text), first);
    assert.notEqual(parseEnvironmentCached('cache/b', text), first, 'another name is another entry');
    assert.notEqual(parseEnvironmentCached('cache/a', `${text}# changed\n`), first, 'another text is another entry');
    assert.deepEqual(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(parseEnvironment('cache/a', text))));
  });

  it('does not keep parses with diagnostics', () => {
    const broken = 'values:\n  a: [1,\n';
    const first = parseEnvironmentCached('cache/broken', broken);
    assert.ok(first.diagnostics.length > 0);
    assert.notEqual(parseEnvironmentCached('cache/broken', broken), first);
  });

  it('gives the same check results on repeated checks (cached parses) as on the first', async () => {
    const files = new Map([['base', BASE]]);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(JSON.stringify(await checkEnvironment('app', ROOT, options(files))));
    assert.equal(runs[1], runs[0]);
    assert.equal(runs[2], runs[0]);
    // An import's new text is parsed afresh.
    files.set('base', BASE.replace('svc', 'other'));
    const changed = await checkEnvironment('app', ROOT, options(files));
    assert.equal(changed.environment?.properties.app?.value, 'other-app');
  });
});
