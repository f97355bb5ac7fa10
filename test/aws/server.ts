/**
 * The HTTP side: one 127.0.0.1 port that answers AWS Query-protocol requests for IAM and STS
 * (told apart by the SigV4 credential scope's service) and, under `/__admin/`, JSON admin
 * routes so a test in another process can drive the same controls as `endpoint.control`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './auth';
import {
  AdminError,
  type CreateAccessKeyInput,
  type CreateRoleInput,
  EndpointControl,
  type FaultSpec,
  loggableParams,
  type RequestLogEntry,
} from './control';
import { AwsError, awsErrors } from './errors';
import { operationsByService } from './operations';
import { parseAuthorization, scopeService, type SignedRequest } from './sigv4';
import { type AccessKeyStatus, StateStore } from './state';
import { errorResponse, type ServiceName, serviceVersion, successResponse } from './xml';

export interface AwsEndpointOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** JSON file holding AWS's state across restarts; loaded if it exists. */
  stateFile?: string;
  /** 12-digit account id for ARNs (default 123456789012; a loaded state file keeps its own). */
  accountId?: string;
  /** Maximum distance between a request's signing time and the wall clock (default 15 min). */
  maxClockSkewMs?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function headerString(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** IAM or STS: the credential scope says; unsigned requests fall back to the API version. */
function routeService(authorization: string | undefined, version: string | null): ServiceName {
  const scoped = scopeService(authorization);
  if (scoped === 'sts') return 'sts';
  if (scoped === 'iam') return 'iam';
  return version === serviceVersion.sts ? 'sts' : 'iam';
}

export class AwsEndpointServer {
  readonly control: EndpointControl;
  private readonly server: Server;

  constructor(
    private readonly store: StateStore,
    private readonly maxClockSkewMs: number,
  ) {
    this.control = new EndpointControl(store);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        // Never let one bad request take "AWS" down; report it as AWS would.
        process.stderr.write(`aws-endpoint: unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error\n');
        }
      });
    });
    // A client killed mid-request (SIGKILL) must not disturb the server.
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      if (!res.destroyed) {
        res.writeHead(413);
        res.end();
      }
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/__admin/')) return this.handleAdmin(req, res, path, body);
    return this.handleAws(req, res, body);
  }

  private async handleAws(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const params = new URLSearchParams(body.toString('utf8'));
    const queryIndex = url.indexOf('?');
    if (queryIndex >= 0) {
      for (const [k, v] of new URLSearchParams(url.slice(queryIndex + 1))) if (!params.has(k)) params.set(k, v);
    }
    const authorization = headerString(req, 'authorization');
    const service = routeService(authorization, params.get('Version'));
    const action = params.get('Action') ?? '';
    const entry: Omit<RequestLogEntry, 'seq' | 'time'> = { service, action, params: loggableParams(params), status: 0 };

    const send = (status: number, xml: string, errorCode?: string): void => {
      entry.status = status;
      if (errorCode !== undefined) entry.errorCode = errorCode;
      this.control.record(entry);
      if (res.destroyed) return;
      res.writeHead(status, {
        'x-amzn-RequestId': requestId,
        'content-type': 'text/xml',
        'content-length': Buffer.byteLength(xml),
        date: new Date().toUTCString(),
      });
      res.end(xml);
    };
    const sendError = (error: AwsError): void => send(error.status, errorResponse(service, error, requestId), error.code);
    const drop = (): void => {
      entry.status = 0;
      this.control.record(entry);
      req.socket.destroy();
    };

    try {
      const before = this.control.takeFault(service, action, 'before');
      if (before !== undefined) {
        entry.fault = before.kind;
        switch (before.kind) {
          case 'drop':
            return drop();
          case 'throttle':
            throw awsErrors.throttling();
          case 'serviceUnavailable':
            throw awsErrors.serviceUnavailable();
          case 'internalFailure':
            throw awsErrors.internalFailure();
          case 'delay':
            // The request is still carried out after the delay, even if the client gave up.
            await sleep(before.delayMs ?? 0);
            break;
        }
      }

      const auth = parseAuthorization(authorization);
      entry.accessKeyId = auth.accessKeyId;
      if (auth.service !== 'iam' && auth.service !== 'sts') {
        throw awsErrors.incompleteSignature(`Credential should be scoped to correct service: 'iam' or 'sts'. Got '${auth.service}'.`);
      }
      const signed: SignedRequest = { method: req.method ?? 'GET', url, headers: req.headers, body };
      const principal = authenticate(this.store, signed, auth, { maxClockSkewMs: this.maxClockSkewMs });
      entry.principalArn = principal.arn;

      const version = params.get('Version') ?? '';
      const operation = operationsByService[service][action];
      if (operation === undefined || version !== serviceVersion[service]) throw awsErrors.invalidAction(action, version);
      const result = operation({ store: this.store, principal, params });

      const after = this.control.takeFault(service, action, 'after');
      if (after !== undefined) {
        entry.fault = after.kind;
        if (after.kind === 'drop') return drop();
        throw after.kind === 'serviceUnavailable' ? awsErrors.serviceUnavailable() : awsErrors.internalFailure();
      }
      send(200, successResponse(service, action, requestId, result));
    } catch (e) {
      if (e instanceof AwsError) return sendError(e);
      process.stderr.write(`aws-endpoint: ${action} failed unexpectedly: ${e instanceof Error ? e.stack : String(e)}\n`);
      sendError(awsErrors.internalFailure());
    }
  }

  private handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    const reply = (status: number, value: unknown): void => {
      const json = JSON.stringify(value ?? null);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    };
    try {
      const input: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      reply(200, this.admin(req.method ?? 'GET', path.slice('/__admin/'.length), input));
    } catch (e) {
      if (e instanceof AdminError || e instanceof SyntaxError) return reply(400, { error: e.message });
      if (e instanceof RouteNotFound) return reply(404, { error: e.message });
      throw e;
    }
  }

  private admin(method: string, route: string, input: unknown): unknown {
    const c = this.control;
    const obj = (input ?? {}) as Record<string, unknown>;
    const keyRoute = /^access-keys\/([A-Z0-9]+)(\/status)?$/.exec(route);
    switch (`${method} ${keyRoute ? `access-keys/:id${keyRoute[2] ?? ''}` : route}`) {
      case 'GET state':
        return c.snapshot();
      case 'POST users':
        return c.createUser(obj.userName as string);
      case 'POST access-keys':
        return c.createAccessKey(input as CreateAccessKeyInput);
      case 'DELETE access-keys/:id':
        return c.deleteAccessKey(keyRoute?.[1] ?? '');
      case 'POST access-keys/:id/status':
        return c.setAccessKeyStatus(keyRoute?.[1] ?? '', obj.status as AccessKeyStatus);
      case 'POST roles':
        return c.createRole(input as CreateRoleInput);
      case 'POST permissions':
        return c.setPermissions(obj.principalArn as string, (obj.allowedActions ?? null) as string[] | null);
      case 'POST key-propagation':
        return c.setKeyPropagation({ rejectUses: Number(obj.rejectUses ?? 0), delayMs: Number(obj.delayMs ?? 0) });
      case 'GET faults':
        return c.activeFaults();
      case 'POST faults':
        return c.injectFault(input as FaultSpec);
      case 'DELETE faults':
        return c.clearFaults();
      case 'GET requests':
        return c.requests();
      case 'DELETE requests':
        return c.clearRequests();
      case 'POST clock':
        return c.advanceClock(Number(obj.advanceMs));
      case 'POST reset':
        return c.reset();
      default:
        throw new RouteNotFound(`no admin route ${method} /__admin/${route}`);
    }
  }
}

class RouteNotFound extends Error {}

export async function startServer(options: AwsEndpointOptions): Promise<{ server: AwsEndpointServer; port: number }> {
  const store = StateStore.open(options.stateFile, options.accountId ?? '123456789012');
  const server = new AwsEndpointServer(store, options.maxClockSkewMs ?? 15 * 60 * 1000);
  const port = await server.listen(options.port ?? 0);
  return { server, port };
}
