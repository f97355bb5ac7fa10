/** Every top-level command, in the order `esc-local --help` lists them. */
import type { Command } from '../command';
import { checkCommand } from './check';
import { credentialsCommand } from './credentials';
import { encryptCommand } from './encrypt';
import { historyCommands } from './history';
import { keyCommand } from './key';
import { openCommand } from './open';
import { rotateCommand } from './rotate';
import { runCommand } from './run';
import { scheduleCommand } from './schedule';
import { schemaCommand } from './schema';
import { webhookCommand } from './webhook';

export const COMMANDS: Command[] = [checkCommand, openCommand, runCommand, rotateCommand, ...historyCommands, encryptCommand, credentialsCommand, scheduleCommand, webhookCommand, keyCommand, schemaCommand];
