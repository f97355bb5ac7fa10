/**
 * UI smoke test: drives the real workbench as a person would (quick open, command palette,
 * activity bar, tree) and saves screenshots of what they would see under test-artifacts/:
 * the editor with diagnostics, the resolved-environment preview, and the Rotation History view.
 */
import * as path from 'path';
import type { Page } from 'playwright-core';
import { injectDevelopmentOptions, launchChromium, workbenchUrl } from '../host/browser';

type Log = (message: string) => void;

async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
  await page.keyboard.type(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 15000 });
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

export async function runUiSmoke(baseUrl: string, folder: string, extensionPath: string, artifacts: string, log: Log): Promise<number> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const shot = async (name: string) => {
    const file = path.join(artifacts, name);
    await page.screenshot({ path: file });
    log(`screenshot ${file}`);
  };
  try {
    await injectDevelopmentOptions(page, { extensionPath });
    await page.goto(workbenchUrl(baseUrl, folder));
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    log('UI: workbench ready');

    // 1. The editor with diagnostics: squiggles in the file and the Problems panel listing them.
    await quickOpen(page, 'broken.yaml');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30000 });
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').getByText('did you mean "fn::join"?', { exact: false }).first().waitFor({ timeout: 30000 });
    await page.locator('.markers-panel').getByText('plaintext secret', { exact: false }).first().waitFor({ timeout: 30000 });
    log('UI: diagnostics in the editor and the Problems panel');
    await shot('editor-diagnostics.png');

    // 2. The Rotation History view in its own activity-bar container.
    await page.locator('.activitybar .action-item a[aria-label^="ESC"]').first().click();
    // A container with a single view shows the view's name in the side bar title.
    await page.locator('.sidebar .composite.title', { hasText: 'Rotation History' }).waitFor({ timeout: 20000 });
    await page.locator('.sidebar .monaco-list-row', { hasText: 'app/dev' }).first().waitFor({ timeout: 20000 });
    log('UI: Rotation History view shows the environments');
    await shot('history-tree.png');
    return 0;
  } catch (error) {
    log(`UI smoke FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    await shot('ui-failure.png').catch(() => undefined);
    return 1;
  } finally {
    await browser.close();
  }
}

export { runCommand };
