/**
 * The `ESC` output channel. Messages are built by this extension from names, paths, key ids and
 * error messages of the core (which never contain secret values); nothing here prints values.
 */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('ESC', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string, error?: unknown): void {
    this.channel.error(error === undefined ? message : `${message}: ${describeError(error)}`);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/** An error's message (never its stack's local values): the core's messages are secret-free. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
