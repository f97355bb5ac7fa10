/**
 * `esc-local check`'s stdout/stderr (client/src/cli/directOutput.ts): straight to a file or pipe
 * descriptor without creating the process's stream, the stream itself on a terminal-like device,
 * and nothing lost or reordered when a non-blocking pipe is full.
 */
import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { directOutput, type OutputStream } from '../../client/src/cli/directOutput';

/** A stand-in for process.stdout that records what reached it and whether it was created. */
function fallbackStream(): { created: () => boolean; text: () => string; stream: () => OutputStream } {
  let made: PassThrough | undefined;
  const chunks: Buffer[] = [];
  return {
    created: () => made !== undefined,
    text: () => Buffer.concat(chunks).toString('utf8'),
    stream: () => {
      if (made === undefined) {
        made = new PassThrough();
        made.on('data', (chunk: Buffer) => chunks.push(chunk));
      }
      return made;
    },
  };
}

describe('cli direct output', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-direct-output-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes to a file descriptor itself, in order, and never creates the stream', async () => {
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    try {
      const fallback = fallbackStream();
      const out = directOutput(fd, fallback.stream);
      assert.strictEqual(out.isTTY, false);
      out.write('one ✓\n');
      out.write(Buffer.from('two\n'));
      await new Promise<void>((resolve) => out.write('', () => resolve()));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'one ✓\ntwo\n');
      assert.strictEqual(fallback.created(), false);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('gives a terminal-like device (/dev/null is a character device) the stream itself', () => {
    const fd = fs.openSync('/dev/null', 'w');
    try {
      const fallback = fallbackStream();
      const out = directOutput(fd, fallback.stream);
      assert.strictEqual(out, fallback.stream());
    } finally {
      fs.closeSync(fd);
    }
  });

  it('hands a write a full non-blocking pipe refuses, and every later one, to the stream: nothing lost or reordered', async function () {
    if (process.platform === 'win32') this.skip(); // no mkfifo
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const writer = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      const fallback = fallbackStream();
      const out = directOutput(writer, fallback.stream);
      const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} ${'x'.repeat(60)}\n`); // ~280 KB, more than a pipe holds
      for (const line of lines) out.write(line);
      await new Promise<void>((resolve) => out.write('', () => resolve()));
      assert.strictEqual(fallback.created(), true, 'the pipe filled up');
      const inPipe: Buffer[] = [];
      const buffer = Buffer.alloc(65536);
      for (;;) {
        let n = 0;
        try {
          n = fs.readSync(reader, buffer);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (n === 0) break;
        inPipe.push(Buffer.from(buffer.subarray(0, n)));
      }
      assert.strictEqual(Buffer.concat(inPipe).toString('utf8') + fallback.text(), lines.join(''));
    } finally {
      fs.closeSync(writer);
      fs.closeSync(reader);
    }
  });

  it('is the stream for everything but write and isTTY (events, end)', async () => {
    const fd = fs.openSync(path.join(dir, 'out.txt'), 'w');
    try {
      const fallback = fallbackStream();
      const out = directOutput(fd, fallback.stream);
      const ended = new Promise<void>((resolve) => out.on('finish', () => resolve()));
      assert.strictEqual(fallback.created(), true);
      out.end();
      await ended;
    } finally {
      fs.closeSync(fd);
    }
  });
});
