/**
 * `npm run bench`: every benchmark of the project, one after the other, printing figures.
 * Benchmarks report numbers; they do not assert time limits (timed assertions flake).
 */
import { benchEvaluator } from './evaluator';
import { benchServer } from './server';

async function main(): Promise<void> {
  console.log('== evaluator ==');
  await benchEvaluator();
  console.log('\n== language server ==');
  await benchServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
