/**
 * Tokenizes ESC lines with VS Code's own TextMate engine (vscode-textmate + oniguruma, as
 * shipped in the code-server host) using VS Code's YAML grammar plus this extension's grammar
 * and injection, exactly as the editor does, and checks the scopes the injection adds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codeServerEntry, projectRoot } from './paths';

// The slice of vscode-textmate / vscode-oniguruma used here (the host ships them without types).
interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface StackElement {
  readonly _stackElementBrand: void;
}
interface Grammar {
  tokenizeLine(line: string, state: StackElement | null): { tokens: Token[]; ruleStack: StackElement };
}
interface RawGrammar {
  scopeName: string;
}
interface TextMate {
  INITIAL: StackElement;
  Registry: new (options: {
    onigLib: Promise<unknown>;
    loadGrammar(scopeName: string): Promise<RawGrammar | null>;
    getInjections(scopeName: string): string[] | undefined;
  }) => { loadGrammar(scopeName: string): Promise<Grammar | null> };
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  createOnigScanner(patterns: string[]): unknown;
  createOnigString(text: string): unknown;
}

export interface GrammarExpectation {
  line: string;
  /** Text of a token → a scope it must carry. */
  expect: Array<[text: string, scope: string]>;
}

const expectations: GrammarExpectation[] = [
  { line: '    fn::rotate::aws-iam:', expect: [['fn::rotate', 'support.function.builtin.esc'], ['aws-iam', 'entity.name.type.provider.esc']] },
  { line: '  creds: {fn::open::aws-login: {}}', expect: [['fn::open', 'support.function.builtin.esc'], ['aws-login', 'entity.name.type.provider.esc']] },
  { line: '    fn::join: [",", [a, b]]', expect: [['fn::join', 'support.function.builtin.esc']] },
  { line: '  url: postgres://${db.user}@host', expect: [['${', 'punctuation.definition.template-expression.begin.esc'], ['db', 'variable.other.property.esc'], ['user', 'variable.other.property.esc']] },
  { line: '  login: ${environments.creds.admin.aws.login}', expect: [['environments', 'variable.language.esc']] },
  { line: '  literal: $${not.interpolated}', expect: [['$${', 'constant.character.escape.esc']] },
  { line: '      fn::secret: hunter22', expect: [['fn::secret', 'storage.modifier.secret.esc']] },
  { line: '        ciphertext: ZXNjeAAAAAE=', expect: [['ZXNjeAAAAAE=', 'string.other.ciphertext.esc']] },
  { line: '  # fn::join in a comment stays a comment', expect: [[' fn::join in a comment stays a comment', 'comment.line.number-sign.yaml']] },
];

export async function checkGrammar(): Promise<string[]> {
  const vscodeLib = path.resolve(path.dirname(codeServerEntry), '../../lib/vscode');
  const textmate = require(path.join(vscodeLib, 'node_modules/vscode-textmate')) as TextMate;
  const onig = require(path.join(vscodeLib, 'node_modules/vscode-oniguruma')) as Oniguruma;
  const wasm = fs.readFileSync(path.join(vscodeLib, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  const onigLib = onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer).then(() => ({
    createOnigScanner: (patterns: string[]) => onig.createOnigScanner(patterns),
    createOnigString: (text: string) => onig.createOnigString(text),
  }));
  const grammarFiles = new Map<string, string>();
  const addFolder = (dir: string) => {
    for (const name of fs.readdirSync(dir).filter(n => n.endsWith('.json'))) {
      const file = path.join(dir, name);
      grammarFiles.set((JSON.parse(fs.readFileSync(file, 'utf8')) as RawGrammar).scopeName, file);
    }
  };
  addFolder(path.join(vscodeLib, 'extensions/yaml/syntaxes'));
  addFolder(path.join(projectRoot, 'syntaxes'));
  const registry = new textmate.Registry({
    onigLib,
    loadGrammar: async scopeName => {
      const file = grammarFiles.get(scopeName);
      return file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RawGrammar) : null;
    },
    // As package.json's "injectTo": ["source.esc"].
    getInjections: scopeName => (scopeName === 'source.esc' ? ['esc.injection'] : undefined),
  });
  const grammar = await registry.loadGrammar('source.esc');
  if (!grammar) return ['the source.esc grammar did not load'];
  const failures: string[] = [];
  for (const { line, expect } of expectations) {
    const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
    for (const [text, scope] of expect) {
      const token = tokens.find(t => line.slice(t.startIndex, t.endIndex) === text);
      if (!token) failures.push(`${JSON.stringify(line)}: no token ${JSON.stringify(text)} (tokens: ${tokens.map(t => JSON.stringify(line.slice(t.startIndex, t.endIndex))).join(' ')})`);
      else if (!token.scopes.includes(scope)) failures.push(`${JSON.stringify(line)}: ${JSON.stringify(text)} has ${token.scopes.join(' ')}, not ${scope}`);
    }
  }
  // Plain YAML is untouched: the injection targets source.esc only.
  const yaml = await registry.loadGrammar('source.yaml');
  const plain = yaml?.tokenizeLine('    fn::join: [a]', textmate.INITIAL).tokens ?? [];
  if (plain.some(t => t.scopes.some(s => s.endsWith('.esc')))) failures.push('ESC scopes leaked into plain YAML');
  return failures;
}

export const grammarCheckCount = expectations.reduce((n, e) => n + e.expect.length, 0) + 1;
