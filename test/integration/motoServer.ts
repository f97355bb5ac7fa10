/**
 * Starts `moto_server` (Python moto 5.x: an independent IAM/STS implementation) on a free
 * loopback port with request authentication on, for tests that must hold against more than
 * the project's own endpoint (test/aws/).
 *
 * Authentication in moto 5.2 (moto/core/authorization.py, moto/settings.py): there is no
 * `MOTO_ENABLE_IAM_AUTHENTICATION` variable; the server authenticates and authorizes every
 * request after the first `INITIAL_NO_AUTH_ACTION_COUNT` ones (environment variable, default
 * infinity = never), checking the SigV4 signature against keys issued by its own IAM and the
 * caller's IAM policies (the decorator `set_initial_no_auth_action_count` does the same in-process). The starter lets exactly the bootstrap requests
 * through unauthenticated (create the admin user, its policy, its key), then every request
 * must be signed by a key moto issued — a wrong secret gets `SignatureDoesNotMatch`.
 *
 * Missing `moto_server` is an error naming the fix, never a skipped test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';

export const MOTO_SERVER = process.env.MOTO_SERVER ?? (fs.existsSync('/root/.pyenv/shims/moto_server') ? '/root/.pyenv/shims/moto_server' : 'moto_server');

export interface MotoServer {
  url: string;
  port: number;
  /** moto's default account. */
  accountId: string;
  /** Access key of `moto-admin` (policy `*` on `*`), issued by moto itself. */
  admin: { accessKeyId: string; secretAccessKey: string };
  /** SDK client config signed by the admin. */
  clientConfig(credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
  sdkEnv(): Record<string, string>;
  close(): Promise<void>;
}

/** The number of requests `bootstrap` sends before authentication starts. */
const BOOTSTRAP_REQUESTS = 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (code ${child.exitCode}): ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`moto_server did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startMotoServer(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  let output = '';
  const env: NodeJS.ProcessEnv = { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(BOOTSTRAP_REQUESTS) };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS']) delete env[k];
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot run moto_server (${MOTO_SERVER}): ${e.message}; install Python moto 5.x with its server extra, or set MOTO_SERVER`))));
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([waitListening(port, child, () => output, options.startTimeoutMs ?? 30000), spawnError]);
    const url = `http://127.0.0.1:${port}`;
    // The bootstrap: BOOTSTRAP_REQUESTS unauthenticated requests (any signature is accepted).
    const anyone = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIABOOTSTRAP0000000', secretAccessKey: 'bootstrap' }, maxAttempts: 1 });
    await anyone.send(new CreateUserCommand({ UserName: 'moto-admin' }));
    await anyone.send(new PutUserPolicyCommand({ UserName: 'moto-admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) }));
    const key = (await anyone.send(new CreateAccessKeyCommand({ UserName: 'moto-admin' }))).AccessKey!;
    const admin = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    return {
      url,
      port,
      accountId: '123456789012',
      admin,
      clientConfig: (credentials = admin) => ({ endpoint: url, region: 'us-east-1', credentials: { ...credentials } }),
      sdkEnv: () => ({ AWS_ENDPOINT_URL_IAM: url, AWS_ENDPOINT_URL_STS: url, AWS_REGION: 'us-east-1' }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** What the signer saw of one AssumeRoleWithWebIdentity call (for the tests' assertions). */
export interface WebIdentityCall {
  roleArn: string;
  sessionName: string;
  token: string;
  /** The credentials moto issued (so a test can check they were never written anywhere). */
  issuedSecretAccessKey?: string;
}

/**
 * A pass-through in front of moto for unsigned requests. AWS authorises
 * AssumeRoleWithWebIdentity by its token alone and the SDK sends it unsigned, but moto 5.2 with
 * request authentication on fails every request without an `Authorization` header (HTTP 500,
 * KeyError in moto/iam/access_control.py). The signer signs such requests (SigV4, with the
 * bootstrap admin's key, computed by test/aws/sigv4.ts) and forwards everything else as it
 * came, so moto still checks every signed request. moto does not verify web identity tokens;
 * the calls are recorded so the tests can check which token and role were sent.
 */
export async function startUnsignedRequestSigner(moto: MotoServer): Promise<{ endpoint: string; calls: WebIdentityCall[]; stop(): Promise<void> }> {
  const http = await import('node:http');
  const { expectedSignature } = await import('../aws/sigv4');
  const calls: WebIdentityCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      {
        const body = Buffer.concat(chunks);
        // The Host header is forwarded as it came: a signed request's signature covers it.
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const form = new URLSearchParams(body.toString('utf8'));
        let call: WebIdentityCall | undefined;
        if (headers.authorization === undefined) {
          if (form.get('Action') === 'AssumeRoleWithWebIdentity') {
            call = { roleArn: form.get('RoleArn') ?? '', sessionName: form.get('RoleSessionName') ?? '', token: form.get('WebIdentityToken') ?? '' };
            calls.push(call);
          }
          const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
          headers['x-amz-date'] = amzDate;
          const auth = { accessKeyId: moto.admin.accessKeyId, date: amzDate.slice(0, 8), region: 'us-east-1', service: 'sts', signedHeaders: ['content-type', 'host', 'x-amz-date'], signature: '' };
          const signature = expectedSignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers, body }, auth, moto.admin.secretAccessKey);
          headers.authorization = `AWS4-HMAC-SHA256 Credential=${auth.accessKeyId}/${auth.date}/us-east-1/sts/aws4_request, SignedHeaders=${auth.signedHeaders.join(';')}, Signature=${signature}`;
        }
        const upstream = http.request({ host: '127.0.0.1', port: moto.port, method: req.method, path: req.url, headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            if (call) call.issuedSecretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(text)?.[1];
            res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/xml' });
            res.end(text);
          });
        });
        upstream.on('error', (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        upstream.end(body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
