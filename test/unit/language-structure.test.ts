/** Document symbols, folding ranges and semantic tokens of the language service (in-process). */
import { strict as assert } from 'node:assert';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { semanticTokenList } from '../../shared/src/language/semanticTokens';
import { envUri, memoryWorkspace } from './language-support';

const DEV = [
  'imports:',
  '  - base',
  'values:',
  '  app:',
  '    name: dev',
  '    url: https://${app.name}.example.com',
  '  password:',
  '    fn::secret: hunter2',
  '  token:',
  '    fn::secret:',
  '      ciphertext: ZXNjeAAAAAHo9e705fKyKo30VQ==',
  '  # two comment lines',
  '  # fold together',
  '  hosts:',
  '    fn::join: [",", ["a", "b"]]',
  '',
].join('\n');

const KIND_NAMES: Record<number, string> = { [SymbolKind.Module]: 'Module', [SymbolKind.Object]: 'Object', [SymbolKind.String]: 'String', [SymbolKind.Function]: 'Function', [SymbolKind.Array]: 'Array', [SymbolKind.Number]: 'Number' };

function outline(symbols: DocumentSymbol[] | undefined, depth = 0): string[] {
  return (symbols ?? []).flatMap((s) => [`${'  '.repeat(depth)}${s.name} ${KIND_NAMES[s.kind] ?? s.kind} ${s.range.start.line}:${s.range.start.character}-${s.range.end.line}:${s.range.end.character}${s.detail ? ` (${s.detail})` : ''}`, ...outline(s.children, depth + 1)]);
}

describe('language service: structure', () => {
  const { service } = memoryWorkspace({ dev: DEV, base: 'values: {}\n' }, ['dev']);
  const uri = envUri('dev');

  it('lists document symbols as the key hierarchy, builtins as functions, imports as modules', () => {
    assert.deepEqual(outline(service.documentSymbols(uri)), [
      'imports Module 0:0-1:8',
      '  base Module 1:4-1:8',
      'values Object 2:0-14:31',
      '  app Object 3:2-5:40',
      '    name String 4:4-4:13 (dev)',
      '    url String 5:4-5:40 (https://${app.name}.example.com)',
      '  password Function 6:2-7:23 (fn::secret)',
      '    fn::secret String 7:4-7:23 ([secret])',
      '  token Function 8:2-10:46 (fn::secret)',
      '    fn::secret Object 9:4-10:46',
      '      ciphertext String 10:6-10:46 ([secret])',
      '  hosts Function 13:2-14:31 (fn::join)',
      '    fn::join Array 14:4-14:31',
      '      [1] Array 14:20-14:30',
    ]);
  });

  it('never shows a secret in the outline', () => {
    assert.ok(!JSON.stringify(service.documentSymbols(uri)).includes('hunter2'));
  });

  it('folds multi-line values and comment runs', () => {
    const folds = service.foldingRanges(uri).map((f) => `${f.startLine}-${f.endLine}${f.kind ? ` ${f.kind}` : ''}`);
    assert.deepEqual(folds, ['0-1', '2-14', '3-5', '6-7', '8-10', '9-10', '11-12 comment', '13-14']);
  });

  it('marks builtins, interpolation parts, secrets and reserved keys as semantic tokens', () => {
    const doc = service.document(uri)!;
    const tokens = semanticTokenList(doc).map((t) => `${doc.text.slice(t.span.start, t.span.end)}:${t.type}${t.modifiers.length > 0 ? `[${t.modifiers.join(',')}]` : ''}`);
    assert.deepEqual(tokens, [
      'imports:keyword',
      'values:keyword',
      '${:operator',
      'app:variable',
      'name:property',
      '}:operator',
      'fn::secret:function[defaultLibrary,secret]',
      'hunter2:string[secret]',
      'fn::secret:function[defaultLibrary,secret]',
      'ZXNjeAAAAAHo9e705fKyKo30VQ==:string[secret,encrypted]',
      'fn::join:function[defaultLibrary]',
    ]);
  });

  it('encodes semantic tokens relative to the previous one, as LSP requires', () => {
    const data = service.semanticTokens(uri);
    assert.equal(data.length % 5, 0);
    // First token `imports` at 0:0 length 7, type keyword (6); second `values` two lines below.
    assert.deepEqual(data.slice(0, 10), [0, 0, 7, 6, 0, 2, 0, 6, 6, 0]);
    // `${` on line 5 at column 17 (operator = 4).
    assert.deepEqual(data.slice(10, 15), [3, 17, 2, 4, 0]);
  });

  it('never throws on malformed YAML', () => {
    const broken = memoryWorkspace({ x: 'values:\n  a: [1, 2\n  b: "unterminated\n\t- ]]\n' }, ['x']);
    const u = envUri('x');
    assert.ok(Array.isArray(broken.service.documentSymbols(u)));
    assert.ok(Array.isArray(broken.service.foldingRanges(u)));
    assert.ok(Array.isArray(broken.service.semanticTokens(u)));
  });
});
