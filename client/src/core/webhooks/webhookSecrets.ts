/**
 * Webhook signing secrets in the OS keychain, beside the managing credentials (same service
 * name, account `webhook:<id>`). Like every keychain entry, they are never written to a file or
 * a log, and an unavailable keychain is an explained error, not a reason to send unsigned.
 */
import { CoreError } from '../errors';
import { DEFAULT_KEYCHAIN_SERVICE, explainKeychainFailure, type KeytarLike } from '../keychain';

const PREFIX = 'webhook:';

function loadKeytar(): KeytarLike {
  try {
    // Lazily, so that importing the module never needs the native addon.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('keytar') as KeytarLike;
  } catch (e) {
    throw new CoreError('KeychainUnavailable', `the OS keychain module (keytar) could not be loaded: ${(e as Error).message}`, {}, 'reinstall esc-local for this platform; on Linux install libsecret');
  }
}

export class WebhookSecrets {
  private keytar: KeytarLike | undefined;

  constructor(
    readonly service: string = DEFAULT_KEYCHAIN_SERVICE,
    backend?: KeytarLike,
  ) {
    this.keytar = backend;
  }

  private async call<T>(operation: string, f: (k: KeytarLike) => Promise<T>): Promise<T> {
    this.keytar ??= loadKeytar();
    try {
      return await f(this.keytar);
    } catch (e) {
      throw explainKeychainFailure(e, operation);
    }
  }

  async get(hookId: string): Promise<string | undefined> {
    const value = await this.call(`read the signing secret of webhook ${hookId}`, (k) => k.getPassword(this.service, PREFIX + hookId));
    return value ?? undefined;
  }

  async set(hookId: string, secret: string): Promise<void> {
    if (secret.length < 16) throw new CoreError('InvalidInput', 'a webhook signing secret must be at least 16 characters');
    await this.call(`store the signing secret of webhook ${hookId}`, (k) => k.setPassword(this.service, PREFIX + hookId, secret));
  }

  async forget(hookId: string): Promise<boolean> {
    return this.call(`forget the signing secret of webhook ${hookId}`, (k) => k.deletePassword(this.service, PREFIX + hookId));
  }
}

