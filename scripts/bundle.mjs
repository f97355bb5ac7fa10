// Bundles the extension, the language server and the CLI into dist/ with esbuild.
// keytar is native and vscode is provided by the host, so both stay external.
// The AWS SDK is its own bundle, dist/aws-sdk.js, required from the others only when an AWS call
// is made (client/src/core/aws/sdk.ts): it would otherwise be most of every start-up.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// ESC_BUNDLE_MINIFY=1 (npm run package): every bundle minified, without source maps, for the .vsix
// (the CLI's bundles are minified in every build, see cliOptions).
const release = process.env.ESC_BUNDLE_MINIFY === '1';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !release, minify: release, external: ['vscode', 'keytar'], logLevel: 'warning' };
// client/src/core/aws/clients.ts's `require('./sdk')` becomes `require('./aws-sdk.js')`, a sibling
// of the bundle that makes the call (every bundle is in dist/).
const awsSdkApart = {
  name: 'aws-sdk-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/sdk$/ }, (args) => (/core[\\/]aws[\\/]clients\.ts$/.test(args.importer) ? { path: './aws-sdk.js', external: true } : undefined));
  },
};
// The CLI's executable, client/src/cli/bin.ts, loads the rest of the CLI only when the command is
// more than `--version`: `require('./checkMain')` (bundle dist/cli-check.js) for `check`,
// `require('./main')` (bundle dist/cli-main.js) for the others.
const cliBundlesApart = {
  name: 'cli-bundles-apart',
  setup(b) {
    const bundleOf = { './main': './cli-main.js', './checkMain': './cli-check.js' };
    b.onResolve({ filter: /^\.\/(main|checkMain)$/ }, (args) => (/cli[\\/]bin\.ts$/.test(args.importer) ? { path: bundleOf[args.path], external: true } : undefined));
  },
};
// The CLI's bundles are read, and their code caches deserialised, at every start: they are
// minified in every build, so that the build a developer benches is the one the .vsix ships, and
// pure ASCII (a comment with one non-ASCII character makes V8 hold the whole source as two-byte
// text). Outside a release each has a linked source map (dist/cli-*.js.map), so a stack trace is
// readable with `node --enable-source-maps dist/cli.js …`.
const cliOptions = { minify: true, sourcemap: release ? false : 'linked', legalComments: 'none' };
// In the CLI's bundles, `yaml` is its ES module build (the same code, without the Node build's
// LOG_TOKENS/LOG_STREAM debug switches; warnings go to console.warn): esbuild keeps only what is
// used, where the CommonJS build is bundled whole and copied into a namespace object per importer.
const yamlModuleBuild = {
  name: 'yaml-module-build',
  setup(b) {
    const entry = createRequire(import.meta.url).resolve('yaml').replace(/dist[\\/]index\.js$/, 'browser/dist/index.js');
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: entry }));
  },
};
// esbuild makes `import * as fs from 'node:fs'` a fresh copy of the module (`__toESM`: a getter per
// export) in every file that imports it; in the CLI's bundles the copy is made once per module and
// shared. Same object, same (live) bindings for every importer. The helper is found by its shape,
// whether names are minified or not; a changed esbuild fails the build here, not at run time.
const TO_ESM = /(var |,)([\w$]+)=\(([\w$]+),([\w$]+),([\w$]+)\)=>\(\5=\3!=null\?/g;
function shareNamespaceCopies(file) {
  const text = readFileSync(file, 'latin1');
  const found = [...text.matchAll(TO_ESM)];
  if (found.length !== 1) throw new Error(`${file}: esbuild's __toESM helper found ${found.length} times (expected once); update scripts/bundle.mjs`);
  const once = (_, lead, name, mod, nodeMode, target) =>
    `${lead}__esmCopies=new WeakMap,${name}=(mod,nodeMode)=>{if(mod==null||typeof mod!="object"&&typeof mod!="function")return __toESMCopy(mod,nodeMode);let copies=__esmCopies.get(mod);copies||__esmCopies.set(mod,copies=[]);return copies[nodeMode?1:0]??=__toESMCopy(mod,nodeMode)},__toESMCopy=(${mod},${nodeMode},${target})=>(${target}=${mod}!=null?`;
  writeFileSync(file, builtinsUncopied(text.replace(TO_ESM, once), found[0][2]), 'latin1');
}
// A Node built-in module is only ever imported as a namespace (`import * as fs from 'node:fs'`;
// test/unit/architecture.test.ts refuses a default import of one), and its namespace is the module
// object itself: its copy (a getter per export, ~100 for node:fs) was the largest allocation of the
// check bundle's top level (~70 KB of ~450 KB).
function builtinsUncopied(text, toEsmName) {
  const call = new RegExp(`(?<![\\w$.])${toEsmName.replace(/\$/g, '\\$')}\\((require\\("node:[\\w/]+"\\))(?:,1)?\\)`, 'g');
  return text.replace(call, '$1');
}
const entries = [
  { in: 'client/src/core/aws/sdk.ts', out: 'dist/aws-sdk.js' },
  { in: 'client/src/extension/main.ts', out: 'dist/extension.js' },
  { in: 'server/src/main.ts', out: 'dist/server.js', banner: '#!/usr/bin/env node' },
  { in: 'client/src/cli/main.ts', out: 'dist/cli-main.js', cli: true },
  { in: 'client/src/cli/checkMain.ts', out: 'dist/cli-check.js', cli: true },
  { in: 'client/src/cli/bin.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node', cli: true },
];
for (const entry of entries) {
  if (!existsSync(entry.in)) continue; // not written yet
  const cli = entry.cli === true;
  const plugins = [awsSdkApart, cliBundlesApart, ...(cli ? [yamlModuleBuild] : [])];
  await build({ ...common, ...(cli ? cliOptions : {}), plugins, entryPoints: [entry.in], outfile: entry.out, banner: entry.banner ? { js: entry.banner } : undefined });
  if (cli) shareNamespaceCopies(entry.out);
}
// The CLI's bundles are loaded with a V8 code cache (client/src/cli/codeCache.ts); the check
// bundle's is made after a check ran, so it holds the functions a check compiles, too, and starts
// with a copy of the bundle, so that checking it needs no node:crypto.
if (existsSync('dist/cli-main.js')) execFileSync(process.execPath, ['scripts/code-cache.cjs', 'dist/cli-main.js'], { stdio: 'inherit' });
if (existsSync('dist/cli-check.js')) execFileSync(process.execPath, ['scripts/code-cache.cjs', 'dist/cli-check.js', '--after-check', '--source-copy'], { stdio: 'inherit' });
