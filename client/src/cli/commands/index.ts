/** Every top-level command, in the order `esc-local --help` lists them. */
import type { Command } from '../command';
import { checkCommand } from './check';
import { credentialsCommand } from './credentials';
import { scheduleCommand } from './schedule';
import { webhookCommand } from './webhook';

export const COMMANDS: Command[] = [checkCommand, credentialsCommand, scheduleCommand, webhookCommand];
