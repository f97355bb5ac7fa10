/**
 * The e2e suite's entry, loaded by the VS Code extension host (`extensionTestsPath`): runs every
 * `*.test.js` beside it with mocha. Pending (skipped) and `.only` tests fail the run: CI must
 * never pass with part of the suite switched off.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec', forbidOnly: true, forbidPending: true });
  // The Restricted Mode tests need an untrusted workspace: run.ts runs them (only them) in a second
  // VS Code with workspace trust on (ESC_E2E_RESTRICTED=1); the main run leaves them out.
  const restricted = process.env.ESC_E2E_RESTRICTED === '1';
  const grep = restricted ? 'Restricted Mode' : process.env.ESC_E2E_GREP;
  if (restricted) mocha.grep('Restricted Mode');
  else if (grep) mocha.grep(new RegExp(`^(?!.*Restricted Mode)(?=.*(?:${grep}))`));
  else mocha.grep('Restricted Mode').invert();
  const files = fs.readdirSync(__dirname).filter(f => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  const started = Date.now();
  let passed = 0;
  const failures = await new Promise<number>(resolve => {
    const runner = mocha.run(resolve);
    runner.on('pass', () => passed++);
  });
  if (failures === 0 && passed === 0) throw new Error(`no e2e test ran${grep ? ` (ESC_E2E_GREP=${grep} matched nothing)` : ''}`);
  console.log(`e2e suite: ${files.length} files, ${passed} passed, ${failures} failure(s), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures > 0) throw new Error(`${failures} e2e test(s) failed`);
}
