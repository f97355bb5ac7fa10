/**
 * `npm run bench`: every benchmark of the project, one after the other, printing figures.
 * Benchmarks report numbers; they do not assert time limits (timed assertions flake).
 */
import { benchEvaluator } from './evaluator';
import { benchServer } from './server';
import { benchStartup } from './startup';
import { benchTyping } from './typing';

async function main(): Promise<void> {
  console.log('== evaluator ==');
  await benchEvaluator();
  console.log('\n== language server ==');
  await benchServer();
  console.log('\n== CLI start-up ==');
  await benchStartup();
  console.log('\n== editor speed (issue 10), beside yaml-language-server ==');
  await benchTyping();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
