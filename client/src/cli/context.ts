/**
 * What every command runs with: the terminal, global options, and the workspace found from
 * `--workspace`, `ESC_LOCAL_WORKSPACE`, or the nearest folder upwards holding `.esc/` or the
 * environments root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { didYouMean } from '../../../shared/src/schema/suggest';
import type { CoreOptions, EscCore } from '../core/escCore';
import { CoreError } from '../core/errors';
import { Keychain } from '../core/keychain';
import { environmentNameProblem, suggestCanonicalName } from '../../../shared/src/identity/environmentName';
import { Workspace, type WorkspaceOptions } from '../core/workspace';
import type { SecretInput } from './prompt';
import type { Ui } from './ui';
import type { AwsSettings } from '../core/aws/clients';
import { UsageError } from './exitCodes';

export interface GlobalOptions {
  workspace?: string;
  environmentsRoot?: string;
  keychainService?: string;
}

/**
 * Makes the rotation core. The full CLI (main.ts) passes one; the check-only bundle
 * (checkMain.ts) does not, so that `check` loads none of the core's providers, rotators and
 * clients (start-up budget: README, `npm run bench`).
 */
export type CoreFactory = (options: CoreOptions) => EscCore;

export interface CliIo {
  ui: Ui;
  input: SecretInput;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  createCore?: CoreFactory;
}

/** Finds the workspace folder for `start` (see module comment). */
export function discoverWorkspace(start: string, environmentsRoot: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (isDir(path.join(dir, '.esc')) || isDir(path.join(dir, environmentsRoot))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Per-request AWS deadline from `ESC_LOCAL_AWS_TIMEOUT` (seconds, default 15): the response
 * deadline of each attempt; connecting gets at most 5 s of it.
 */
export function awsSettingsFromEnv(env: NodeJS.ProcessEnv): AwsSettings {
  const text = env.ESC_LOCAL_AWS_TIMEOUT;
  if (text === undefined || text === '') return {};
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`ESC_LOCAL_AWS_TIMEOUT must be a positive number of seconds, got "${text}"`);
  const ms = Math.round(seconds * 1000);
  return { requestTimeoutMs: ms, connectTimeoutMs: Math.min(ms, 5000) };
}

/** Whether saves are recorded: on unless `ESC_LOCAL_RECORD_SAVES` is `0`, `false`, `off` or `no` (the CLI's side of `esc.history.recordSaves`). */
export function recordSavesEnabled(env: NodeJS.ProcessEnv): boolean {
  return !/^(0|false|off|no)$/i.test(env.ESC_LOCAL_RECORD_SAVES?.trim() ?? '');
}

export class CliContext {
  readonly ui: Ui;
  readonly input: SecretInput;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly root: string;
  readonly environmentsRoot: string;
  readonly keychainService: string;
  readonly signal?: AbortSignal;
  private readonly createCore?: CoreFactory;
  private cachedCore?: EscCore;
  private cachedKeychain?: Keychain;
  private cachedWorkspace?: Workspace;
  /** The tool folder is checked once per command (no symbolic link in `.esc/`). */
  private toolDirChecked = false;

  constructor(io: CliIo, global: GlobalOptions) {
    this.ui = io.ui;
    this.input = io.input;
    this.cwd = io.cwd;
    this.env = io.env;
    this.signal = io.signal;
    this.createCore = io.createCore;
    this.environmentsRoot = global.environmentsRoot ?? io.env.ESC_LOCAL_ENVIRONMENTS_ROOT ?? 'environments';
    const explicit = global.workspace ?? io.env.ESC_LOCAL_WORKSPACE;
    this.root = explicit !== undefined ? path.resolve(io.cwd, explicit) : discoverWorkspace(io.cwd, this.environmentsRoot);
    this.keychainService = global.keychainService ?? io.env.ESC_LOCAL_KEYCHAIN_SERVICE ?? 'esc-local';
  }

  /** The workspace's `.esc` folder. */
  get escDir(): string {
    return this.workspace.toolDir;
  }

  /**
   * The rotation core (same code as the extension). AWS endpoints and region come from the
   * SDK's standard variables (AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS, AWS_REGION).
   */
  get core(): EscCore {
    if (this.createCore === undefined) throw new Error('this command runs without the rotation core');
    this.cachedCore ??= this.createCore({
      workspace: this.workspaceOptions(),
      tool: 'esc-local CLI',
      aws: awsSettingsFromEnv(this.env),
      log: (line: string): void => this.ui.progress(line),
      recordSaves: recordSavesEnabled(this.env),
      saveTrigger: 'cli',
    });
    this.checkToolDir(this.cachedCore.workspace);
    return this.cachedCore;
  }

  /**
   * The workspace's files and folders: the core's (which also keeps temp files of atomic writes
   * out of committed folders) in the full CLI; in the check-only bundle, which never writes, its own.
   */
  get workspace(): Workspace {
    if (this.createCore !== undefined) return this.core.workspace;
    this.cachedWorkspace ??= new Workspace(this.workspaceOptions());
    this.checkToolDir(this.cachedWorkspace);
    return this.cachedWorkspace;
  }

  private workspaceOptions(): WorkspaceOptions {
    // The keychain reads ESC_LOCAL_DATA_KEY(_FILE) from this process's environment (CI mode).
    this.cachedKeychain ??= new Keychain(this.keychainService, undefined, { env: this.env, log: (line: string): void => this.ui.progress(line) });
    return { root: this.root, environmentsRoot: this.environmentsRoot, keychain: this.cachedKeychain };
  }

  private checkToolDir(workspace: Workspace): void {
    if (this.toolDirChecked) return;
    this.toolDirChecked = true;
    workspace.checkToolDir();
  }

  get keychain(): EscCore['keychain'] {
    return this.core.keychain;
  }

  /**
   * The environment an argument names: a canonical environment name (`prod/app`) or a path to
   * one of the workspace's environment files (anything ending in .yaml/.yml, or an existing
   * file). A non-canonical name (`./prod/app`, `prod/./app`, `prod//app`) is a usage error that
   * names the canonical spelling: an environment has one name, so one lock and one history.
   * The file is checked by the one rule (a link leaving the workspace, a directory or a FIFO is
   * refused) and returned as given, for messages; an environment that is a link to another
   * environment file is that environment.
   */
  resolveEnvironment(arg: string): { name: string; file: string } {
    const asPath = path.resolve(this.cwd, arg);
    if (/\.ya?ml$/i.test(arg) || isFile(asPath)) {
      if (!fs.existsSync(asPath) && !isLink(asPath)) throw new CoreError('EnvironmentNotFound', `no such file: ${arg}`);
      const name = this.workspace.identityOf(asPath);
      if (name === undefined) {
        throw new CoreError(
          'EnvironmentNotFound',
          `${arg} is not an environment of the workspace ${this.root}`,
          {},
          `environments are YAML files under ${path.join(this.root, this.environmentsRoot)} or *.esc.yaml files in the workspace (use --workspace to pick another folder)`,
        );
      }
      this.workspace.checkedPath(asPath, name);
      return { name, file: asPath };
    }
    const problem = environmentNameProblem(arg);
    if (problem !== undefined) {
      const canonical = suggestCanonicalName(arg);
      throw new UsageError(`"${arg}" is not an environment name: ${problem}`, canonical !== undefined ? `write it as ${canonical}` : 'names are paths under the environments folder without the extension, e.g. prod/app');
    }
    const file = this.workspace.fileFor(arg);
    if (file !== undefined) {
      const name = this.workspace.identityOf(file) ?? arg;
      this.workspace.checkedPath(file, name);
      return { name, file };
    }
    const names = this.workspace.listEnvironments().map((e) => e.name);
    const guess = didYouMean(arg, names);
    throw new CoreError(
      'EnvironmentNotFound',
      `no environment named "${arg}" in ${this.root}`,
      {},
      guess !== undefined ? `did you mean ${guess}?` : names.length > 0 ? `known environments: ${names.join(', ')}` : `create ${path.join(this.environmentsRoot, arg)}.yaml`,
    );
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
