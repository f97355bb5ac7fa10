/**
 * How editors launch the server: the esbuild bundle as the package `bin` over stdio (also with
 * no transport argument), and Node IPC as VS Code's LanguageClient does (TransportKind.ipc);
 * plus the environments-root setting from initializationOptions.
 */
import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  CodeActionRequest,
  DidChangeConfigurationNotification,
  createProtocolConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification,
  ShutdownRequest,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { REPO_ROOT, SERVER_MAIN, ServerSession, TempWorkspace } from './lsp-support';

describe('language server transports', function () {
  this.timeout(60000);
  let bundleDir: string;
  let bundle: string;

  before(async () => {
    // The same esbuild settings as scripts/bundle.mjs, into a temp folder.
    bundleDir = mkdtempSync(join(tmpdir(), 'esc-ls-bundle-'));
    bundle = join(bundleDir, 'server.js');
    await build({ entryPoints: [join(REPO_ROOT, 'server/src/main.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'keytar'], logLevel: 'error', banner: { js: '#!/usr/bin/env node' } });
  });
  after(() => rmSync(bundleDir, { recursive: true, force: true }));

  it('the bundle serves over stdio and publishes diagnostics', async () => {
    const ws = new TempWorkspace('workspace');
    const server = await ServerSession.start(ws.folderUri, {}, ['--stdio'], bundle);
    try {
      const diagnostics = await server.open(ws.uri('environments/broken.yaml'), 'values:\n  x: ${nope}\n');
      assert.deepEqual(diagnostics.map((d) => d.message), ['unknown property "nope"']);
    } finally {
      await server.stop();
      ws.dispose();
    }
  });

  it('defaults to stdio when started without a transport argument (`esc-language-server`)', async () => {
    const server = await ServerSession.start(null, {}, [], bundle);
    try {
      assert.equal(server.initializeResult?.serverInfo?.name, 'esc-language-server');
    } finally {
      await server.stop();
    }
  });

  it('serves over Node IPC, as vscode-languageclient launches a module', async () => {
    const ws = new TempWorkspace('workspace');
    const child = fork(SERVER_MAIN, ['--node-ipc'], { silent: true });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: ws.folderUri, workspaceFolders: [{ uri: ws.folderUri, name: 'w' }], capabilities: {} });
      assert.equal(result.serverInfo?.name, 'esc-language-server');
      await connection.sendNotification(InitializedNotification.type, {});
      const uri = ws.uri('environments/app/dev.yaml');
      const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => resolve(p)));
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'esc', version: 1, text: 'imports:\n  - base\nvalues:\n  p: ${app.port}\n' } });
      assert.deepEqual((await published).diagnostics, []);
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
    } finally {
      connection.dispose();
      child.kill();
      ws.dispose();
    }
  });

  it('names the encrypt command after initializationOptions.encryptSecretCommand', async () => {
    const ws = new TempWorkspace('workspace');
    const server = await ServerSession.start(ws.folderUri, { encryptSecretCommand: 'esc.encryptSecretAt' });
    try {
      const uri = ws.uri('environments/s.yaml');
      const diagnostics = await server.open(uri, 'values:\n  p:\n    fn::secret: hunter2\n');
      const actions = await server.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
      assert.deepEqual(actions!.map((a) => (a as { command?: { command: string } }).command?.command), ['esc.encryptSecretAt']);
    } finally {
      await server.stop();
      ws.dispose();
    }
  });

  it('follows `esc.environmentsRoot` from didChangeConfiguration', async () => {
    const ws = new TempWorkspace('workspace');
    const server = await ServerSession.start(ws.folderUri);
    try {
      const uri = ws.uri('services/api.esc.yaml');
      const text = 'imports:\n  - app/dev\nvalues:\n  e: 1\n';
      assert.deepEqual(await server.open(uri, text), []);
      const republished = server.nextDiagnostics(uri, (p) => p.diagnostics.length > 0);
      await server.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { esc: { environmentsRoot: 'services' } } });
      assert.deepEqual((await republished).diagnostics.map((d) => d.message), ['environment "app/dev" not found']);
    } finally {
      await server.stop();
      ws.dispose();
    }
  });

  it('takes the environments root from initializationOptions', async () => {
    const ws = new TempWorkspace('workspace');
    // With `services` as the root, `api.esc.yaml` is `api` and `app/dev` (under environments/) is not an environment.
    const server = await ServerSession.start(ws.folderUri, { environmentsRoot: 'services' });
    try {
      const diagnostics = await server.open(ws.uri('services/api.esc.yaml'), 'imports:\n  - app/dev\nvalues:\n  e: 1\n');
      assert.deepEqual(diagnostics.map((d) => d.message), ['environment "app/dev" not found']);
    } finally {
      await server.stop();
      ws.dispose();
    }
  });
});
