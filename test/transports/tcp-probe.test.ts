// One TCP probe for wait_for and the integration-port checks, against real sockets on loopback: an
// open port, a closed one, a connection that never completes (a tunnel that hangs), a broken tunnel.

import { expect } from 'chai';
import net from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { probeTcp } from '../../src/transports/tcp-probe.js';

describe('transports: probeTcp', () => {
  let server: net.Server;
  let port: number;
  const accepted: net.Socket[] = [];
  before(async () => {
    server = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    for (const s of accepted) s.destroy();
    await new Promise((r) => server.close(r));
  });

  async function closedPort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    return p;
  }

  it('open: the port accepted (and the probe hung up again)', async () => {
    expect(await probeTcp('127.0.0.1', port, { timeoutMs: 10_000 })).to.deep.equal({ state: 'open' });
  });

  it('error: a refused connection, with the socket error to classify', async () => {
    const r = await probeTcp('127.0.0.1', await closedPort(), { timeoutMs: 10_000 });
    expect(r.state).to.equal('error');
    expect((r as { error: NodeJS.ErrnoException }).error.code).to.equal('ECONNREFUSED');
  });

  it('timeout: a tunnel that never opens; the late stream is closed when it arrives', async () => {
    let deliver: (s: Duplex) => void = () => undefined;
    const late = new PassThrough();
    const r = await probeTcp('10.0.0.5', 8096, { timeoutMs: 20, connect: () => new Promise<Duplex>((res) => (deliver = res)) });
    expect(r).to.deep.equal({ state: 'timeout' });
    deliver(late);
    await new Promise((res) => setImmediate(res));
    expect(late.destroyed).to.equal(true);
  });

  it('error: the tunnel itself failed (the caller decides whether that says anything about the port)', async () => {
    const failure = Object.assign(new Error('jump host down'), { name: 'UnreachableError' });
    const r = await probeTcp('10.0.0.5', 8096, { timeoutMs: 10_000, connect: () => Promise.reject(failure) });
    expect(r).to.deep.equal({ state: 'error', error: failure });
  });
});
