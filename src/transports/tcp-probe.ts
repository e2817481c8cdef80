// One look at a TCP port: does host:port accept a connection within a deadline, seen from the runner or
// through a tunnel (`connect`)? The answer is data, never an exception: callers decide what a refusal, a
// silence or a broken tunnel means (wait_for's open/closed, the integration port's open/closed/filtered).

import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectFn } from './http-errors.js';

type TcpProbe =
  | { readonly state: 'open' }
  /** Nothing answered within the deadline (a firewall dropping packets, a host that is down). */
  | { readonly state: 'timeout' }
  /** The connection failed: refused, unreachable, or the tunnel itself failed (see `error`). */
  | { readonly state: 'error'; readonly error: unknown };

interface TcpProbeOptions {
  /** Opens the connection another way (an SSH tunnel); default: a socket from the runner. */
  readonly connect?: ConnectFn;
  readonly timeoutMs: number;
}

/** Connects, closes the connection at once, and says how it went. A late connection is closed too. */
export function probeTcp(host: string, port: number, o: TcpProbeOptions): Promise<TcpProbe> {
  return new Promise<TcpProbe>((resolve) => {
    let done = false;
    let stream: Duplex | undefined;
    const finish = (answer: TcpProbe): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream?.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ state: 'timeout' }), o.timeoutMs);
    const failed = (error: unknown): void => finish({ state: 'error', error });
    if (o.connect) {
      o.connect(host, port).then((s) => {
        stream = s;
        if (done) s.destroy();
        else finish({ state: 'open' });
      }, failed);
      return;
    }
    const socket = net.connect({ host, port });
    stream = socket;
    socket.once('connect', () => finish({ state: 'open' }));
    socket.once('error', failed);
  });
}
