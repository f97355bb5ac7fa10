/** Every top-level command, in the order `esc-local --help` lists them. */
import type { Command } from '../command';
import { checkCommand } from './checkCommand';
import { credentialsCommand } from './credentialsCommand';
import { encryptCommand } from './encryptCommand';
import { historyCommands } from './historyCommand';
import { keyCommand } from './keyCommand';
import { openCommand } from './openCommand';
import { rotateCommand } from './rotateCommand';
import { runCommand } from './runCommand';
import { scheduleCommand } from './scheduleCommand';
import { schemaCommand } from './schemaCommand';
import { webhookCommand } from './webhookCommand';

export const COMMANDS: Command[] = [checkCommand, openCommand, runCommand, rotateCommand, ...historyCommands, encryptCommand, credentialsCommand, scheduleCommand, webhookCommand, keyCommand, schemaCommand];
