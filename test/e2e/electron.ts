/**
 * The same e2e suite in VS Code desktop, through @vscode/test-electron, for machines that have
 * VS Code (or can download it): `npm run test:e2e:electron` (inside scripts/with-keyring.sh on
 * Linux). VS_CODE_EXECUTABLE=<path> uses an installed VS Code instead of downloading one.
 * The offline CI uses run.ts (code-server) instead: the suite is identical.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { startAwsEndpoint } from './host/awsEndpoint';
import { fixtureWorkspace, projectRoot, suiteEntry } from './host/paths';
import { prepareWorkspace } from './host/workspace';

async function main(): Promise<number> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-e2e-electron-'));
  const aws = await startAwsEndpoint(path.join(scratch, 'aws'));
  try {
    const workspace = prepareWorkspace(fixtureWorkspace, path.join(scratch, 'workspace'), { 'esc.aws.endpoint': aws.url });
    const executable = process.env.VS_CODE_EXECUTABLE;
    await runTests({
      ...(executable ? { vscodeExecutablePath: executable } : {}),
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: suiteEntry,
      extensionTestsEnv: { ESC_E2E_AWS_ADMIN_URL: aws.url },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(scratch, 'user-data')],
    });
    return 0;
  } catch (error) {
    console.error(`e2e (VS Code desktop) failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await aws.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main().then(code => process.exit(code));
