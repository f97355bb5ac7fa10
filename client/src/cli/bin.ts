/**
 * The `esc-local` executable (dist/cli.js): answers `--version` by itself and otherwise loads the
 * rest of the CLI (./main, bundled apart as dist/cli-main.js by scripts/bundle.mjs). Start-up is
 * budgeted (`npm run bench`: at most 1.5× a bare `node -e 0`), and compiling the whole CLI is most
 * of it; `--version` needs none of it.
 */
import { VERSION } from './version';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  (require('./main') as typeof import('./main')).main();
}
