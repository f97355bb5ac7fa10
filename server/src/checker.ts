/**
 * The check-mode evaluator behind the language service. Placeholder until the evaluator's
 * stable entry lands: no checker means diagnostics come from the language service alone.
 */
import type { EnvironmentChecker } from '../../shared/src/language/service';

export function createChecker(): EnvironmentChecker | undefined {
  return undefined;
}
