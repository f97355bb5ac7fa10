/**
 * ESC's providers that esc-local does not run (they need Pulumi Cloud or a service it has no
 * client for): their inputs are still checked against the catalog schema, and opening one says
 * why it cannot run here instead of "unknown provider".
 */
import type { Provider } from '../../../../shared/src/contract/plugins';
import { cloudOnlyProviderMessage, findProvider, providerRunsLocally } from '../../../../shared/src/catalog/index';
import { CoreError } from '../errors';

/** A stand-in for a catalog provider that runs only in Pulumi Cloud; undefined for unknown names. */
export function cloudOnlyProvider(name: string): Provider | undefined {
  const entry = findProvider(name);
  if (entry === undefined || providerRunsLocally(name)) return undefined;
  return {
    schema: () => ({ inputs: entry.inputs, outputs: entry.outputs }),
    open: () => Promise.reject(new CoreError('InvalidInput', cloudOnlyProviderMessage(name), {}, 'open this environment with `esc open` in Pulumi Cloud, or replace the provider with values esc-local can read')),
  };
}
