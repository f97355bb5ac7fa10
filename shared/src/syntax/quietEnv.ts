/**
 * The `yaml` package's parser reads `process.env.LOG_TOKENS` once per lexical token (and its
 * composer `process.env.LOG_STREAM` once per document) to support its own debug logging.
 * `process.env` is backed by the C++ environment, so each read costs ~0.4 µs: ~17 ms of a 5,000-line
 * environment's ~70 ms parse. Around a synchronous parse we point `process.env` at a frozen empty
 * object (no other code of this thread can run meanwhile, and it is restored even on a throw), so
 * the lookups are ordinary property reads. When either debug switch is set we leave `process.env`
 * alone, so the package's logging still works.
 */

/** Runs `parse` (which must be synchronous) with `process.env` reads made cheap. */
export function withCheapEnvReads<T>(parse: () => T): T {
  const env = process.env;
  if (env.LOG_TOKENS !== undefined || env.LOG_STREAM !== undefined) return parse();
  const descriptor = Object.getOwnPropertyDescriptor(process, 'env');
  if (descriptor === undefined || !descriptor.configurable) return parse();
  Object.defineProperty(process, 'env', { ...descriptor, value: QUIET_ENV });
  try {
    return parse();
  } finally {
    Object.defineProperty(process, 'env', descriptor);
  }
}

/** What the parser sees as `process.env`: neither debug switch set. */
const QUIET_ENV: NodeJS.ProcessEnv = Object.freeze({});
