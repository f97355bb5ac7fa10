/**
 * The provider loader for check mode (language server, `esc-local check`): it knows every
 * catalog schema so inputs are validated, but never runs anything — the language server must
 * not make network calls or touch credentials. `open`/`rotate` reject with a clear error.
 */
import type { Provider, ProviderLoader, Rotator } from '../contract/plugins';
import { findProvider, findRotator } from './index';

export class CheckModeNotRunError extends Error {
  constructor(kind: 'provider' | 'rotator', name: string) {
    super(`The ${kind} "${name}" is not run in check mode: checking validates its inputs only; open or rotate the environment to run it.`);
    this.name = 'CheckModeNotRunError';
  }
}

export const checkModeLoader: ProviderLoader = {
  loadProvider(name: string): Provider | undefined {
    const entry = findProvider(name);
    if (entry === undefined) return undefined;
    return {
      schema: () => ({ inputs: entry.inputs, outputs: entry.outputs }),
      open: () => Promise.reject(new CheckModeNotRunError('provider', name)),
    };
  },
  loadRotator(name: string): Rotator | undefined {
    const entry = findRotator(name);
    if (entry === undefined || entry.state === undefined) return undefined;
    const state = entry.state;
    return {
      schema: () => ({ inputs: entry.inputs, state, outputs: entry.outputs }),
      open: () => Promise.reject(new CheckModeNotRunError('rotator', name)),
      rotate: () => Promise.reject(new CheckModeNotRunError('rotator', name)),
    };
  },
};
