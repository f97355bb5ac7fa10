/**
 * Where `aws-login` `oidc` gets access to its role, first match wins:
 *
 *  1. the OS keychain: the entry named after the role ARN, then `default` — the desktop's
 *     first choice; an unreachable keychain (no D-Bus on a CI runner) is skipped, not fatal;
 *  2. a web identity (OIDC) token — `AWS_WEB_IDENTITY_TOKEN_FILE`, or the token GitHub Actions
 *     issues on request (`ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN`, job permission
 *     `id-token: write`) — which the provider exchanges with AssumeRoleWithWebIdentity for the
 *     role: what ESC's `oidc` login means;
 *  3. the AWS SDK's default credential chain (environment variables, shared config/credentials
 *     profiles incl. SSO and credential_process, container and instance roles), whose
 *     credentials then assume the role with AssumeRole.
 *
 * Every step has a deadline that throws; the source used is logged (never a secret).
 */
import * as fs from 'node:fs';
import { CoreError } from '../errors';
import type { AwsCredentials, Keychain } from '../keychain';

export const DEFAULT_CREDENTIAL_NAME = 'default';

/** Audience of the token requested from GitHub Actions (AWS's documented value). */
const DEFAULT_OIDC_AUDIENCE = 'sts.amazonaws.com';
const TOKEN_REQUEST_DEADLINE_MS = 15_000;
/** The whole default chain: SSO refreshes and credential_process commands take a few seconds. */
const DEFAULT_CHAIN_DEADLINE_MS = 30_000;
/** Instance/container metadata: answers in milliseconds where it exists; elsewhere it must not stall a CI run. */
const METADATA_TIMEOUT_MS = 1_000;

export type RoleAccess =
  /** Credentials allowed to call sts:AssumeRole on the role. */
  | { kind: 'credentials'; credentials: AwsCredentials; source: string }
  /** An OIDC token to exchange with sts:AssumeRoleWithWebIdentity for the role. */
  | { kind: 'web-identity'; token: string; source: string };

/** Names the default chain's source from the SDK's credential feature marks (`$source`). */
function chainSourceName(credentials: { $source?: Record<string, unknown> }, env: NodeJS.ProcessEnv): string {
  const marks = Object.keys(credentials.$source ?? {});
  const has = (mark: string): boolean => marks.includes(mark);
  const profile = `shared config profile "${env.AWS_PROFILE ?? 'default'}"`;
  if (has('CREDENTIALS_PROFILE_SSO') || has('CREDENTIALS_PROFILE_SSO_LEGACY')) return `${profile} (SSO)`;
  if (has('CREDENTIALS_PROFILE_PROCESS')) return `${profile} (credential_process)`;
  if (has('CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN')) return `${profile} (web identity)`;
  if (has('CREDENTIALS_PROFILE_SOURCE_PROFILE')) return `${profile} (source_profile role)`;
  if (marks.some((m) => m.startsWith('CREDENTIALS_PROFILE'))) return profile;
  if (has('CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN')) return 'web identity token of AWS_ROLE_ARN';
  if (has('CREDENTIALS_ENV_VARS')) return 'environment variables (AWS_ACCESS_KEY_ID)';
  if (has('CREDENTIALS_SSO') || has('CREDENTIALS_SSO_LEGACY')) return 'SSO';
  if (has('CREDENTIALS_PROCESS')) return 'credential_process';
  if (has('CREDENTIALS_HTTP')) return 'container credentials endpoint';
  return 'instance metadata (EC2 role)';
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoreError('AwsUnavailable', `${what} did not answer within ${ms / 1000} s`, { operation })), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class ManagingCredentialSource {
  constructor(
    private readonly keychain: Keychain,
    private readonly region: string,
    private readonly log: (line: string) => void = () => undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** How to get into `roleArn` (see the module comment); throws when no source has anything. */
  async forRole(roleArn: string, signal?: AbortSignal): Promise<RoleAccess> {
    const tried: string[] = [];
    const fromKeychain = await this.fromKeychain(roleArn, tried);
    const access = fromKeychain ?? (await this.fromWebIdentity(signal)) ?? (await this.fromDefaultChain());
    if (access !== undefined) {
      this.log(`managing credentials for ${roleArn}: ${access.source}`);
      return access;
    }
    throw new CoreError(
      'KeychainMissingEntry',
      `no managing AWS credentials in the OS keychain (service "${this.keychain.service}"${tried.length > 0 ? `: ${tried.join('; ')}` : ''}) to assume ${roleArn}, no web identity token, and none from the AWS SDK's default credential chain`,
      { operation: 'sts:AssumeRole' },
      `store an access key allowed to call sts:AssumeRole on this role under the name "${roleArn}" (or "${DEFAULT_CREDENTIAL_NAME}"): ESC: Store Managing Credentials, or \`esc-local credentials set ${roleArn}\`; in CI, use an OIDC token (AWS_WEB_IDENTITY_TOKEN_FILE, or GitHub Actions with id-token: write) or AWS credentials the SDK finds (AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance role)`,
    );
  }

  private async fromKeychain(roleArn: string, tried: string[]): Promise<RoleAccess | undefined> {
    try {
      for (const name of [roleArn, DEFAULT_CREDENTIAL_NAME]) {
        const credentials = await this.keychain.getAwsCredentials(name);
        if (credentials) return { kind: 'credentials', credentials, source: `OS keychain entry "${name}"` };
      }
      return undefined;
    } catch (e) {
      if (!(e instanceof CoreError && e.code === 'KeychainUnavailable')) throw e;
      tried.push('the keychain is not available');
      this.log('the OS keychain is not available; looking for managing credentials elsewhere');
      return undefined;
    }
  }

  private async fromWebIdentity(signal?: AbortSignal): Promise<RoleAccess | undefined> {
    const file = this.env.AWS_WEB_IDENTITY_TOKEN_FILE;
    if (file) {
      let token: string;
      try {
        token = fs.readFileSync(file, 'utf8').trim();
      } catch (e) {
        throw new CoreError('InvalidInput', `cannot read the web identity token file named by AWS_WEB_IDENTITY_TOKEN_FILE: ${(e as Error).message}`, { file, operation: 'sts:AssumeRoleWithWebIdentity' });
      }
      if (token === '') throw new CoreError('InvalidInput', 'the web identity token file named by AWS_WEB_IDENTITY_TOKEN_FILE is empty', { file, operation: 'sts:AssumeRoleWithWebIdentity' });
      return { kind: 'web-identity', token, source: `web identity token from AWS_WEB_IDENTITY_TOKEN_FILE (${file})` };
    }
    const url = this.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = this.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (url && bearer) return { kind: 'web-identity', token: await this.requestGitHubToken(url, bearer, signal), source: 'GitHub Actions OIDC token' };
    return undefined;
  }

  /** GitHub Actions' OIDC token endpoint: GET URL&audience=… with the request token → {value}. */
  private async requestGitHubToken(url: string, bearer: string, signal?: AbortSignal): Promise<string> {
    const audience = this.env.ESC_LOCAL_OIDC_AUDIENCE ?? DEFAULT_OIDC_AUDIENCE;
    const operation = 'GitHub Actions OIDC token request';
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new CoreError('InvalidInput', 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL', { operation });
    }
    target.searchParams.set('audience', audience);
    const timeout = AbortSignal.timeout(TOKEN_REQUEST_DEADLINE_MS);
    let response: Response;
    try {
      response = await fetch(target, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (e) {
      const timedOut = timeout.aborted && !signal?.aborted;
      throw new CoreError('AwsUnavailable', timedOut ? `the OIDC token request got no answer within ${TOKEN_REQUEST_DEADLINE_MS / 1000} s` : `the OIDC token request failed: ${(e as Error).message}`, { operation }, undefined, { cause: e });
    }
    const body = await response.text();
    if (!response.ok) throw new CoreError('AwsInvalidCredentials', `the OIDC token request was refused (HTTP ${response.status})`, { operation }, 'give the job the permission `id-token: write`');
    let value: unknown;
    try {
      value = (JSON.parse(body) as { value?: unknown }).value;
    } catch {
      value = undefined;
    }
    if (typeof value !== 'string' || value === '') throw new CoreError('AwsError', 'the OIDC token response has no token (expected JSON {"value": "<jwt>"})', { operation });
    return value;
  }

  private async fromDefaultChain(): Promise<RoleAccess | undefined> {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const chain = fromNodeProviderChain({ timeout: METADATA_TIMEOUT_MS, maxRetries: 0, clientConfig: { region: this.region } });
    try {
      const c = await withDeadline(chain(), DEFAULT_CHAIN_DEADLINE_MS, "the AWS SDK's default credential chain", 'credentials');
      return {
        kind: 'credentials',
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) },
        source: `AWS SDK default chain: ${chainSourceName(c as { $source?: Record<string, unknown> }, this.env)}`,
      };
    } catch (e) {
      if (e instanceof CoreError) throw e;
      // Every link declined: nothing configured (a broken profile or process fails differently).
      if ((e as { name?: string }).name === 'CredentialsProviderError' && /Could not load credentials from any providers/.test((e as Error).message)) return undefined;
      throw new CoreError('AwsInvalidCredentials', `the AWS SDK's default credential chain failed: ${(e as Error).message}`, { operation: 'credentials' }, 'check the configured profile (AWS_PROFILE, ~/.aws/config), e.g. run `aws sso login` again', { cause: e });
    }
  }
}
