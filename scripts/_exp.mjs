import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
const entry = createRequire(import.meta.url).resolve('yaml').replace(/dist[\\/]index\.js$/, 'browser/dist/index.js');
const stub = (process.env.STUB ?? '').split(',').filter(Boolean);
const out = process.argv[2];
await build({ bundle:true, platform:'node', target:'node20', format:'cjs', minify:true, legalComments:'none', external:['vscode','keytar'], entryPoints:['client/src/cli/checkMain.ts'], outfile: out + '/cli-check.js', logLevel:'warning',
 plugins:[{name:'y',setup(b){b.onResolve({filter:/^yaml$/},()=>({path:entry}))}}, {name:'a',setup(b){b.onResolve({ filter: /^\.\/sdk$/ }, () => ({ path: './aws-sdk.js', external: true }))}},
 {name:'stub',setup(b){b.onResolve({filter:/.*/},(a)=>{ for (const s of stub) if (a.path.endsWith('/'+s) || a.path === s) return {path:s, namespace:'stub'}; }); b.onLoad({filter:/.*/,namespace:'stub'},(a)=>({contents: a.path==='vscode-languageserver-types' ? 'export const DiagnosticSeverity={Error:1,Warning:2,Information:3,Hint:4}; export const CodeActionKind={}; export const MarkupKind={}; export const FoldingRangeKind={}; export const CompletionItemKind={}; export const InsertTextFormat={}; export const SymbolKind={};' : 'export const codeActions=0, completion=0, foldingRanges=0, hover=0, definition=0, prepareRename=0, references=0, rename=0, semanticTokens=0, documentSymbols=0;', loader:'js'}))}}]});
execFileSync(process.execPath, ['scripts/code-cache.cjs', out + '/cli-check.js', '--after-check', '--source-copy'], { stdio: 'inherit' });
