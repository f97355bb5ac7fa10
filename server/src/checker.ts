/**
 * The check-mode evaluator behind the server's language service. The execution context names
 * the local user (`${context.pulumi.user.id}`); nothing else about the machine is exposed.
 */
import { userInfo } from 'node:os';
import { createCheckModeChecker } from '../../shared/src/language/evaluation';
import type { EnvironmentChecker } from '../../shared/src/language/service';

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}

export function createChecker(): EnvironmentChecker {
  return createCheckModeChecker({ pulumi: { user: { id: localUser() } } });
}
