/**
 * The check-mode evaluator behind the server's language service: on a worker thread (the
 * server's own entry file, started in worker mode) so evaluation runs beside the main thread.
 * The execution context names the local user (`${context.pulumi.user.id}`); nothing else about
 * the machine is exposed.
 */
import { userInfo } from 'node:os';
import type { EnvironmentChecker } from '../../shared/src/language/service';
import type { Json } from '../../shared/src/schema/schema';
import { WorkerChecker } from './checkerWorker';

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}

export function checkContext(): { [key: string]: Json } {
  return { pulumi: { user: { id: localUser() } } };
}

/** `entry`: the file that, started as a worker, runs `runCheckerWorker` (the server's main). */
export function createChecker(entry: string, log: (message: string) => void): EnvironmentChecker & { dispose(): void; endIfIdle(): void } {
  return new WorkerChecker(entry, checkContext(), log);
}
