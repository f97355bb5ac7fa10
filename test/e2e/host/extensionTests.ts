/**
 * Runs the mocha suite inside code-server's real Node extension host, exactly as
 * @vscode/test-electron would: the workbench (in headless Chromium) loads the extension under
 * development and calls the test module's `run()`; the host reports the exit code through
 * `codeAutomationExit`, and extension-host logs through `codeAutomationLog`.
 */
import { injectDevelopmentOptions, launchChromium, workbenchUrl } from './browser';

/** Workbench noise that says nothing about the extension (offline gallery, built-in agents). */
const noise = /CodeExpectedError|ENOPRO|open-vsx|AgentHost|ChatModel|AccountPolicy|marketplace|gallery|not a web extension|Creating a socket|connection token|grace time|builtin extensions cache|Service Worker|authentication provider|No search provider registered|tryActivateProvider|getSessions/i;

/** The extension host forwards console calls unformatted (`'%s) %s:', 1, 'name'`): format them as Node would. */
export function formatConsoleArgs(args: unknown[]): string {
  if (typeof args[0] !== 'string' || !/%[sdifoOj%]/.test(args[0])) return args.map(String).join(' ');
  let next = 1;
  const head = args[0].replace(/%([sdifoOj%])/g, (match, kind: string) => {
    if (kind === '%') return '%';
    if (next >= args.length) return match;
    const value = args[next++];
    if (kind === 'd' || kind === 'i') return String(Math.trunc(Number(value)));
    if (kind === 'f') return String(Number(value));
    if (kind === 'j' || kind === 'o' || kind === 'O') return JSON.stringify(value);
    return String(value);
  });
  return [head, ...args.slice(next).map(String)].join(' ');
}

export async function runExtensionTests(baseUrl: string, folder: string, extensionPath: string, testsPath: string, timeoutMs: number): Promise<number> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await injectDevelopmentOptions(page, { extensionPath, testsPath });
    const exit = new Promise<number>(resolve => {
      void page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
        const text = formatConsoleArgs(args);
        if (!noise.test(text)) process.stdout.write(`${text}\n`);
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    // Generous: on a loaded 2-core CI machine the workbench page can take well over 30 s to load.
    await page.goto(workbenchUrl(baseUrl, folder), { timeout: 180000 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>(resolve => {
      timer = setTimeout(() => {
        process.stdout.write(`extension tests did not finish within ${timeoutMs} ms\n`);
        resolve(1);
      }, timeoutMs);
    });
    const code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    return code;
  } finally {
    await browser.close();
  }
}
