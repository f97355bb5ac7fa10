/** The server's protocol output: the chunks written in one event-loop turn leave as one write. */
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { coalesceWrites } from '../../server/src/coalescedOutput';

describe('coalesced protocol output', () => {
  it('writes the header and body of every message sent in one turn together, in order, and accepts each at once', async () => {
    const writes: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString('utf8'));
        callback();
      },
    }) as unknown as NodeJS.WriteStream;
    coalesceWrites(stream);
    const accepted: string[] = [];
    // Like the protocol writer: a header (ascii string), then the body (bytes), each awaited.
    const send = async (body: string): Promise<void> => {
      await new Promise<void>((resolve) => stream.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`, 'ascii', () => resolve()));
      await new Promise<void>((resolve) => stream.write(Buffer.from(body, 'utf8'), () => resolve()));
      accepted.push(body);
    };
    // One message after the other, as the protocol writer's lock has them.
    await send('{"a":1}').then(() => send('{"é":2}'));
    assert.deepEqual(accepted, ['{"a":1}', '{"é":2}'], 'each chunk is accepted before anything reaches the stream');
    assert.deepEqual(writes, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['Content-Length: 7\r\n\r\n{"a":1}Content-Length: 8\r\n\r\n{"é":2}']);
    // The next turn's message is a write of its own.
    await send('{}');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes.slice(1), ['Content-Length: 2\r\n\r\n{}']);
  });
});
