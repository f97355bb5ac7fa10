/**
 * ESC: Run Command with Environment — asks for a command line and runs it in a new VS Code
 * terminal through `esc-local run` (the bundled CLI, on VS Code's own Node runtime): the
 * program gets the environment's variables and files, and secrets in its output are masked.
 * Secrets never pass through the extension: the CLI opens the environment in the terminal's
 * process, and the command line is the user's own text.
 */
import * as vscode from 'vscode';
import { activeEnvironment, environmentOf, type EnvironmentRef, listEnvironments } from './environments';
import { readSettings } from './settings';

/** Programmatic arguments (keybindings, tasks, the e2e suite). */
export interface RunWithEnvironmentArgs {
  /** The environment file (default: the active editor's, else a picker). */
  uri?: vscode.Uri;
  /** The command line, run by the user's shell (default: ask). */
  command?: string;
  /** Connect the terminal directly, without masking (`esc-local run -i`). */
  interactive?: boolean;
}

const LAST_COMMAND_KEY = 'esc.run.lastCommand';

async function pickEnvironment(arg: RunWithEnvironmentArgs): Promise<EnvironmentRef | undefined> {
  if (arg.uri) {
    const env = environmentOf(arg.uri);
    if (!env) void vscode.window.showWarningMessage(`${arg.uri.fsPath} is not an ESC environment.`);
    return env;
  }
  const active = activeEnvironment();
  if (typeof active !== 'string') return active;
  const all = await listEnvironments();
  if (all.length === 0) {
    void vscode.window.showWarningMessage('No ESC environments in this workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((env) => ({ label: env.name, description: env.folder.name, env })),
    { placeHolder: 'Environment to run the command with' },
  );
  return picked?.env;
}

/** The user's shell running one command line (what a terminal would do with it). */
function shellFor(command: string): string[] {
  if (process.platform === 'win32') return [process.env.ComSpec ?? 'cmd.exe', '/d', '/s', '/c', command];
  return [process.env.SHELL ?? '/bin/sh', '-c', command];
}

async function runWithEnvironment(context: vscode.ExtensionContext, arg: RunWithEnvironmentArgs = {}): Promise<vscode.Terminal | undefined> {
  const env = await pickEnvironment(arg);
  if (!env) return undefined;
  const command =
    arg.command ??
    (await vscode.window.showInputBox({
      prompt: `Command to run with ${env.name} (its variables and files exported, secrets masked in the output)`,
      placeHolder: 'e.g. npm start',
      value: context.workspaceState.get<string>(LAST_COMMAND_KEY),
    }));
  if (command === undefined || command.trim() === '') return undefined;
  await context.workspaceState.update(LAST_COMMAND_KEY, command);
  const settings = readSettings(env.folder);
  const terminal = vscode.window.createTerminal({
    name: `ESC: ${env.name}`,
    cwd: env.folder.uri,
    // VS Code's own runtime runs the bundled CLI as plain Node.
    shellPath: process.execPath,
    shellArgs: [
      context.asAbsolutePath('dist/cli.js'),
      'run',
      '--workspace', env.folder.uri.fsPath,
      '--environments-root', settings.environmentsRoot,
      '--keychain-service', settings.keychainService,
      ...(arg.interactive ? ['--interactive'] : []),
      env.name,
      '--',
      ...shellFor(command),
    ],
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  terminal.show();
  return terminal;
}

export function registerRunCommand(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('esc.runWithEnvironment', (arg?: RunWithEnvironmentArgs | vscode.Uri) =>
    runWithEnvironment(context, arg instanceof vscode.Uri ? { uri: arg } : arg),
  );
}
