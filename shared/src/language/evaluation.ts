/**
 * The language service's checker: the evaluator in check mode with the catalog's check-mode
 * provider loader. Providers and rotators are never run (their outputs stay unknown with their
 * output schemas), nothing is decrypted (no decrypter is given, `showSecrets` is off), so the
 * values kept for hover are redacted by construction.
 */
import { checkModeLoader } from '../catalog/loader';
import { checkEnvironment } from '../eval/index';
import type { Json } from '../schema/schema';
import { schemaIndexOf, schemaIndexSteps } from './schemas';
import type { CheckOutcome, EnvironmentChecker } from './service';
import { memo } from './checkedValues';
import { setOwn } from '../schema/ops';

export function createCheckModeChecker(context: { [key: string]: Json } = {}): EnvironmentChecker {
  return {
    async check(envName, loader, signal, only): Promise<CheckOutcome> {
      const loaded = await loader.load(envName);
      if (!loaded) return { diagnostics: [] };
      const result = await checkEnvironment(envName, loaded.text, { loader, providers: checkModeLoader, context, ...(signal ? { signal } : {}) });
      const outcome: CheckOutcome = { diagnostics: [...result.loadDiagnostics, ...result.diagnostics] };
      const environment = result.environment;
      if (!environment) outcome.unevaluated = true;
      if (environment) {
        // Exported on first read (hover), not on the diagnostics' path.
        const values = memo(() => (only ? pick(environment.properties, only) : environment.properties));
        Object.defineProperty(outcome, 'values', { enumerable: true, configurable: true, get: values });
        // Built on first use (hover), not on the diagnostics' path.
        outcome.schemas = memo(() => schemaIndexOf(environment, only));
        outcome.schemaSteps = () => schemaIndexSteps(environment, only);
      }
      return outcome;
    },
  };
}

/** The properties of `values` named in `keys`. */
function pick<T>(values: { [key: string]: T }, keys: ReadonlySet<string>): { [key: string]: T } {
  const out: { [key: string]: T } = {};
  for (const key of keys) if (Object.hasOwn(values, key)) setOwn(out, key, values[key]!);
  return out;
}
