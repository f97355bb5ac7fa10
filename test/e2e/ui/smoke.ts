/**
 * UI smoke test: drives the real workbench as a person would (quick open, command palette,
 * activity bar, tree) and saves screenshots of what they would see under test-artifacts/:
 * the editor with diagnostics, the resolved-environment preview, and the Rotation History view.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AwsAdminClient } from '../../aws/admin';
import { injectDevelopmentOptions, launchChromium, quickOpen, runCommand, workbenchUrl } from '../host/browser';

type Log = (message: string) => void;

/** The secret access key the smoke test types into the password box (the leak scan looks for it). */
export const uiSmokeSecret = 'ui-smoke-secret-value-4f1c9a';

export async function runUiSmoke(baseUrl: string, folder: string, emptyFolder: string, extensionPath: string, artifacts: string, awsUrl: string, log: Log): Promise<number> {
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
    await page.goto(workbenchUrl(baseUrl, folder), { timeout: 120000 });
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

    // 2. Rotate Secrets from the palette: the quick pick lists the fn::rotate paths, all preselected.
    await page.keyboard.press('Control+J'); // hide the panel: more room for the editors
    await page.locator('.markers-panel').waitFor({ state: 'hidden', timeout: 10000 });
    await quickOpen(page, 'password.yaml');
    await runCommand(page, 'ESC: Rotate Secrets');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'db.password' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts').getByText('Rotated rotate/password', { exact: false }).first().waitFor({ timeout: 30000 });
    log('UI: rotation reported in a notification');

    // 3. The resolved-environment preview beside the editor, redacted.
    await runCommand(page, 'ESC: Preview Resolved Environment');
    const previewTab = page.locator('.tabs-container .tab', { hasText: 'password (resolved).yaml' });
    await previewTab.first().waitFor({ timeout: 20000 });
    const previewEditor = page.locator('.editor-group-container', { has: page.locator('.tab.active', { hasText: '(resolved)' }) }).locator('.monaco-editor .view-lines');
    await previewEditor.getByText('[secret]', { exact: false }).first().waitFor({ timeout: 20000 });
    log('UI: preview shows [secret]');
    await shot('preview.png');

    // 4. Reveal asks first (a modal dialog), then shows the plaintext in the preview only.
    await previewTab.first().click();
    await runCommand(page, 'ESC: Reveal Secrets in Preview');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText('Reveal the secrets of rotate/password?', { exact: false }).waitFor({ timeout: 10000 });
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await previewEditor.getByText('SECRETS REVEALED', { exact: false }).first().waitFor({ timeout: 20000 });
    log('UI: reveal confirmed in the dialog; preview revealed (no screenshot: it shows a secret)');
    await runCommand(page, 'ESC: Hide Secrets in Preview');
    await previewEditor.getByText('[secret]', { exact: false }).first().waitFor({ timeout: 20000 });

    // 5. Store Managing Credentials through its input boxes (secret parts are password boxes).
    await runCommand(page, 'ESC: Store Managing Credentials');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    // Each step waits for its own box: keystrokes typed before it renders would be lost.
    const step = (n: number) => page.locator('.quick-input-widget', { hasText: `(${n}/4)` }).waitFor({ timeout: 10000 });
    await step(1);
    await input.fill('ui-smoke');
    await page.keyboard.press('Enter');
    await step(2);
    await page.locator('.quick-input-widget input[type="password"]').waitFor({ timeout: 10000 });
    await page.keyboard.type('AKIAUISMOKE000000001');
    await page.keyboard.press('Enter');
    await step(3);
    await page.keyboard.type(uiSmokeSecret);
    await page.keyboard.press('Enter');
    await step(4);
    await page.keyboard.press('Enter'); // no session token
    await page.locator('.notifications-toasts').getByText('Stored managing credentials "ui-smoke"', { exact: false }).first().waitFor({ timeout: 20000 });
    log('UI: credentials stored through the password input boxes');

    // 6. Cancel a rotation before its point of no return: "AWS" holds the login's AssumeRole call
    //    long enough to click Cancel on the progress notification; no key may be created.
    const admin = new AwsAdminClient(awsUrl);
    const keysFile = path.join(folder, 'environments/rotate/aws-keys.yaml');
    const keysBefore = fs.readFileSync(keysFile, 'utf8');
    await admin.clearRequests();
    await admin.injectFault({ kind: 'delay', action: 'AssumeRole', delayMs: 15000 });
    await quickOpen(page, 'aws-keys.yaml');
    await runCommand(page, 'ESC: Rotate Secrets');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'aws.iam' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const progressToast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Rotating secrets of rotate/aws-keys' }).first();
    await progressToast.waitFor({ timeout: 20000 });
    await progressToast.hover();
    await progressToast.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.notifications-toasts').getByText('cancelled before anything changed in AWS', { exact: false }).first().waitFor({ timeout: 30000 });
    await admin.clearFaults();
    const created = (await admin.requests()).filter(r => r.action === 'CreateAccessKey');
    if (created.length > 0) throw new Error('a key was created although the rotation was cancelled');
    if (fs.readFileSync(keysFile, 'utf8') !== keysBefore) throw new Error('the cancelled rotation changed the file');
    log('UI: rotation cancelled from its progress notification; no key created, file untouched');
    await shot('rotation-cancelled.png');

    // 7. The Rotation History view in its own activity-bar container, with the new revision.
    await page.locator('.activitybar .action-item a[aria-label^="ESC"]').first().click();
    // A container with a single view shows the view's name in the side bar title.
    await page.locator('.sidebar .composite.title', { hasText: 'Rotation History' }).waitFor({ timeout: 20000 });
    const row = (text: string) => page.locator('.sidebar .monaco-list-row', { hasText: text }).first();
    await row('rotate/password').click();
    await row('#1 rotation').waitFor({ timeout: 20000 });
    await row('#1 rotation').locator('.monaco-tl-twistie').click();
    await row('db.password').waitFor({ timeout: 20000 });
    // Open the revision (read-only, redacted) from the tree.
    await row('#1 rotation').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'password@1.esc.yaml' }).waitFor({ timeout: 20000 });
    await page.locator('.editor-group-container .monaco-editor .view-lines').getByText('[ciphertext]', { exact: false }).first().waitFor({ timeout: 20000 });
    await row('db.password').hover();
    log('UI: Rotation History view shows the revision and its rotated path; the revision opened redacted');
    await shot('history-tree.png');
    // 8. A workspace without environments: the view's welcome content says what to do.
    await page.goto(workbenchUrl(baseUrl, emptyFolder), { timeout: 120000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.locator('.activitybar .action-item a[aria-label^="ESC"]').first().click();
    await page.locator('.sidebar').getByText('No ESC environments in this workspace yet.', { exact: false }).waitFor({ timeout: 30000 });
    log('UI: welcome view in a workspace without environments');
    await shot('history-welcome.png');
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

/**
 * A VS Code whose extension host has no D-Bus session (a headless Linux without a Secret
 * Service): the credential commands say so, and how to fix it, instead of storing anything.
 */
export async function runKeychainUnavailableSmoke(baseUrl: string, folder: string, extensionPath: string, artifacts: string, log: Log): Promise<number> {
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  try {
    await injectDevelopmentOptions(page, { extensionPath });
    await page.goto(workbenchUrl(baseUrl, folder), { timeout: 120000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    await quickOpen(page, 'password.yaml'); // activates the extension
    await runCommand(page, 'ESC: Show Stored Credentials');
    const toast = page.locator('.notifications-toasts').getByText('no D-Bus session is available', { exact: false }).first();
    await toast.waitFor({ timeout: 30000 });
    const text = (await page.locator('.notifications-toasts').innerText()).replace(/\s+/g, ' ');
    if (!/nothing was stored in plaintext/.test(text) && !/Secret Service/.test(text)) throw new Error(`unclear keychain message: ${text}`);
    log(`UI: keychain unavailable → "${text.slice(0, 160)}…"`);
    await page.screenshot({ path: path.join(artifacts, 'keychain-unavailable.png') });
    return 0;
  } catch (error) {
    log(`keychain-unavailable smoke FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    await page.screenshot({ path: path.join(artifacts, 'keychain-unavailable-failure.png') }).catch(() => undefined);
    return 1;
  } finally {
    await browser.close();
  }
}
