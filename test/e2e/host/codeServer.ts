/**
 * Starts code-server (VS Code's workbench and Node extension host, run with Node 24) on a random
 * loopback port with throwaway user-data, extensions and XDG folders, so that a run never reads
 * or writes the user's own VS Code state.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codeServerEntry, node24 } from './paths';
import { freePort, startLogged, Started, waitFor } from './processes';

export interface CodeServer {
  url: string;
  /** host:port, the authority of `vscode-remote:` URIs in this workbench. */
  authority: string;
  scratch: string;
  logFile: string;
  stop(): Promise<void>;
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'remote.autoForwardPorts': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * `env` is added to code-server's environment (which its extension host inherits); `unset` names
 * variables removed from it. `trust`: workspace trust on (folders open in Restricted Mode until
 * trusted), for the Restricted Mode tests; off otherwise.
 */
export async function startCodeServer(scratch: string, env: NodeJS.ProcessEnv, unset: string[] = [], trust = false): Promise<CodeServer> {
  for (const file of [node24, codeServerEntry]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/setup-vscode-host.sh first`);
  }
  const userData = path.join(scratch, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(scratch, 'extensions'), { recursive: true });
  fs.mkdirSync(path.join(scratch, 'xdg'), { recursive: true });
  const trustSettings = trust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' } : {};
  fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify({ ...userSettings, ...trustSettings }, null, 2));
  const port = await freePort();
  const config = path.join(scratch, 'code-server.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = path.join(scratch, 'code-server.log');
  const server: Started = startLogged(
    node24,
    [
      codeServerEntry,
      '--config', config,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', userData,
      '--extensions-dir', path.join(scratch, 'extensions'),
      '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    ],
    logFile,
    { env: withoutKeys({ ...process.env, ...env, XDG_CONFIG_HOME: path.join(scratch, 'xdg'), XDG_DATA_HOME: path.join(scratch, 'xdg') }, unset) },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('code-server', async () => (await fetch(`${url}/healthz`)).ok, 60000, server.child, logFile);
  return { url, authority: `127.0.0.1:${port}`, scratch, logFile, stop: () => server.stop() };
}

function withoutKeys(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of keys) delete copy[key];
  return copy;
}
