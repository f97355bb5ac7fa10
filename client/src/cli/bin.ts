/**
 * The `esc-local` executable (dist/cli.js): answers `--version` by itself and otherwise loads the
 * rest of the CLI (./main, bundled apart as dist/cli-main.js by scripts/bundle.mjs, with the code
 * cache of ./codeCache). Start-up is budgeted (`npm run bench`: at most 1.5× a bare `node -e 0`),
 * and compiling the whole CLI is most of it; `--version` needs none of it.
 */
import { VERSION } from './version';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // Built: dist/cli-main.js beside this file. From tsc's out/ (tests): ./main itself. Node's
  // modules are required here, not imported at the top, so that --version loads none of them.
  const fs = require('node:fs') as typeof import('node:fs');
  const bundled = require('node:path').join(__dirname, 'cli-main.js') as string;
  const cli = (fs.existsSync(bundled) ? (require('./codeCache') as typeof import('./codeCache')).requireWithCodeCache(bundled) : require('./main')) as typeof import('./main');
  cli.main();
}
