/**
 * stdout/stderr of `esc-local check`, written with `fs.writeSync` when the descriptor is a file or
 * a pipe (CI logs, pre-commit hooks): creating `process.stdout`/`process.stderr` loads Node's stream
 * and net modules, about a tenth of a check's start-up. Those writes are synchronous, as
 * process.stdout's are for files and pipes on Linux and macOS. A terminal (a character device:
 * colours, Windows consoles) gets the process's own stream, and so does a write the descriptor
 * refuses (EAGAIN on a full non-blocking pipe, EPIPE) together with every later one, so nothing is
 * lost, reordered or handled differently from before.
 */
import * as fs from 'node:fs';

export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean };

type WriteCallback = (error?: Error | null) => void;

/** Writes to `fd` until it refuses, then hands everything to `stream()`. */
class DirectWriter {
  readonly isTTY = false;
  private refused = false;

  constructor(
    private readonly fd: number,
    private readonly stream: () => OutputStream,
  ) {}

  write(chunk: string | Uint8Array, encodingOrDone?: BufferEncoding | WriteCallback, done?: WriteCallback): boolean {
    const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encodingOrDone === 'string' ? encodingOrDone : 'utf8') : chunk;
    let at = 0;
    if (!this.refused) {
      try {
        while (at < bytes.length) at += fs.writeSync(this.fd, bytes, at);
      } catch {
        this.refused = true;
      }
    }
    if (!this.refused) {
      if (callback) process.nextTick(callback);
      return true;
    }
    return callback ? this.stream().write(bytes.subarray(at), callback) : this.stream().write(bytes.subarray(at));
  }
}

/**
 * The output for descriptor `fd` (1 or 2): `stream()` itself on a terminal, else a writer that
 * writes straight to the descriptor; what it does not define (events, `end`, …) is the stream's.
 */
export function directOutput(fd: number, stream: () => OutputStream): OutputStream {
  if (isTerminalLike(fd)) return stream();
  const writer = new DirectWriter(fd, stream);
  const write = writer.write.bind(writer);
  // Only `write` and `isTTY` are the writer's own; the rest of the WritableStream interface is the
  // process's stream, created when first touched, so the object is a complete stream.
  return new Proxy(writer, {
    get(target, key) {
      if (key === 'write') return write;
      if (key === 'isTTY') return target.isTTY;
      const real = stream();
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
  }) as unknown as OutputStream;
}

/** A character device (a terminal, a console, /dev/null) or a descriptor that cannot be inspected. */
function isTerminalLike(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isCharacterDevice();
  } catch {
    return true;
  }
}
