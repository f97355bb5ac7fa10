/** A hostile AWS endpoint for deadline tests: it accepts TCP connections, then never answers or drops them. */
import * as net from 'node:net';

/** A TCP endpoint that accepts connections and then never answers (`hang`) or drops them (`drop`). */
export function hostileEndpoint(kind: 'hang' | 'drop'): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (kind === 'drop') socket.once('data', () => socket.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}
