/** Debian's Chromium, headless, driven by playwright-core (which never downloads a browser). */
import { Browser, chromium, Page } from 'playwright-core';
import { chromiumPath } from './paths';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
}

export interface DevelopmentOptions {
  /** Folder of the extension under development (its package.json), on the code-server machine. */
  extensionPath: string;
  /** Compiled test module exporting `run()`; omitted for UI sessions. */
  testsPath?: string;
}

/**
 * code-server has no --extensionDevelopmentPath flag and its built product ignores `?payload=`,
 * so the development options are injected into the workbench's web configuration as the page
 * reads it. (Intercepting the HTML with a route instead makes Chromium block the loopback
 * WebSocket.)
 */
export async function injectDevelopmentOptions(page: Page, options: DevelopmentOptions): Promise<void> {
  // Plain script text: it runs in the page (DOM), which this Node-typed project does not compile for.
  const script = `(() => {
    const dev = ${JSON.stringify(options)};
    const getAttribute = Element.prototype.getAttribute;
    Element.prototype.getAttribute = function (name) {
      const value = getAttribute.call(this, name);
      if (name === 'data-settings' && this.id === 'vscode-workbench-web-configuration' && value) {
        const config = JSON.parse(value);
        const remote = p => ({ scheme: 'vscode-remote', authority: location.host, path: p });
        config.developmentOptions = Object.assign({}, config.developmentOptions, { extensions: [remote(dev.extensionPath)] },
          dev.testsPath ? { extensionTestsPath: remote(dev.testsPath) } : {});
        return JSON.stringify(config);
      }
      return value;
    };
  })();`;
  await page.addInitScript({ content: script });
}

export function workbenchUrl(base: string, folder: string): string {
  return `${base}/?folder=${encodeURIComponent(folder)}`;
}

/**
 * Opens the quick input with `key` (F1: command palette, Control+P: quick open), types `text` and
 * takes the first row showing it. The palette lists commands by the context of the moment it
 * opens; right after an editor switch that context can still be the previous editor's, so a
 * missing row is retried (Escape, reopen) a few times before the step fails.
 */
async function pickInQuickInput(page: Page, key: string, text: string): Promise<void> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10000 });
    await page.keyboard.type(text);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: attempt === attempts ? 15000 : 5000 });
      break;
    } catch (error) {
      if (attempt === attempts) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  await page.keyboard.press('Enter');
}

/** Runs a command from the command palette, typing its title as a person would. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await pickInQuickInput(page, 'F1', title);
}

/** Opens a file with Quick Open and waits for its editor tab. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await pickInQuickInput(page, 'Control+P', fileName);
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 15000 });
}
