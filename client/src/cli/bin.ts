/**
 * The `esc-local` executable (dist/cli.js): answers `--version` by itself and otherwise loads one
 * of two bundles made by scripts/bundle.mjs, each with its code cache (./codeCache):
 *   - `check` (the command CI and pre-commit hooks run): ./checkMain, dist/cli-check.js, the
 *     language core only;
 *   - every other command: ./main, dist/cli-main.js, the whole CLI.
 * Start-up is budgeted (`npm run bench`: at most 1.5× a bare `node -e 0`), and loading code is
 * most of it.
 */
import { firstCommandWord } from './commandWord';
import { VERSION } from './version';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // Built: the bundle beside this file. From tsc's out/ (tests): the module itself. Node's modules
  // are required here, not imported at the top, so that --version loads none of them.
  const fs = require('node:fs') as typeof import('node:fs');
  const check = firstCommandWord(argv) === 'check';
  const bundled = require('node:path').join(__dirname, check ? 'cli-check.js' : 'cli-main.js') as string;
  type Entry = { main(): void };
  const cli = (fs.existsSync(bundled) ? (require('./codeCache') as typeof import('./codeCache')).requireWithCodeCache(bundled) : check ? require('./checkMain') : require('./main')) as Entry;
  cli.main();
}
