/**
 * `npm run test:e2e`: runs the extension in a real VS Code (code-server's workbench and Node
 * extension host, headless Chromium), against the local AWS endpoint and the Secret Service of
 * scripts/with-keyring.sh, then the UI smoke test. Exit code 0 only if both pass.
 *
 *   ESC_E2E_GREP=<pattern>   run only matching suite tests
 *   ESC_E2E_SKIP_UI=1        skip the UI smoke test (local iteration only; CI runs everything)
 *   ESC_E2E_KEEP=1           keep the scratch folder (workspace copies, logs)
 *   ESC_E2E_VSIX=<file>      test the packaged extension (npm run package) instead of the
 *                            working tree: the .vsix is unpacked and loaded as the extension
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startAwsEndpoint } from './host/awsEndpoint';
import { startCodeServer } from './host/codeServer';
import { runExtensionTests } from './host/extensionTests';
import { artifactsDir, fixtureWorkspace, projectRoot, suiteEntry } from './host/paths';
import { checkGrammar, grammarCheckCount } from './host/grammarCheck';
import { scanForSecrets, secretsOfWorkspace } from './host/leakScan';
import { prepareWorkspace } from './host/workspace';
import { setUpUsers, startPostgres } from '../integration/db-servers';
import { runKeychainUnavailableSmoke, runUiSmoke, uiSmokeSecret } from './ui/smoke';

async function main(): Promise<number> {
  const started = Date.now();
  const log = (message: string) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  for (const built of [path.join(projectRoot, 'dist/extension.js'), suiteEntry, ...(process.env.ESC_E2E_VSIX ? [process.env.ESC_E2E_VSIX] : [])]) {
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run npm run build`);
  }
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run inside scripts/with-keyring.sh (npm run test:e2e does)');
  }
  fs.mkdirSync(artifactsDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-e2e-'));
  const cleanups: Array<() => Promise<void>> = [];
  let code = 1;
  try {
    // The grammar, tokenized by VS Code's own TextMate engine from the host.
    const grammarFailures = await checkGrammar();
    grammarFailures.forEach(f => log(`grammar FAIL: ${f}`));
    log(`grammar: ${grammarCheckCount - grammarFailures.length}/${grammarCheckCount} scope checks passed`);
    const extensionPath = process.env.ESC_E2E_VSIX ? unpackVsix(process.env.ESC_E2E_VSIX, path.join(scratch, 'vsix')) : projectRoot;
    log(`extension under test: ${extensionPath}`);
    const secretsFile = path.join(scratch, 'secrets-handled.json');
    const aws = await startAwsEndpoint(path.join(scratch, 'aws'));
    cleanups.push(() => aws.stop());
    log(`local AWS endpoint ${aws.url} (account ${aws.accountId})`);
    // A real PostgreSQL for the database rotation test, set up as ESC's "Database User Setup" says.
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const pgSetup = { managing: { username: 'db_manager', password: 'Pg-manager-e2e-1' }, rotated: [{ username: 'app_user1', password: 'Pg-initial-e2e-1' }, { username: 'app_user2', password: 'Pg-initial-e2e-2' }] };
    await setUpUsers(postgres, pgSetup);
    log(`PostgreSQL on ${postgres.host}:${postgres.port}`);
    // The extension reaches "AWS" only through its endpoint setting, as a user would configure it.
    const settings = { 'esc.aws.endpoint': aws.url };
    const suiteWorkspace = prepareWorkspace(fixtureWorkspace, path.join(scratch, 'suite-workspace'), settings);
    const server = await startCodeServer(path.join(scratch, 'code-server'), {
      ESC_E2E_ARTIFACTS: artifactsDir,
      // The suite lists the secret values it handled here, for the leak scan below.
      ESC_E2E_SECRETS_FILE: secretsFile,
      // For the suite's own setup calls (creating the IAM user and its first key), not the extension's.
      ESC_E2E_AWS_ADMIN_URL: aws.url,
      // Where the suite's PostgreSQL rotation connects, and the users the harness created there.
      ESC_E2E_POSTGRES: JSON.stringify({ host: postgres.host, port: postgres.port, ...pgSetup }),
    });
    cleanups.push(() => server.stop());
    log(`code-server ${server.url} (log ${server.logFile})`);
    code = await runExtensionTests(server.url, suiteWorkspace, extensionPath, suiteEntry, 10 * 60 * 1000);
    log(`extension-host suite exit code ${code}`);
    // Restricted Mode: a second VS Code with workspace trust on opens a fresh copy untrusted.
    if (!process.env.ESC_E2E_GREP || /restricted/i.test(process.env.ESC_E2E_GREP)) {
      const restricted = await startCodeServer(path.join(scratch, 'code-server-restricted'), { ESC_E2E_RESTRICTED: '1', ESC_E2E_AWS_ADMIN_URL: aws.url }, [], true);
      cleanups.push(() => restricted.stop());
      const restrictedWorkspace = prepareWorkspace(fixtureWorkspace, path.join(scratch, 'restricted-workspace'), settings);
      const restrictedCode = await runExtensionTests(restricted.url, restrictedWorkspace, extensionPath, suiteEntry, 5 * 60 * 1000);
      log(`Restricted Mode suite exit code ${restrictedCode}`);
      await restricted.stop();
      if (restrictedCode !== 0) code = restrictedCode;
    }
    if (process.env.ESC_E2E_SKIP_UI !== '1') {
      const uiWorkspace = prepareWorkspace(fixtureWorkspace, path.join(scratch, 'ui-workspace'), settings);
      const emptyWorkspace = path.join(scratch, 'empty-workspace');
      fs.mkdirSync(emptyWorkspace);
      const uiCode = await runUiSmoke(server.url, uiWorkspace, emptyWorkspace, extensionPath, artifactsDir, aws.url, log);
      log(`UI smoke exit code ${uiCode}`);
      if (uiCode !== 0) code = uiCode;
      // A second VS Code without a D-Bus session: the keychain is unavailable there.
      const noKeychain = await startCodeServer(path.join(scratch, 'code-server-no-dbus'), {}, ['DBUS_SESSION_BUS_ADDRESS']);
      cleanups.push(() => noKeychain.stop());
      const noKeychainWorkspace = prepareWorkspace(fixtureWorkspace, path.join(scratch, 'no-keychain-workspace'), settings);
      const keychainCode = await runKeychainUnavailableSmoke(noKeychain.url, noKeychainWorkspace, extensionPath, artifactsDir, log);
      log(`keychain-unavailable smoke exit code ${keychainCode}`);
      await noKeychain.stop();
      if (keychainCode !== 0) code = keychainCode;
    }
    // Nothing the run wrote may contain a secret it handled (the UI smoke typed one more).
    await server.stop();
    const secrets = [
      ...(fs.existsSync(secretsFile) ? (JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as string[]) : []),
      ...(await secretsOfWorkspace(suiteWorkspace)),
      ...(process.env.ESC_E2E_SKIP_UI !== '1' ? [uiSmokeSecret, ...(await secretsOfWorkspace(path.join(scratch, 'ui-workspace')))] : []),
    ];
    const scan = scanForSecrets([scratch], secrets, file =>
      file.startsWith(path.join(scratch, 'aws')) || file === secretsFile || unchangedFixture(scratch, file));
    log(`leak scan: ${secrets.length} secret values, ${scan.filesScanned} files, ${scan.hits.length} hit(s)`);
    for (const hit of scan.hits) log(`  LEAK: secret #${hit.secretIndex} found in ${path.relative(scratch, hit.file)}`);
    if (!process.env.ESC_E2E_GREP && secrets.length < 5) {
      log('leak scan: the suite reported too few secrets (did it run completely?)');
      if (code === 0) code = 1;
    }
    if (scan.hits.length > 0) code = 1;
    if (grammarFailures.length > 0) code = 1;
    if (code !== 0) {
      fs.copyFileSync(server.logFile, path.join(artifactsDir, 'code-server.log'));
      fs.copyFileSync(aws.logFile, path.join(artifactsDir, 'aws-endpoint.log'));
      log(`code-server and AWS endpoint logs copied to ${artifactsDir}`);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(error => log(`cleanup: ${String(error)}`));
    if (process.env.ESC_E2E_KEEP === '1') log(`scratch kept at ${scratch}`);
    else fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s, exit code ${code}`);
  return code;
}

/** A workspace copy's file still identical to its fixture (deliberately plaintext fixtures are not leaks). */
function unchangedFixture(scratch: string, file: string): boolean {
  const [copy, ...rest] = path.relative(scratch, file).split(path.sep);
  if (!copy?.endsWith('-workspace') || rest.length === 0) return false;
  const original = path.join(fixtureWorkspace, ...rest);
  return fs.existsSync(original) && fs.statSync(original).isFile() && fs.statSync(file).isFile() && fs.readFileSync(original).equals(fs.readFileSync(file));
}

/** A .vsix is a zip whose `extension/` folder is what VS Code installs. */
function unpackVsix(vsix: string, target: string): string {
  execFileSync('python3', ['-m', 'zipfile', '-e', vsix, target]);
  return path.join(target, 'extension');
}

main().then(
  code => process.exit(code),
  error => {
    console.error(`e2e harness failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
