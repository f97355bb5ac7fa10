/**
 * Seeds the demo's local AWS endpoint with what the example workspace refers to, then stores the
 * managing credentials in the OS keychain through the CLI (`esc-local credentials set ROLE`, the
 * secret on stdin), the same path a user takes. Run by scripts/demo-run.sh:
 *
 *   node out/test/demo/seed.js --endpoint URL --workspace DIR --cli dist/cli.js
 *
 * The ARNs are read from the workspace's environment files, so the seed follows the examples:
 * every `fn::rotate::aws-iam` `userArn` becomes an IAM user, every `fn::open::aws-login`
 * `oidc.roleArn` a role trusting one managing user, whose access key is what the keychain holds.
 * Permissions are the least-privilege policy the README documents (AssumeRole for the managing
 * user; List/Create/DeleteAccessKey and GetUser for the role), so the demo fails if the product
 * ever needs more. Prints what it created (never a secret) on stdout.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { AwsAdminClient } from '../aws/admin';

/** Account-scoped ARNs the examples name: users whose keys rotate, roles the rotation assumes. */
export interface ExampleArns {
  userArns: string[];
  roleArns: string[];
}

export const MANAGING_USER = 'esc-demo-manager';
export const ROLE_ACTIONS = ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:GetUser'];
export const MANAGING_USER_ACTIONS = ['sts:AssumeRole'];

function yamlFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...yamlFiles(full));
    } else if (/\.ya?ml$/.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}

function field(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Literal ARNs only: an interpolated one (`${…}`) is resolved by the evaluator, not seeded here. */
function literalArn(value: unknown, kind: 'user' | 'role'): string | undefined {
  return typeof value === 'string' && new RegExp(`^arn:aws:iam::\\d{12}:${kind}/[\\w+=,.@/-]+$`).test(value) ? value : undefined;
}

function collect(node: unknown, into: ExampleArns): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'fn::rotate::aws-iam') {
      const user = literalArn(field(value, 'inputs', 'userArn'), 'user');
      if (user && !into.userArns.includes(user)) into.userArns.push(user);
    }
    if (key === 'fn::open::aws-login') {
      const role = literalArn(field(value, 'oidc', 'roleArn'), 'role');
      if (role && !into.roleArns.includes(role)) into.roleArns.push(role);
    }
    collect(value, into);
  }
}

export function exampleArns(workspace: string): ExampleArns {
  const arns: ExampleArns = { userArns: [], roleArns: [] };
  for (const file of yamlFiles(workspace)) {
    let document: unknown;
    try {
      document = parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // not an environment the seed can read; `esc-local check` reports it
    }
    collect(document, arns);
  }
  return arns;
}

const accountOf = (arn: string): string => arn.split(':')[4] ?? '';
/** The last path segment: `arn:aws:iam::1:user/team/app-user` → `app-user` (IAM names are unique per account). */
const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

function storeInKeychain(cli: string, name: string, secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'credentials', 'set', name], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', code => (code === 0 ? resolve() : reject(new Error(`esc-local credentials set ${name} exited with code ${String(code)}`))));
    child.stdin.end(secret);
  });
}

interface SeedOptions {
  endpoint: string;
  workspace: string;
  cli: string;
}

export async function seed(options: SeedOptions): Promise<ExampleArns> {
  const arns = exampleArns(options.workspace);
  if (arns.userArns.length === 0 || arns.roleArns.length === 0) {
    throw new Error(`no fn::rotate::aws-iam userArn or fn::open::aws-login oidc.roleArn found under ${options.workspace}`);
  }
  const admin = new AwsAdminClient(options.endpoint);
  const { accountId } = await admin.snapshot();
  for (const arn of [...arns.userArns, ...arns.roleArns]) {
    if (accountOf(arn) !== accountId) {
      throw new Error(`${arn} is in account ${accountOf(arn)}, the local endpoint serves ${accountId} (start it with --account ${accountOf(arn)})`);
    }
  }
  for (const arn of arns.userArns) await admin.createUser(nameOf(arn));
  const manager = await admin.createUser(MANAGING_USER);
  const managerKey = await admin.createAccessKey({ userName: MANAGING_USER });
  await admin.setPermissions(manager.arn, MANAGING_USER_ACTIONS);
  for (const arn of arns.roleArns) {
    await admin.createRole({ roleName: nameOf(arn), trustedPrincipals: [manager.arn] });
    await admin.setPermissions(arn, ROLE_ACTIONS);
    // JSON on stdin: the key id and its secret in one piece, neither on argv.
    await storeInKeychain(options.cli, arn, JSON.stringify({ accessKeyId: managerKey.accessKeyId, secretAccessKey: managerKey.secretAccessKey }));
  }
  process.stdout.write(
    [
      `IAM users ${arns.userArns.map(nameOf).join(', ')} (no keys yet: the first rotation creates one)`,
      `managing user ${MANAGING_USER} (key ${managerKey.accessKeyId}, may only ${MANAGING_USER_ACTIONS.join(', ')})`,
      ...arns.roleArns.map(arn => `role ${arn} trusting ${MANAGING_USER} (may only ${ROLE_ACTIONS.join(', ')}); its managing credentials are in the keychain`),
    ]
      .map(line => `  ${line}\n`)
      .join(''),
  );
  return arns;
}

function parseArgs(argv: string[]): SeedOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (!['--endpoint', '--workspace', '--cli'].includes(flag) || value === undefined) {
      throw new Error(`usage: seed.js --endpoint URL --workspace DIR --cli PATH (bad argument '${flag}')`);
    }
    values.set(flag, value);
  }
  const need = (flag: string): string => {
    const value = values.get(flag);
    if (value === undefined) throw new Error(`seed.js: ${flag} is required`);
    return value;
  };
  return { endpoint: need('--endpoint'), workspace: need('--workspace'), cli: need('--cli') };
}

if (require.main === module) {
  seed(parseArgs(process.argv.slice(2))).catch((e: unknown) => {
    process.stderr.write(`demo seed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
