/**
 * `esc-language-server`: the ESC language server for any LSP client. Transport from the
 * command line as vscode-languageserver reads it: `--stdio` (default when none is given),
 * `--node-ipc` (how VS Code's LanguageClient launches a module), `--socket=<port>`,
 * `--pipe=<name>`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';
import { createChecker } from './checker';

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

const connection = createConnection(ProposedFeatures.all);
// A stray exception must not take the editor's server down; it is logged and the request answered.
process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
startServer(connection, createChecker());
