// TCP connections opened from a remote host (direct-tcpip channels): jump-host hops and `via: host`
// HTTP. The channel gets the few net.Socket methods Node's http client and Agent call on a socket
// (setTimeout with a real idle timer, setNoDelay, setKeepAlive, ref, unref), so it can be returned
// from an Agent's createConnection. Tunnels are not session channels: they do not count against MaxSessions.
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { ChannelHost } from './channel-host.js';
import { ForwardError } from './errors.js';

export type TunnelStream = Duplex & {
  setTimeout(ms: number, cb?: () => void): TunnelStream;
  setNoDelay(noDelay?: boolean): TunnelStream;
  setKeepAlive(enable?: boolean, delayMs?: number): TunnelStream;
  ref(): TunnelStream;
  unref(): TunnelStream;
  readonly remoteAddress: string;
  readonly remotePort: number;
};

function socketLike(ch: ClientChannel, dstHost: string, dstPort: number): TunnelStream {
  // Library seam: we add methods to ssh2's channel object in place, since http keeps the object we return.
  const s = ch as unknown as TunnelStream & Record<string, unknown>;
  let idleMs = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const arm = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (idleMs > 0 && !s.destroyed) idleTimer = setTimeout(() => s.emit('timeout'), idleMs);
  };
  const origPush = ch.push.bind(ch);
  s.push = (chunk: unknown, enc?: BufferEncoding): boolean => {
    if (chunk !== null) arm();
    return origPush(chunk, enc);
  };
  const origWrite = ch.write.bind(ch) as (...a: unknown[]) => boolean;
  s.write = ((...args: unknown[]): boolean => {
    arm();
    return origWrite(...args);
  }) as TunnelStream['write'];
  s.setTimeout = (ms: number, cb?: () => void): TunnelStream => {
    idleMs = ms;
    if (cb) {
      if (ms === 0) s.removeListener('timeout', cb);
      else s.once('timeout', cb);
    }
    arm();
    return s;
  };
  // ssh2's Channel#destroy ignores its error argument; Node's http client relies on destroy(err)
  // surfacing as 'error' (req.destroy(err), a dropped connection), so emit it, once, if anyone listens.
  const origDestroy = ch.destroy.bind(ch) as () => unknown;
  let errored = false;
  (s as { destroy: (err?: Error | null) => unknown }).destroy = (err?: Error | null): TunnelStream => {
    if (err && !errored) {
      errored = true;
      process.nextTick(() => {
        if (s.listenerCount('error') > 0) s.emit('error', err);
      });
    }
    try { origDestroy(); } catch { /* connection already gone */ }
    return s;
  };
  s.setNoDelay = () => s; // the jump connection's TCP socket already has Nagle off
  s.setKeepAlive = () => s; // the SSH connection has its own keepalive
  s.ref = () => s;
  s.unref = () => s;
  Object.defineProperty(s, 'remoteAddress', { value: dstHost, enumerable: true });
  Object.defineProperty(s, 'remotePort', { value: dstPort, enumerable: true });
  s.once('close', () => {
    if (idleTimer) clearTimeout(idleTimer);
  });
  return s;
}

/** Open dstHost:dstPort as seen from `host`. Fails with ForwardError, or UnreachableError if the connection is gone. */
export function openTunnel(host: ChannelHost, dstHost: string, dstPort: number): Promise<TunnelStream> {
  return new Promise((resolve, reject) => {
    const dead = host.deadError();
    if (dead) return reject(dead);
    let settled = false;
    const untrackOpen = host.track((err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
    host.client.forwardOut('127.0.0.1', 0, dstHost, dstPort, (err, ch) => {
      untrackOpen();
      if (settled) {
        if (!err) ch.destroy();
        return;
      }
      settled = true;
      if (err) {
        reject(host.deadError() ?? new ForwardError(host.hostName, `${dstHost}:${dstPort}`, err.message, { cause: err }));
        return;
      }
      const stream = socketLike(ch, dstHost, dstPort);
      // A dropped SSH connection surfaces on the stream as an UnreachableError, not a silent end.
      const untrack = host.track((e) => stream.destroy(e));
      stream.once('close', untrack);
      resolve(stream);
    });
  });
}
