// One HTTP listener that can be opened and closed repeatedly on the same port. Closing destroys open
// keep-alive sockets too, so a "stopped" management server really refuses and drops connections.

import http from 'node:http';
import type { Socket } from 'node:net';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class HttpListener {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly handler: RequestHandler,
    /** Integration port: no keep-alive, like HttpComponents with NoConnectionReuseStrategy. */
    private readonly closeAfterResponse = false,
  ) {}

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  listen(address: string, port: number): Promise<number> {
    if (this.server) return Promise.resolve(this.port);
    const server = http.createServer({ keepAlive: !this.closeAfterResponse }, this.handler);
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        this.server = server;
        const a = server.address();
        this.port = typeof a === 'object' && a ? a.port : port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      server.closeAllConnections?.();
    });
  }
}
