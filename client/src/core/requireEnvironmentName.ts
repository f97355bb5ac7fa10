/**
 * The core's side of the one environment-name rule (shared/src/identity): a name read from
 * anywhere — CLI argument, schedules, webhooks, history, journal — is checked before any path
 * is built from it, and a bad one is a located InvalidInput error suggesting the canonical
 * spelling.
 */
import { environmentNameProblem, suggestCanonicalName } from '../../../shared/src/identity/environmentName';
import { CoreError } from './errors';

/**
 * Checks a name read from anywhere (CLI argument, schedules, webhooks, history, journal)
 * before any path is built from it; `source` says where it came from.
 */
export function requireEnvironmentName(name: unknown, source?: { file?: string; what?: string }): string {
  const problem = typeof name === 'string' ? environmentNameProblem(name) : 'it is not a string';
  if (problem === undefined) return name as string;
  const suggestion = typeof name === 'string' ? suggestCanonicalName(name) : undefined;
  throw new CoreError(
    'InvalidInput',
    `${source?.what ?? 'environment name'} ${JSON.stringify(name)} is not a valid environment name: ${problem}`,
    source?.file !== undefined ? { file: source.file } : {},
    suggestion !== undefined && suggestion !== name ? `write it as ${suggestion}` : 'names are paths under the environments folder without the extension, e.g. prod/app',
  );
}
