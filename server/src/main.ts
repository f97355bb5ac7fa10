/**
 * `esc-language-server`: the ESC language server for any LSP client. Transport from the
 * command line as vscode-languageserver reads it: `--stdio` (default when none is given),
 * `--node-ipc` (how VS Code's LanguageClient launches a module), `--socket=<port>`,
 * `--pipe=<name>`. The same file, started as a worker thread, is the check-mode evaluator.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Json } from '../../shared/src/schema/schema';
import { keepYoungGenerationSize, runCheckerWorker, WORKER_MARKER } from './checkerWorker';

function startLanguageServer(): void {
  // Loaded lazily: the worker never needs the protocol layer.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createConnection, ProposedFeatures } = require('vscode-languageserver/node') as typeof import('vscode-languageserver/node');
  const { startServer } = require('./server') as typeof import('./server');
  const { createChecker } = require('./checker') as typeof import('./checker');
  const { coalesceWrites } = require('./coalescedOutput') as typeof import('./coalescedOutput');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const TRANSPORTS = ['--stdio', '--node-ipc', '--socket', '--pipe', '--clientProcessId'];
  if (process.argv.includes('--version')) {
    process.stdout.write('esc-language-server 0.1.0\n');
    process.exit(0);
  }
  if (process.argv.includes('--help')) {
    process.stdout.write('Usage: esc-language-server [--stdio | --node-ipc | --socket=<port> | --pipe=<name>]\n');
    process.exit(0);
  }
  if (!process.argv.slice(2).some((arg) => TRANSPORTS.some((t) => arg.startsWith(t)))) process.argv.push('--stdio');
  keepYoungGenerationSize();
  if (process.argv.includes('--stdio')) coalesceWrites(process.stdout);
  const connection = createConnection(ProposedFeatures.all);
  // A stray exception must not take the editor's server down; it is logged and the request answered.
  process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
  const checker = createChecker(__filename, (message) => connection.console.log(message));
  startServer(connection, checker);
}

const role = (workerData as { role?: string; context?: { [key: string]: Json } } | null)?.role;
if (!isMainThread && role === WORKER_MARKER && parentPort) runCheckerWorker(parentPort, (workerData as { context: { [key: string]: Json } }).context);
else startLanguageServer();
