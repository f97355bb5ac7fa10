/**
 * Reading secrets: from an interactive terminal without echo, or from standard input when it is
 * a pipe. Never from the command line (argv is visible to other users and kept in shell history).
 */
import { CliError, EXIT } from './exitCodes';

export interface SecretInput {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: NodeJS.WritableStream;
}

/** Reads one line from the terminal with echo off. Ctrl-C aborts (exit 130), Ctrl-D ends input. */
export function promptHidden(io: SecretInput, question: string): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    stderr.write(question);
    let answer = '';
    const wasRaw = (stdin as { isRaw?: boolean }).isRaw === true;
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (error?: Error): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new CliError('interrupted', EXIT.interrupted));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else if (ch >= ' ') answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Reads all of standard input (a pipe or file). */
export function readAllStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stdin.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stdin.on('error', reject);
  });
}

/**
 * Secret values in order: prompted one by one (no echo) on a terminal, or the lines of piped
 * standard input. Empty required answers are errors.
 */
export async function readSecrets(io: SecretInput, questions: Array<{ prompt: string; required: boolean }>): Promise<string[]> {
  if (io.stdin.isTTY) {
    const answers: string[] = [];
    for (const q of questions) {
      const answer = (await promptHidden(io, q.prompt)).trim();
      if (q.required && answer === '') throw new CliError(`${q.prompt.replace(/:\s*$/, '')} must not be empty`, EXIT.usage);
      answers.push(answer);
    }
    return answers;
  }
  const lines = (await readAllStdin(io.stdin)).split(/\r?\n/);
  return questions.map((q, n) => {
    const answer = (lines[n] ?? '').trim();
    if (q.required && answer === '') {
      throw new CliError(`expected ${q.prompt.replace(/:\s*$/, '').toLowerCase()} on line ${n + 1} of standard input`, EXIT.usage, 'pipe the secret in (e.g. `printf %s "$SECRET" | esc-local …`) or run in a terminal to be prompted');
    }
    return answer;
  });
}
