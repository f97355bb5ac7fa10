/**
 * Terminal output of the CLI: results on stdout, progress/warnings/errors on stderr, colour
 * only when the stream is a TTY (or forced), honouring NO_COLOR / FORCE_COLOR.
 */

export interface UiOptions {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** `--color` / `--no-color`; undefined = decide per stream. */
  color?: boolean;
  quiet?: boolean;
}

type Paint = (text: string) => string;

function painter(enabled: boolean, open: number, close: number): Paint {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

function palette(enabled: boolean): Palette {
  return {
    bold: painter(enabled, 1, 22),
    dim: painter(enabled, 2, 22),
    red: painter(enabled, 31, 39),
    green: painter(enabled, 32, 39),
    yellow: painter(enabled, 33, 39),
    cyan: painter(enabled, 36, 39),
  };
}

function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, forced: boolean | undefined): boolean {
  if (forced !== undefined) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export class Ui {
  /** Colours for stdout text. */
  readonly out: Palette;
  /** Colours for stderr text. */
  readonly err: Palette;
  readonly quiet: boolean;

  constructor(private readonly options: UiOptions) {
    this.out = palette(colorFor(options.stdout, options.env, options.color));
    this.err = palette(colorFor(options.stderr, options.env, options.color));
    this.quiet = options.quiet ?? false;
  }

  /** The raw streams, for output that is not text of ours (a child's output in `run`). */
  get streams(): { stdout: UiOptions['stdout']; stderr: UiOptions['stderr'] } {
    return { stdout: this.options.stdout, stderr: this.options.stderr };
  }

  /** A result line (stdout). */
  print(text = ''): void {
    this.options.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** Raw result text (stdout), written as is. */
  write(text: string): void {
    this.options.stdout.write(text);
  }

  /** Progress of long work (stderr; silenced by --quiet). */
  progress(text: string): void {
    if (!this.quiet) this.options.stderr.write(`${this.err.dim('›')} ${text}\n`);
  }

  /** A message about what happened, not the result (stderr; silenced by --quiet). */
  info(text: string): void {
    if (!this.quiet) this.options.stderr.write(text + '\n');
  }

  /** Details of a failure (stderr; never silenced). */
  report(text: string): void {
    this.options.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  warn(text: string): void {
    this.options.stderr.write(`${this.err.yellow('warning:')} ${text}\n`);
  }

  error(text: string, hint?: string): void {
    this.options.stderr.write(`${this.err.red('error:')} ${text}\n`);
    if (hint) this.options.stderr.write(`${this.err.dim('hint:')} ${hint}\n`);
  }

  /** True when stdout is an interactive terminal (tables vs. plain lines). */
  get interactive(): boolean {
    return this.options.stdout.isTTY === true;
  }
}
