/**
 * node:crypto, loaded on first use. Loading it takes about a tenth of `esc-local check`'s
 * start-up, and a check never needs it: modules that the check bundle shares with the commands
 * that write (temp-file names, the workspace's id and data key, colour nonces) call this instead
 * of importing node:crypto at their top.
 */
export function nodeCrypto(): typeof import('node:crypto') {
  return require('node:crypto') as typeof import('node:crypto');
}
