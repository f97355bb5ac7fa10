// Bundles the extension, the language server and the CLI into dist/ with esbuild.
// keytar is native and vscode is provided by the host, so both stay external.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

// ESC_BUNDLE_MINIFY=1 (npm run package): minified, without source maps, for the .vsix.
const release = process.env.ESC_BUNDLE_MINIFY === '1';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !release, minify: release, external: ['vscode', 'keytar'], logLevel: 'warning' };
const entries = [
  { in: 'client/src/extension.ts', out: 'dist/extension.js' },
  { in: 'server/src/main.ts', out: 'dist/server.js', banner: '#!/usr/bin/env node' },
  { in: 'client/src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
];
for (const entry of entries) {
  if (!existsSync(entry.in)) continue; // not written yet
  await build({ ...common, entryPoints: [entry.in], outfile: entry.out, banner: entry.banner ? { js: entry.banner } : undefined });
}
