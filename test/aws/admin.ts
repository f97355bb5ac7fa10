/**
 * `AwsAdmin`: the endpoint's controls as one promise-based interface, implemented both
 * in-process (over `EndpointControl`) and over HTTP (`AwsAdminClient`, for a test driving an
 * endpoint that runs as a separate process). Test helpers written against it work with either.
 */
import { request } from 'node:http';
import type {
  ActiveFault,
  CreateAccessKeyInput,
  CreatedAccessKey,
  CreateRoleInput,
  EndpointControl,
  FaultSpec,
  RequestLogEntry,
  RoleView,
  StateView,
  UserView,
} from './control';
import type { AccessKeyStatus, KeyPropagationSetting } from './state';

export interface AwsAdmin {
  createUser(userName: string): Promise<UserView>;
  createAccessKey(input: CreateAccessKeyInput): Promise<CreatedAccessKey>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<void>;
  createRole(input: CreateRoleInput): Promise<RoleView>;
  setPermissions(principalArn: string, allowedActions: string[] | null): Promise<void>;
  setKeyPropagation(setting: KeyPropagationSetting): Promise<void>;
  injectFault(spec: FaultSpec): Promise<ActiveFault>;
  clearFaults(): Promise<void>;
  activeFaults(): Promise<ActiveFault[]>;
  requests(): Promise<RequestLogEntry[]>;
  clearRequests(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  reset(): Promise<void>;
  snapshot(): Promise<StateView>;
}

export function inProcessAdmin(control: EndpointControl): AwsAdmin {
  const run = <T>(f: () => T): Promise<T> => {
    try {
      return Promise.resolve(f());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return {
    createUser: (userName) => run(() => control.createUser(userName)),
    createAccessKey: (input) => run(() => control.createAccessKey(input)),
    deleteAccessKey: (id) => run(() => control.deleteAccessKey(id)),
    setAccessKeyStatus: (id, status) => run(() => control.setAccessKeyStatus(id, status)),
    createRole: (input) => run(() => control.createRole(input)),
    setPermissions: (arn, actions) => run(() => control.setPermissions(arn, actions)),
    setKeyPropagation: (setting) => run(() => control.setKeyPropagation(setting)),
    injectFault: (spec) => run(() => control.injectFault(spec)),
    clearFaults: () => run(() => control.clearFaults()),
    activeFaults: () => run(() => control.activeFaults()),
    requests: () => run(() => control.requests()),
    clearRequests: () => run(() => control.clearRequests()),
    advanceClock: (ms) => run(() => control.advanceClock(ms)),
    reset: () => run(() => control.reset()),
    snapshot: () => run(() => control.snapshot()),
  };
}

/** Error from an admin HTTP call (bad input → 400, unknown route → 404). */
export class AwsAdminRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Talks to `/__admin/*` of an endpoint at `url` (e.g. one started with `node out/test/aws/main.js`). */
export class AwsAdminClient implements AwsAdmin {
  constructor(private readonly url: string) {}

  createUser(userName: string): Promise<UserView> {
    return this.call('POST', 'users', { userName });
  }
  createAccessKey(input: CreateAccessKeyInput): Promise<CreatedAccessKey> {
    return this.call('POST', 'access-keys', input);
  }
  async deleteAccessKey(accessKeyId: string): Promise<void> {
    await this.call('DELETE', `access-keys/${encodeURIComponent(accessKeyId)}`);
  }
  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await this.call('POST', `access-keys/${encodeURIComponent(accessKeyId)}/status`, { status });
  }
  createRole(input: CreateRoleInput): Promise<RoleView> {
    return this.call('POST', 'roles', input);
  }
  async setPermissions(principalArn: string, allowedActions: string[] | null): Promise<void> {
    await this.call('POST', 'permissions', { principalArn, allowedActions });
  }
  async setKeyPropagation(setting: KeyPropagationSetting): Promise<void> {
    await this.call('POST', 'key-propagation', setting);
  }
  injectFault(spec: FaultSpec): Promise<ActiveFault> {
    return this.call('POST', 'faults', spec);
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }
  activeFaults(): Promise<ActiveFault[]> {
    return this.call('GET', 'faults');
  }
  requests(): Promise<RequestLogEntry[]> {
    return this.call('GET', 'requests');
  }
  async clearRequests(): Promise<void> {
    await this.call('DELETE', 'requests');
  }
  async advanceClock(ms: number): Promise<void> {
    await this.call('POST', 'clock', { advanceMs: ms });
  }
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }
  snapshot(): Promise<StateView> {
    return this.call('GET', 'state');
  }

  private call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const target = new URL(`/__admin/${route}`, this.url);
    return new Promise<T>((resolve, reject) => {
      // agent:false — no pooled keep-alive socket keeps a test process alive afterwards.
      const req = request(
        target,
        { method, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? null : JSON.parse(text);
            } catch {
              return reject(new AwsAdminRequestError(res.statusCode ?? 0, `admin ${method} ${route}: non-JSON reply`));
            }
            if (res.statusCode !== 200) {
              const message = (parsed as { error?: string } | null)?.error ?? `HTTP ${String(res.statusCode)}`;
              return reject(new AwsAdminRequestError(res.statusCode ?? 0, `admin ${method} ${route}: ${message}`));
            }
            resolve(parsed as T);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
