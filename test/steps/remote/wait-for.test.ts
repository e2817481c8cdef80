import { expect } from 'chai';
import { appendFileSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../support/sshd.js';
import { playbook, scratch, SshWorld } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';

/** A TCP listener on a loopback address that can be opened and closed during a test. */
class Port {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly address: string, readonly port: number) {}
  static async free(address = '127.0.0.1'): Promise<Port> {
    return new Port(address, await freePort(address));
  }
  open(): Promise<void> {
    return new Promise((resolve) => {
      this.server = net.createServer((s) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      }).listen(this.port, this.address, () => resolve());
    });
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('wait_for step', function () {
  this.timeout(30_000);
  let world: SshWorld;
  let tmp: ReturnType<typeof scratch>;
  let inv: string;
  const ports: Port[] = [];
  const port = async (address = '127.0.0.1'): Promise<Port> => {
    const p = await Port.free(address);
    ports.push(p);
    return p;
  };
  before(async () => {
    world = await SshWorld.start(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
    inv = world.inventory({ h1: { address: '127.0.0.2' } });
  });
  after(async () => world.stop());
  beforeEach(() => {
    tmp = scratch();
  });
  afterEach(async () => {
    tmp.remove();
    await Promise.all(ports.splice(0).map((p) => p.close()));
  });

  it('waits for a port to open, polling on the run clock (host defaults to the play host\'s address)', async () => {
    const p = await port('127.0.0.2');
    let sleeps = 0;
    const r = await world.run(playbook(`
      - {name: wait, wait_for: {port: ${p.port}, interval: 2s, timeout: 1m}, register: w}
      - {name: show, log: "{{json w}}"}`), inv, {
      onSleep: async () => {
        if (++sleeps === 3) await p.open();
      },
    });
    expect(r.end('wait').status).to.equal('ok');
    expect(r.logged('show')).to.include({ attempts: 4 });
    const progress = r.events.filter((e) => e.type === 'step-progress').map((e) => (e.type === 'step-progress' ? e.message : ''));
    expect(progress[0]).to.match(/^waiting for port 127\.0\.0\.2:\d+ to be open: /);
  });

  it('waits for a port to close', async () => {
    const p = await port();
    await p.open();
    let sleeps = 0;
    const r = await world.run(playbook(`
      - {name: wait, wait_for: {host: 127.0.0.1, port: ${p.port}, state: closed}}`), inv, {
      onSleep: async () => {
        if (++sleeps === 2) await p.close();
      },
    });
    expect(r.end('wait').status).to.equal('ok');
    expect(sleeps).to.equal(2);
  });

  it('times out after `timeout` of run-clock time, with the number of attempts the interval allows', async () => {
    const p = await port();
    const r = await world.run(playbook(`
      - {name: wait, wait_for: {host: 127.0.0.1, port: ${p.port}, timeout: 10s, interval: 2s}, register: w, ignore_errors: true}
      - {name: show, log: "{{json w}}"}`), inv);
    expect(r.end('wait').status).to.equal('failed');
    expect(r.end('wait').msg).to.match(new RegExp(`^timed out after 10s waiting for port 127\\.0\\.0\\.1:${p.port} to be open: .*ECONNREFUSED`));
    expect(r.logged('show')).to.include({ attempts: 6 });
  });

  it('probes through another host\'s SSH connection with from:', async () => {
    const p = await port('127.0.0.1');
    await p.open();
    const two = world.inventory({ h1: { address: '127.0.0.2' }, jumpbox: { address: '127.0.0.3' } });
    const r = await world.run(playbook(`
      - {name: wait, wait_for: {from: jumpbox, host: 127.0.0.1, port: ${p.port}}}`, 'h1'), two);
    expect(r.end('wait').status).to.equal('ok');
    expect(r.end('wait').msg).to.equal(`127.0.0.1:${p.port} (from jumpbox) is open`);
  });

  it('does not take an unreachable from: host for a closed port', async () => {
    const p = await port('127.0.0.1');
    const dead = await freePort('127.0.0.3');
    const two = world.inventory({ h1: { address: '127.0.0.2' }, jumpbox: { address: '127.0.0.3', port: dead } });
    const r = await world.run(playbook(`
      - {name: wait, wait_for: {from: jumpbox, host: 127.0.0.1, port: ${p.port}, state: closed, timeout: 3s}}`, 'h1'), two);
    expect(r.end('wait').status).to.equal('failed');
    expect(r.end('wait').msg).to.match(/^timed out after 3\.0s waiting for port 127\.0\.0\.1:\d+ to be closed \(seen from jumpbox\): cannot reach jumpbox/);
  });

  it('waits for a file to appear and to go away on the host', async () => {
    const f = join(tmp.dir, 'ready');
    let sleeps = 0;
    const r = await world.run(playbook(`
      - {name: appear, wait_for: {path: ${f}}}
      - {name: vanish, wait_for: {path: ${f}, state: absent}}`), inv, {
      onSleep: () => {
        sleeps++;
        if (sleeps === 2) writeFileSync(f, '');
        if (sleeps === 4) rmSync(f);
      },
    });
    expect(r.end('appear').status).to.equal('ok');
    expect(r.end('vanish').status).to.equal('ok');
    expect(sleeps).to.equal(4);
  });

  it('waits for a line matching a regex, reading only new bytes, and registers named groups', async () => {
    const log = join(tmp.dir, 'server.log');
    writeFileSync(log, 'booting\nApiServer listening on port 8080\n');
    let sleeps = 0;
    const r = await world.run(playbook(`
      - name: wait
        wait_for: {path: ${log}, search: 'listening on port (?<port>8096)', only_new: true}
        register: w
      - {name: show, log: "{{json w}}"}`), inv, {
      onSleep: () => {
        sleeps++;
        if (sleeps === 1) appendFileSync(log, 'ApiServer listen');
        if (sleeps === 2) appendFileSync(log, 'ing on port 8096\nmore\n');
      },
    });
    expect(r.end('wait').status).to.equal('ok');
    expect(r.logged('show')).to.deep.include({ line: 'ApiServer listening on port 8096', groups: { port: '8096' }, attempts: 3 });
  });

  it('only_new ignores a matching line already in the file; without it the old line counts', async () => {
    const log = join(tmp.dir, 'server.log');
    writeFileSync(log, 'ApiServer listening on port 8096\n');
    const r = await world.run(playbook(`
      - {name: new, wait_for: {path: ${log}, search: 'port 8096', only_new: true, timeout: 3s}, ignore_errors: true}
      - {name: any, wait_for: {path: ${log}, search: 'port 8096'}}`), inv);
    expect(r.end('new').status).to.equal('failed');
    expect(r.end('any').status).to.equal('ok');
  });

  it('reconnects over SSH after the host went away (ssh: true)', async () => {
    const proxy = await TcpProxy.start('127.0.0.4', { host: '127.0.0.1', port: world.server.port });
    await world.trust([{ address: '127.0.0.4', port: proxy.port }]);
    try {
      const pinv = world.inventory({ h1: { address: '127.0.0.4', port: proxy.port } });
      let sleeps = 0;
      const r = await world.run(playbook(`
        - {name: before, shell: "true"}
        - {name: back, wait_for: {ssh: true, interval: 5s, timeout: 5m}, register: w}
        - {name: after, shell: "echo still here"}
        - {name: show, log: "{{json w}}"}`), pinv, {
        onEvent: (e) => {
          if (e.type === 'step-end' && e.name === 'before') proxy.down();
        },
        onSleep: () => {
          if (++sleeps === 3) proxy.up();
        },
      });
      expect(r.end('back').status).to.equal('ok');
      expect(r.end('after').status).to.equal('changed');
      expect(r.logged('show')).to.include({ attempts: 4 });
      expect(proxy.attempts).to.be.greaterThan(4);
    } finally {
      await proxy.stop();
    }
  });

  it('gives up on ssh: true after the timeout', async () => {
    const proxy = await TcpProxy.start('127.0.0.4', { host: '127.0.0.1', port: world.server.port });
    await world.trust([{ address: '127.0.0.4', port: proxy.port }]);
    proxy.down();
    try {
      const r = await world.run(playbook(`
        - {name: back, wait_for: {ssh: true, interval: 10s, timeout: 30s}}`), world.inventory({ h1: { address: '127.0.0.4', port: proxy.port } }));
      expect(r.end('back').status).to.equal('failed');
      expect(r.end('back').msg).to.match(/^timed out after 30s waiting for h1 over SSH: /);
    } finally {
      await proxy.stop();
    }
  });

  it('dry run says what it would wait for and how things stand now, without waiting', async () => {
    const p = await port('127.0.0.2');
    await p.open();
    const r = await world.run(playbook(`
      - {name: port, wait_for: {port: ${p.port}, state: closed, timeout: 2m}}
      - {name: file, wait_for: {path: ${join(tmp.dir, 'nope')}}}
      - {name: ssh, wait_for: {ssh: true}}`), inv, { dryRun: true });
    expect(r.end('port').plan).to.equal(`would wait up to 2m00s for port 127.0.0.2:${p.port} to be closed (now: 127.0.0.2:${p.port} is open)`);
    expect(r.end('file').plan).to.equal(`would wait up to 5m00s for ${join(tmp.dir, 'nope')} to be present on h1 (now: ${join(tmp.dir, 'nope')} does not exist)`);
    expect(r.end('ssh').plan).to.equal('would wait up to 5m00s for h1 to answer over SSH');
    for (const n of ['port', 'file', 'ssh']) expect(r.end(n).status).to.equal('ok');
  });

  it('rejects contradictory arguments when the playbook is loaded', async () => {
    let err: Error | undefined;
    try {
      await world.run(playbook(`
      - {name: bad, wait_for: {port: 1, path: /x}}
      - {name: bad2, wait_for: {path: /x, search: '(unclosed'}}
      - {name: bad3, wait_for: {port: 1, state: present}}`), inv);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.include("'wait_for' needs exactly one of port, ssh: true or path");
    expect(err?.message).to.include('invalid regular expression');
    expect(err?.message).to.include('a port is open or closed');
  });
});
