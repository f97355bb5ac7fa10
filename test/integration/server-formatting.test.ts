/**
 * Formatting through the real language server over stdio (textDocument/formatting and
 * rangeFormatting): ESC style (2-space levels, sequences under their key, one space after `key:`
 * and `- ` and before a trailing comment), comments, key order, quoting, flow collections and
 * block scalars kept; broken YAML and hostile input left alone; linear in the input size.
 */
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DidOpenTextDocumentNotification, DocumentFormattingRequest, DocumentRangeFormattingRequest, type TextEdit } from 'vscode-languageserver-protocol/node';
import { parse } from 'yaml';
import { ServerSession, TempWorkspace } from './lsp-support';

const MESSY = [
  '# The app environment.',
  'imports:',
  '    -   app/base   # shared values',
  '    - app/db',
  'values:',
  '      aws:   # keep this comment here',
  '',
  '          login:',
  '                fn::open::aws-login:',
  '                    oidc: {roleArn: "arn:aws:iam::1:role/r",  sessionName: s}',
  '          zones: [a,   b]',
  '      items:',
  '      -   name: one',
  '          value:   1',
  '      - name: two',
  '        value: "a # not a comment"',
  '      script: |',
  '          echo one   ',
  '            echo two',
  '      q  :   \'single\'',
  '      # about url',
  '      url: https://${app.host}/x',
  '# the end',
  '',
  '',
].join('\n');

const FORMATTED = [
  '# The app environment.',
  'imports:',
  '  - app/base # shared values',
  '  - app/db',
  'values:',
  '  aws: # keep this comment here',
  '',
  '    login:',
  '      fn::open::aws-login:',
  '        oidc: {roleArn: "arn:aws:iam::1:role/r",  sessionName: s}',
  '    zones: [a,   b]',
  '  items:',
  '    - name: one',
  '      value: 1',
  '    - name: two',
  '      value: "a # not a comment"',
  '  script: |',
  '    echo one   ',
  '      echo two',
  "  q: 'single'",
  '  # about url',
  '  url: https://${app.host}/x',
  '# the end',
  '',
].join('\n');

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x.yaml', 'esc', 1, text), edits);
}

describe('language server: formatting (document and range)', function () {
  this.timeout(60000);
  let ws: TempWorkspace;
  let server: ServerSession;
  let version = 1;

  before(async () => {
    ws = new TempWorkspace('workspace');
    server = await ServerSession.start(ws.folderUri, { diagnosticsDelayMs: 10 });
  });
  after(async () => {
    await server.stop();
    ws.dispose();
  });

  async function format(uri: string, text: string): Promise<TextEdit[]> {
    await server.replace(uri, text, ++version, false);
    return (await server.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } })) ?? [];
  }

  it('announces document and range formatting', () => {
    assert.equal(server.initializeResult?.capabilities.documentFormattingProvider, true);
    assert.equal(server.initializeResult?.capabilities.documentRangeFormattingProvider, true);
  });

  it('formats a whole document in ESC style, keeping comments, key order, quoting, flow collections and block scalars', async () => {
    const uri = ws.uri('environments/app/messy.yaml');
    await server.open(uri, MESSY);
    const edits = await format(uri, MESSY);
    const formatted = apply(MESSY, edits);
    assert.equal(formatted, FORMATTED);
    assert.deepEqual(parse(formatted), parse(MESSY), 'the same data');
    // Only changed lines are edited (a format-on-save keeps the cursor and the undo stack small).
    assert.ok(edits.every((e) => e.range.start.line === e.range.end.line || e.newText === '\n'), JSON.stringify(edits));
    assert.deepEqual(await format(uri, formatted), [], 'formatting is idempotent');
  });

  it('formats only the lines of a range', async () => {
    const uri = ws.uri('environments/app/range.yaml');
    await server.open(uri, MESSY);
    await server.replace(uri, MESSY, ++version, false);
    const edits = (await server.connection.sendRequest(DocumentRangeFormattingRequest.type, {
      textDocument: { uri },
      range: { start: { line: 1, character: 0 }, end: { line: 3, character: 0 } },
      options: { tabSize: 2, insertSpaces: true },
    }))!;
    assert.deepEqual(edits.map((e) => e.range.start.line), [2, 3]);
    const result = apply(MESSY, edits).split('\n');
    assert.deepEqual(result.slice(0, 4), FORMATTED.split('\n').slice(0, 4));
    assert.deepEqual(result.slice(4), MESSY.split('\n').slice(4), 'lines outside the range are untouched');
  });

  it('leaves broken YAML, and input it cannot format without changing its meaning, alone', async () => {
    const uri = ws.uri('environments/app/broken.yaml');
    const broken = 'values:\n    a: [1, 2\n    b: "unterminated\n';
    await server.open(uri, broken);
    assert.deepEqual(await format(uri, broken), []);
    // Tabs, anchors, documents markers, CRLF: formatted or left alone, never changed in meaning.
    for (const text of ['values:\r\n    a:   1\r\n', '---\nvalues:\n    a: &x 1\n    b: *x\n...\n', 'values:\n\ta: 1\n', '']) {
      const out = apply(text, await format(uri, text));
      if (out !== text) assert.deepEqual(parse(out), parse(text), JSON.stringify(text));
    }
    assert.equal(apply('values:\r\n    a:   1\r\n', await format(uri, 'values:\r\n    a:   1\r\n')), 'values:\r\n  a: 1\r\n');
  });

  it('formats a large document (an 8,000-line environment, mostly comments) in one request', async function () {
    this.timeout(180000); // the server checks the same document meanwhile; a busy CI machine is slow
    const uri = ws.uri('environments/app/large.yaml');
    const lines = ['values:'];
    for (let i = 0; i < 2000; i++) lines.push(`    k${i}:   # c${i}`, `        # about v${i}`, `        v${i}:    [1,  2]`, '');
    const text = lines.join('\n');
    // Opened without waiting for its diagnostics: formatting does not depend on them.
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'esc', version: ++version, text } });
    const edits = (await server.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }))!;
    assert.equal(edits.length, 6000, "three lines of each entry re-indented or re-spaced");
    assert.deepEqual(parse(apply(text, edits)), parse(text));
  });
});
