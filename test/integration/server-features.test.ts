/**
 * The real language server process (`node out/server/src/main.js --stdio`) driven by a real LSP
 * client over stdio, on a fixture workspace copied to a temp folder.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DocumentSymbolRequest,
  FileChangeType,
  FoldingRangeRequest,
  HoverRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type Hover,
  type Location,
  type MarkupContent,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { ServerSession, TempWorkspace } from './lsp-support';

function summary(d: Diagnostic): string {
  return `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${String(d.message)}`;
}

describe('language server over stdio', function () {
  this.timeout(30000);
  let ws: TempWorkspace;
  let server: ServerSession;
  let devUri: string;
  let devText: string;

  before(async () => {
    ws = new TempWorkspace('workspace');
    server = await ServerSession.start(ws.folderUri, { diagnosticsDelayMs: 10 });
    devUri = ws.uri('environments/app/dev.yaml');
    devText = readFileSync(join(ws.dir, 'environments/app/dev.yaml'), 'utf8');
  });
  after(async () => {
    await server.stop();
    ws.dispose();
  });

  it('announces its capabilities', () => {
    const caps = server.initializeResult!.capabilities;
    assert.equal(server.initializeResult!.serverInfo?.name, 'esc-language-server');
    assert.deepEqual(caps.completionProvider?.triggerCharacters, [':', '.', '{', '/', ' ', '-']);
    assert.deepEqual(caps.renameProvider, { prepareProvider: true });
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.referencesProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.equal(caps.foldingRangeProvider, true);
    const tokens = caps.semanticTokensProvider as { legend: { tokenTypes: string[]; tokenModifiers: string[] } };
    assert.deepEqual(tokens.legend.tokenTypes, ['function', 'namespace', 'variable', 'property', 'operator', 'string', 'keyword']);
    assert.deepEqual(tokens.legend.tokenModifiers, ['defaultLibrary', 'secret', 'encrypted']);
  });

  it('publishes diagnostics when a document opens', async () => {
    const diagnostics = await server.open(devUri, devText);
    assert.deepEqual(diagnostics.map(summary), ['9:16-9:23 plaintext-secret plaintext secret: this value is stored unencrypted in the file; encrypt it']);
    assert.equal(diagnostics[0]!.severity, 2);
    assert.equal(diagnostics[0]!.source, 'esc');
  });

  it('publishes every kind of problem of a broken environment, located', async () => {
    const uri = ws.uri('environments/broken.yaml');
    const diagnostics = await server.open(uri, readFileSync(join(ws.dir, 'environments/broken.yaml'), 'utf8'));
    assert.deepEqual(diagnostics.map(summary), [
      '1:4-1:18 esc environment "does-not-exist" not found',
      '4:4-4:22 unknown-provider unknown provider "aws-logn"; did you mean "aws-login"?',
      '6:13-6:17 esc unknown property "nope"',
      '8:4-8:12 unknown-builtin unknown builtin function "fn::joim"; did you mean "fn::join"?',
    ]);
  });

  it('completes paths inside ${...} from imports', async () => {
    const list = (await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: devUri }, position: { line: 6, character: 17 } })) as CompletionList;
    assert.deepEqual(list.items.map((i: CompletionItem) => i.label).sort(), ['app', 'context', 'creds', 'environmentVariables', 'environments', 'password', 'region', 'url', 'aws'].sort());
  });

  it('completes environment names inside a flow-style `imports: [base, ]`', async () => {
    const uri = ws.uri('environments/app/flow.yaml');
    await server.open(uri, 'imports: [base, ]\nvalues: {}\n');
    const list = (await server.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 16 } })) as CompletionList;
    await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    assert.deepEqual(list.items.map((i: CompletionItem) => i.label).sort(), ['app/dev', 'broken', 'credentials/aws-creds', 'services/api']);
    assert.deepEqual(list.items[0]!.textEdit, { range: { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } }, newText: list.items[0]!.label });
  });

  it('hovers a reference with its checked value and origin', async () => {
    // `${app.port}` on line 6: imported from base.
    const character = devText.split('\n')[6]!.indexOf('app.port') + 5;
    const hover = (await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: devUri }, position: { line: 6, character } })) as Hover;
    assert.equal((hover.contents as MarkupContent).value, '**${app.port}**\n\nType: `number`\n\n```json\n8080\n```\n\nDefined in `base` (line 5), imported via `base`.');
  });

  it('hovers a reference into another environment with the evaluator\'s schema of the value', async () => {
    // `${environments.credentials.aws-creds.aws.login}` on line 7: an `aws-login` provider's outputs.
    const character = devText.split('\n')[7]!.indexOf('login}') + 2;
    const hover = (await server.connection.sendRequest(HoverRequest.type, { textDocument: { uri: devUri }, position: { line: 7, character } })) as Hover;
    assert.equal(
      (hover.contents as MarkupContent).value,
      '**${environments.credentials.aws-creds.aws.login}**\n\nType: `object`\n\nProperties:\n' +
        '- `accessKeyId`: `string` (required) — The AWS access key ID.\n' +
        '- `secretAccessKey`: `string` (required, secret) — The AWS secret access key.\n' +
        '- `sessionToken`: `string` (secret) — The AWS session token, if any.\n\n' +
        'Defined in `credentials/aws-creds` (line 3).',
    );
    assert.deepEqual(hover.range, { start: { line: 7, character: devText.split('\n')[7]!.indexOf('login}') }, end: { line: 7, character: devText.split('\n')[7]!.indexOf('login}') + 5 } });
  });

  it('goes from an import entry to the file, and from a reference into another environment', async () => {
    const toBase = (await server.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: devUri }, position: { line: 1, character: 5 } })) as Location[];
    assert.deepEqual(toBase, [{ uri: ws.uri('environments/base.yaml'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }]);
    const character = devText.split('\n')[7]!.indexOf('aws.login') + 5;
    const toLogin = (await server.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: devUri }, position: { line: 7, character } })) as Location[];
    assert.deepEqual(toLogin, [{ uri: ws.uri('environments/credentials/aws-creds.yaml'), range: { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } } }]);
  });

  it('finds references and renames across files, including closed ones', async () => {
    // `url` in app/dev is referenced by services/api.esc.yaml (not open).
    const position = { line: 6, character: 3 };
    const refs = (await server.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: devUri }, position, context: { includeDeclaration: true } })) as Location[];
    assert.deepEqual(refs, [
      { uri: devUri, range: { start: { line: 6, character: 2 }, end: { line: 6, character: 5 } } },
      { uri: ws.uri('services/api.esc.yaml'), range: { start: { line: 3, character: 14 }, end: { line: 3, character: 17 } } },
    ]);
    const prepared = await server.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: devUri }, position });
    assert.deepEqual(prepared, { range: { start: { line: 6, character: 2 }, end: { line: 6, character: 5 } }, placeholder: 'url' });
    const edit = await server.connection.sendRequest(RenameRequest.type, { textDocument: { uri: devUri }, position, newName: 'endpointUrl' });
    const changes = edit!.changes!;
    assert.deepEqual(Object.keys(changes).sort(), [devUri, ws.uri('services/api.esc.yaml')].sort());
    assert.deepEqual(changes[ws.uri('services/api.esc.yaml')]!.map((e: TextEdit) => e.newText), ['endpointUrl']);
  });

  it('offers the encrypt-secret command for a plaintext secret', async () => {
    const diagnostics = server.diagnostics.get(devUri)!.at(-1)!.diagnostics;
    const actions = await server.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: devUri }, range: diagnostics[0]!.range, context: { diagnostics } });
    const encrypt = actions!.find((a) => a.title === 'Encrypt secret') as { command?: { command: string; arguments?: unknown[] } };
    assert.equal(encrypt.command?.command, 'esc.encryptSecret');
    assert.deepEqual(encrypt.command?.arguments, [{ uri: devUri, version: 1, valueRange: { start: { line: 9, character: 16 }, end: { line: 9, character: 23 } }, path: 'values.password["fn::secret"]' }]);
  });

  it('answers symbols, folding and semantic tokens', async () => {
    const symbols = (await server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: devUri } })) as { name: string }[];
    assert.deepEqual(symbols.map((s) => s.name), ['imports', 'values']);
    const folds = await server.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: devUri } });
    assert.deepEqual(folds!.map((f) => [f.startLine, f.endLine]), [[0, 2], [3, 11], [4, 5], [8, 9], [10, 11]]);
    const tokens = await server.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: devUri } });
    assert.deepEqual(tokens!.data.slice(0, 5), [0, 0, 7, 6, 0]); // `imports` keyword
    assert.equal(tokens!.data.length % 5, 0);
  });

  it('re-validates importers when an imported file changes on disk', async () => {
    const basePath = join(ws.dir, 'environments/base.yaml');
    writeFileSync(basePath, 'values:\n  region: eu-west-1\n  app:\n    name: base-app\n');
    const next = server.nextDiagnostics(devUri, (p) => p.diagnostics.some((d) => String(d.message).includes('port')));
    await server.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: ws.uri('environments/base.yaml'), type: FileChangeType.Changed }] });
    const published = await next;
    // ESC locates a missing property at its accessor, `.port`.
    const character = devText.split('\n')[6]!.indexOf('.port');
    assert.deepEqual(published.diagnostics.map(summary), [`6:${character}-6:${character + 5} esc unknown property "port"`, '9:16-9:23 plaintext-secret plaintext secret: this value is stored unencrypted in the file; encrypt it']);
  });

  it('coalesces a burst of changes and publishes for the latest version', async () => {
    const uri = ws.uri('environments/scratch.yaml');
    await server.open(uri, 'values:\n  a: 1\n', 1);
    const before = server.diagnostics.get(uri)!.length;
    for (let version = 2; version <= 6; version++) void server.replace(uri, `values:\n  a: \${missing${version}}\n`, version, false);
    const last = await server.nextDiagnostics(uri, (p) => p.version === 6);
    assert.deepEqual(last.diagnostics.map(summary), ['1:7-1:15 esc unknown property "missing6"']);
    await new Promise((r) => setTimeout(r, 200));
    const published = server.diagnostics.get(uri)!.slice(before).map((p) => p.version);
    // The first change of the burst may validate at once (leading edge) unless superseded in
    // flight; the ones in between are coalesced; the last one is published, last.
    assert.equal(published.at(-1), 6);
    assert.deepEqual(published.filter((v) => v !== 2 && v !== 6), []);
  });

  it('checks an edit inside one entry incrementally and publishes it once (no confirming full check)', async () => {
    const uri = ws.uri('environments/incremental.yaml');
    const text = 'values:\n  a: 1\n  x: ${a}\n  b: one\n  c: ${b}\n';
    await server.open(uri, text, 1);
    const before = server.diagnostics.get(uri)!.length;
    const edited = text.replace('  b: one', '  b: ${nope}');
    const first = await server.replace(uri, edited, 2);
    assert.deepEqual(first!.map(summary), ['3:7-3:11 esc unknown property "nope"']);
    // A new entry is checked incrementally too, and exactly.
    const added = await server.replace(uri, edited.replace('  c: ${b}\n', '  c: ${b}\n  d: ${c}${zz}\n'), 3);
    assert.deepEqual(added!.map(summary), ['3:7-3:11 esc unknown property "nope"', '5:11-5:13 esc unknown property "zz"']);
    // (The server used to re-check in full 750 ms after an incremental result.)
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(server.diagnostics.get(uri)!.slice(before).map((p) => p.version), [2, 3]);
  });

  it('shows open-document text to importers before it is saved', async () => {
    const baseUri = ws.uri('environments/base.yaml');
    const next = server.nextDiagnostics(devUri, (p) => !p.diagnostics.some((d) => String(d.message).includes('port')));
    await server.open(baseUri, 'values:\n  region: eu-west-1\n  app:\n    name: base-app\n    port: 9090\n');
    const published = await next;
    assert.deepEqual(published.diagnostics.map(summary), ['9:16-9:23 plaintext-secret plaintext secret: this value is stored unencrypted in the file; encrypt it']);
  });

  it('did not write anything to stderr and is still running', () => {
    assert.equal(server.exited, undefined);
    assert.equal(server.stderr, '');
  });
});
