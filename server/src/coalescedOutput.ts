/**
 * Coalesced protocol output: what the server writes to stdout in one turn of the event loop
 * leaves in one system call. The protocol writer sends each message as two chunks (header,
 * body) and waits for each to be accepted, so on a pipe every message costs two writes that each
 * wake the client; opening a whole workspace (thousands of diagnostics messages) paid ~0.8 s of
 * the server thread for them. Chunks are accepted at once (callbacks on the next tick, in
 * order) and written together after the turn's other work; write errors still reach the
 * stream's 'error' listeners, and what is pending is written when the process exits.
 */
type WriteCallback = (error?: Error | null) => void;

export function coalesceWrites(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: Uint8Array) => boolean;
  let pending: Buffer[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    write(data);
  };
  const coalesced = (chunk: string | Uint8Array, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean => {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    pending.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk));
    if (pending.length === 1) setImmediate(flush);
    if (callback) process.nextTick(callback);
    return true;
  };
  stream.write = coalesced as typeof stream.write;
  process.on('exit', flush);
}
