// A TCP connection to host:port as seen from another host (its SSH connection's tunnel), with a refusal
// reported the way a direct socket reports it: the HTTP transport, the CloudStack client and the
// integration-port probe treat both alike (retry while a management server restarts, "port closed").

import type { Duplex } from 'node:stream';

/** What opens the tunnel: the run's services (`connectVia`). */
interface TunnelOpener {
  connectVia(viaHost: string, host: string, port: number): Promise<Duplex>;
}

/**
 * An SSH server reports a refused connection as a channel-open failure (reason 2, CONNECT_FAILED,
 * often without text); it becomes ECONNREFUSED here.
 */
export async function connectThrough(services: TunnelOpener, via: string, host: string, port: number): Promise<Duplex> {
  try {
    return await services.connectVia(via, host, port);
  } catch (err) {
    if (channelRefused(err)) {
      throw Object.assign(new Error(`connection to ${host}:${port} refused (as seen from ${via})`, { cause: err }), { code: 'ECONNREFUSED' });
    }
    throw err;
  }
}

function channelRefused(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { reason?: unknown }).reason === 2) return true;
    if (/connection refused|connect failed/i.test(e.message)) return true;
  }
  return false;
}
