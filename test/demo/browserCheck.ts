/**
 * `npm run demo -- --check`: drives the demo's running workbench in headless Chromium as its user
 * would — no development-extension injection, so it proves the extension installed from the
 * .vsix loads — and runs ESC: Rotate Secrets on the aws-iam example against the local AWS
 * endpoint. Exits 0 when the rotation is reported, the Rotation History view shows it, the file
 * holds the new key id and "AWS" holds exactly that key.
 *
 *   [ESC_DEMO_PASSWORD=…] node out/test/demo/browserCheck.js --url BASE --folder WORKSPACE --endpoint AWS_URL --screenshot FILE
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { AwsAdminClient } from '../aws/admin';
import { launchChromium, runCommand, workbenchUrl } from '../e2e/host/browser';

/** The example the check rotates (examples/README.md names it). */
export const AWS_IAM_EXAMPLE = { environment: 'app/aws-keys', file: 'environments/app/aws-keys.yaml', path: 'aws.iam', userName: 'app-user' };

interface CheckOptions {
  url: string;
  folder: string;
  endpoint: string;
  screenshot: string;
}

const started = Date.now();
const log = (message: string): void => {
  process.stdout.write(`  browser ${((Date.now() - started) / 1000).toFixed(1)}s: ${message}\n`);
};

/**
 * Opens a workspace file by clicking through the Explorer, as a person would. (Quick Open by
 * keyboard loses keystrokes while the README preview, a webview, holds the focus.)
 */
async function openFromExplorer(page: Page, relativePath: string): Promise<void> {
  const parts = relativePath.split('/');
  for (const [index, name] of parts.entries()) {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name').getByText(name, { exact: true }) }).first();
    await row.waitFor({ timeout: 15000 });
    const expanded = await row.getAttribute('aria-expanded');
    if (index < parts.length - 1 && expanded === 'true') continue;
    await row.click();
  }
  await page.locator('.tabs-container .tab.active', { hasText: parts.at(-1)! }).waitFor({ timeout: 15000 });
}

/** Resolves with the first of `success` / `failure` to appear; a failure toast fails the check with its text. */
async function outcome(page: Page, success: string, failure: string, timeout: number): Promise<void> {
  const toasts = page.locator('.notifications-toasts');
  const ok = toasts.getByText(success, { exact: false }).first();
  const failed = toasts.getByText(failure, { exact: false }).first();
  const which = await Promise.race([
    ok.waitFor({ timeout }).then(() => 'ok' as const),
    failed.waitFor({ timeout }).then(() => 'failed' as const),
  ]);
  if (which === 'failed') throw new Error(`the extension reported: ${await failed.innerText()}`);
}

export async function checkWorkbench(options: CheckOptions): Promise<void> {
  const admin = new AwsAdminClient(options.endpoint);
  const file = path.join(options.folder, AWS_IAM_EXAMPLE.file);
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  try {
    // Generous: the first page load compiles the workbench's scripts, slow on a busy 2-core machine.
    await page.goto(workbenchUrl(options.url, options.folder), { timeout: 120000 });
    // Off loopback the demo's code-server asks for the password it printed (passed in the
    // environment, not on the command line).
    const password = process.env.ESC_DEMO_PASSWORD;
    if (password) {
      await page.locator('input[name="password"]').fill(password);
      await page.keyboard.press('Enter');
      log('logged in with the demo password');
    }
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    // The demo profile opens the workspace's README on start; let it open before typing, or it
    // takes the focus from the editor the check opens.
    await page.locator('.tabs-container .tab', { hasText: 'README.md' }).first().waitFor({ timeout: 30000 });
    log('workbench loaded with the examples folder and its README');

    await openFromExplorer(page, AWS_IAM_EXAMPLE.file);
    // The language mode comes from the installed extension's contribution.
    await page.locator('.statusbar-item', { hasText: 'ESC Environment' }).first().waitFor({ timeout: 30000 });
    log(`${AWS_IAM_EXAMPLE.file} opens as "ESC Environment"`);

    await runCommand(page, 'ESC: Rotate Secrets');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: AWS_IAM_EXAMPLE.path }).first().waitFor({ timeout: 20000 });
    await page.keyboard.press('Enter');
    await outcome(page, `Rotated ${AWS_IAM_EXAMPLE.environment}`, `Rotation of ${AWS_IAM_EXAMPLE.environment}`, 60000);
    log(`Rotate Secrets on ${AWS_IAM_EXAMPLE.environment} reported success`);

    const keys = (await admin.snapshot()).accessKeys.filter(k => k.userName === AWS_IAM_EXAMPLE.userName);
    if (keys.length !== 1) throw new Error(`AWS holds ${keys.length} keys for ${AWS_IAM_EXAMPLE.userName} after the first rotation, expected 1`);
    const keyId = keys[0]!.accessKeyId;
    if (!fs.readFileSync(file, 'utf8').includes(keyId)) throw new Error(`${file} does not name the new key ${keyId}`);
    log(`AWS holds the new key ${keyId} and ${AWS_IAM_EXAMPLE.file} records it`);

    await page.locator('.activitybar .action-item a[aria-label^="ESC"]').first().click();
    const row = (text: string) => page.locator('.sidebar .monaco-list-row', { hasText: text }).first();
    await row(AWS_IAM_EXAMPLE.environment).click();
    await row('#1 rotation').waitFor({ timeout: 20000 });
    await row('#1 rotation').locator('.monaco-tl-twistie').click();
    await row(keyId).waitFor({ timeout: 20000 });
    log('the Rotation History view shows revision #1 with the new key id');
    await page.screenshot({ path: options.screenshot });
    log(`screenshot ${options.screenshot}`);
  } catch (error) {
    await page.screenshot({ path: options.screenshot.replace(/\.png$/, '-failure.png') }).catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

function parseArgs(argv: string[]): CheckOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) values.set(argv[i] ?? '', argv[i + 1] ?? '');
  const need = (flag: string): string => {
    const value = values.get(flag);
    if (!value) throw new Error(`browserCheck.js: ${flag} is required`);
    return value;
  };
  return { url: need('--url'), folder: need('--folder'), endpoint: need('--endpoint'), screenshot: need('--screenshot') };
}

if (require.main === module) {
  checkWorkbench(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`  browser check FAILED: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      process.exit(1);
    },
  );
}
