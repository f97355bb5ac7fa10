/**
 * Terminal output of the CLI: results on stdout, progress/warnings/errors on stderr, colour
 * only when the stream is a TTY (or forced), honouring NO_COLOR / FORCE_COLOR.
 *
 * This is the output boundary: every message goes through `escapeControl`, so names and texts
 * read from files (keys, environment names, YAML errors quoting the source) cannot drive the
 * terminal (`ESC ] 0 ; … BEL` sets its title, CSI sequences move the cursor or clear the screen,
 * bidi overrides reorder what is shown). The palette's own colour codes are emitted as tokens
 * carrying a random per-process nonce and turned into escape sequences after escaping, so no
 * text can forge them (the nonce is made with the first colour, so output without colour, as in
 * CI, never loads node:crypto). Raw results (`write`: `open --format string`, a generated key) are data:
 * escaped on a terminal, passed through unchanged into a pipe or file.
 */
import { nodeCrypto } from '../core/nodeCrypto';

/**
 * C0 controls except newline and tab, DEL, C1 controls, and the bidi embedding/override/isolate
 * characters (U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character written as a visible escape (`\x1b`, `\u202e`). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Colour tokens: `\ufdd0<nonce><code>\ufdd1`, replaced by `ESC [ code m` after escaping; none before the first. */
let tokens: { nonce: string; pattern: RegExp } | undefined;

function colourToken(code: number): string {
  if (tokens === undefined) {
    const nonce = nodeCrypto().randomBytes(8).toString('hex');
    tokens = { nonce, pattern: new RegExp(`\ufdd0${nonce}(\\d+)\ufdd1`, 'g') };
  }
  return `\ufdd0${tokens.nonce}${code}\ufdd1`;
}

/** The palette's tokens in `text` made real escape sequences. */
function realColours(text: string): string {
  return tokens === undefined ? text : text.replace(tokens.pattern, (_, code: string) => `\u001b[${code}m`);
}

/** The one way text reaches the terminal: controls escaped, then the palette's tokens made real. */
function safe(text: string): string {
  return realColours(escapeControl(text));
}

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
  return enabled ? (text) => `${colourToken(open)}${text}${colourToken(close)}` : (text) => text;
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
    this.options.stdout.write(safe(text.endsWith('\n') ? text : text + '\n'));
  }

  /** Raw result text (stdout): data, written as is into a pipe or file, escaped on a terminal. */
  write(text: string): void {
    this.options.stdout.write(this.options.stdout.isTTY === true ? safe(text) : realColours(text));
  }

  /** Progress of long work (stderr; silenced by --quiet). */
  progress(text: string): void {
    if (!this.quiet) this.options.stderr.write(safe(`${this.err.dim('›')} ${text}\n`));
  }

  /** A message about what happened, not the result (stderr; silenced by --quiet). */
  info(text: string): void {
    if (!this.quiet) this.options.stderr.write(safe(text + '\n'));
  }

  /** Details of a failure (stderr; never silenced). */
  report(text: string): void {
    this.options.stderr.write(safe(text.endsWith('\n') ? text : text + '\n'));
  }

  warn(text: string): void {
    this.options.stderr.write(safe(`${this.err.yellow('warning:')} ${text}\n`));
  }

  error(text: string, hint?: string): void {
    this.options.stderr.write(safe(`${this.err.red('error:')} ${text}\n`));
    if (hint) this.options.stderr.write(safe(`${this.err.dim('hint:')} ${hint}\n`));
  }

  /** True when stdout is an interactive terminal (tables vs. plain lines). */
  get interactive(): boolean {
    return this.options.stdout.isTTY === true;
  }
}
