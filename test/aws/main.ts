/**
 * CLI entry: runs the local AWS endpoint as its own process (so it outlives a SIGKILLed client).
 *   node out/test/aws/main.js [--port N] [--state FILE] [--account ID]
 * Prints `{"url":…,"port":…,"accountId":…,"pid":…}` as one line on stdout once listening.
 */
import { startAwsEndpoint } from './index';

interface CliOptions {
  port: number;
  stateFile?: string;
  accountId?: string;
}

function usage(message: string): never {
  process.stderr.write(`aws-endpoint: ${message}\nusage: node out/test/aws/main.js [--port N] [--state FILE] [--account ID]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag ?? ''} needs a value`);
    i++;
    switch (flag) {
      case '--port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0…65535, got '${value}'`);
        options.port = port;
        break;
      }
      case '--state':
        options.stateFile = value;
        break;
      case '--account':
        if (!/^\d{12}$/.test(value)) usage(`--account must be 12 digits, got '${value}'`);
        options.accountId = value;
        break;
      default:
        usage(`unknown option '${flag ?? ''}'`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const endpoint = await startAwsEndpoint(options);
  process.stdout.write(`${JSON.stringify({ url: endpoint.url, port: endpoint.port, accountId: endpoint.accountId, pid: process.pid })}\n`);
  const stop = (): void => {
    endpoint.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`aws-endpoint: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
