/**
 * Test support for the language server: a real LSP client (vscode-languageserver-protocol over
 * the server process's stdio), fixture workspaces copied to temp folders, and cursor markers.
 *
 * Markers in fixture text: `‸` is a cursor; `«` and `»` delimit an expected range. They are
 * removed from the text; their offsets/positions are returned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export { REPO_ROOT, SERVER_MAIN, FIXTURES, markers, positionAt, rangeOf, type Marked } from '../unit/text-markers';
import { SERVER_MAIN, FIXTURES } from '../unit/text-markers';

/** A fixture folder copied to a fresh temp directory (removed by `dispose`). */
export class TempWorkspace {
  readonly dir: string;
  constructor(fixture: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'esc-ls-'));
    cpSync(join(FIXTURES, fixture), this.dir, { recursive: true });
  }
  uri(relative: string): string {
    return pathToFileURL(join(this.dir, relative)).href;
  }
  get folderUri(): string {
    return pathToFileURL(this.dir).href;
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A running language server process and the client connection to it. */
export class ServerSession {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  /** Who waits for which document's diagnostics, by URI (a workspace of 1,000 open documents has 1,000 waiters). */
  private readonly waiters = new Map<string, { predicate: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[]>();
  stderr = '';
  exited: number | null | undefined;
  initializeResult?: InitializeResult;

  private constructor(readonly process: ChildProcess) {
    process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    process.on('exit', (code) => (this.exited = code));
    this.connection = createProtocolConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
      const list = this.diagnostics.get(params.uri) ?? [];
      list.push(params);
      this.diagnostics.set(params.uri, list);
      const waiting = this.waiters.get(params.uri) ?? [];
      const satisfied = waiting.filter((waiter) => waiter.predicate(params));
      if (satisfied.length === 0) return;
      const left = waiting.filter((waiter) => !satisfied.includes(waiter));
      if (left.length > 0) this.waiters.set(params.uri, left);
      else this.waiters.delete(params.uri);
      for (const waiter of satisfied) waiter.resolve(params);
    });
    this.connection.listen();
  }

  static async start(folderUri: string | null, initializationOptions: object = {}, args: string[] = ['--stdio'], serverMain = SERVER_MAIN): Promise<ServerSession> {
    const child = spawn(process.execPath, [serverMain, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new ServerSession(child);
    session.initializeResult = await session.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folderUri,
      workspaceFolders: folderUri ? [{ uri: folderUri, name: 'fixture' }] : null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: false } },
      initializationOptions,
    });
    await session.connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  /** The next publishDiagnostics for `uri` satisfying `predicate` (default: any). */
  nextDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      const waiting = this.waiters.get(uri) ?? [];
      this.waiters.set(uri, waiting);
      waiting.push({
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolvePromise(p);
        },
      });
    });
  }

  async open(uri: string, text: string, version = 1): Promise<Diagnostic[]> {
    const published = this.nextDiagnostics(uri, (p) => p.version === version);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'esc', version, text } });
    return (await published).diagnostics;
  }

  async replace(uri: string, text: string, version: number, waitForDiagnostics = true): Promise<Diagnostic[] | undefined> {
    const published = waitForDiagnostics ? this.nextDiagnostics(uri, (p) => p.version === version) : undefined;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return published ? (await published).diagnostics : undefined;
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      const exited = new Promise<void>((r) => this.process.once('exit', () => r()));
      try {
        await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (this.exited === undefined) this.process.kill();
    }
    this.connection.dispose();
  }
}
