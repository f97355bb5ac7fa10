/** Every top-level command, in the order `esc-local --help` lists them. */
import type { Command } from '../command';
import { credentialsCommand } from './credentials';
import { scheduleCommand } from './schedule';
import { webhookCommand } from './webhook';

export const COMMANDS: Command[] = [credentialsCommand, scheduleCommand, webhookCommand];
