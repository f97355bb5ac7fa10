/**
 * Exit codes have one truth: `EXIT_CODES` in client/src/cli/exitCodes.ts. `--help` prints it,
 * docs/cli.md carries the same rows, `EXIT` uses the same numbers, and the failures scripts
 * care about map to the documented code.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CoreError } from '../../client/src/core/errors';
import { EXIT, EXIT_CODES, exitCodeFor, UsageError } from '../../client/src/cli/exitCodes';
import { mainHelp } from '../../client/src/cli/help';
import { COMMANDS } from '../../client/src/cli/commands/index';

const plain = { bold: (t: string) => t, dim: (t: string) => t, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, cyan: (t: string) => t };

describe('CLI exit codes: one table', () => {
  it('docs/cli.md has exactly the rows of EXIT_CODES', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Exit codes'), doc.indexOf('\n### ', doc.indexOf('### Exit codes') + 5));
    const rows = [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => ({ code: Number(m[1]), meaning: m[2] }));
    assert.deepEqual(rows, EXIT_CODES.map((e) => ({ code: e.code, meaning: e.meaning })));
  });

  it('--help prints every row', () => {
    const help = mainHelp(COMMANDS, '0.0.0', plain);
    for (const e of EXIT_CODES) assert.ok(help.includes(`${String(e.code).padEnd(5)}${e.meaning}`), `help lacks ${e.code}`);
  });

  it('EXIT names exactly the documented codes', () => {
    assert.deepEqual(Object.values(EXIT).sort((a, b) => a - b), EXIT_CODES.map((e) => e.code));
  });

  it('maps failures to the documented codes (missing managing credentials: 1; data key or keychain: 4)', () => {
    assert.equal(exitCodeFor(new CoreError('KeychainMissingEntry', 'no managing AWS credentials')), EXIT.failed);
    assert.equal(exitCodeFor(new CoreError('DataKeyMissing', 'no data key')), EXIT.keychain);
    assert.equal(exitCodeFor(new CoreError('KeychainUnavailable', 'locked')), EXIT.keychain);
    assert.equal(exitCodeFor(new CoreError('Locked', 'busy')), EXIT.busy);
    assert.equal(exitCodeFor(new CoreError('EnvironmentNotFound', 'x')), EXIT.notFound);
    assert.equal(exitCodeFor(new CoreError('DeadlineExceeded', 'x')), EXIT.failed);
    assert.equal(exitCodeFor(new UsageError('x')), EXIT.usage);
  });
});
