/**
 * Runs one rotation in its own process, configured only through the environment, for the
 * crash and concurrency tests: ESC_TEST_ROOT, ESC_TEST_SERVICE, ESC_TEST_ENV,
 * ESC_TEST_WAIT_MS; AWS endpoints come from the SDK's standard AWS_ENDPOINT_URL_IAM/STS.
 * Prints one JSON line with the outcome; exit 0 ok, 1 rotation failed, 3 error thrown.
 */
import { EscCore } from '../../client/src/core/escCore';
import { CoreError } from '../../client/src/core/errors';

async function main(): Promise<number> {
  const core = new EscCore({
    workspace: { root: process.env.ESC_TEST_ROOT! },
    keychainService: process.env.ESC_TEST_SERVICE!,
    tool: `test child ${process.pid}`,
    aws: { verifyInitialDelayMs: Number(process.env.ESC_TEST_VERIFY_DELAY_MS ?? 200) },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const r = await core.rotate(process.env.ESC_TEST_ENV!, { waitMs: Number(process.env.ESC_TEST_WAIT_MS ?? 0), trigger: 'test-child' });
    process.stdout.write(JSON.stringify({ ok: r.ok, recovered: r.recovered, paths: r.paths, revision: r.revision?.number, message: r.message }) + '\n');
    return r.ok ? 0 : 1;
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: e instanceof CoreError ? e.code : 'Error', message: (e as Error).message }) + '\n');
    return 3;
  }
}

main().then((code) => process.exit(code));
