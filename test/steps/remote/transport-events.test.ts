// The SSH pool's own events reach the run's event stream as `transport` events of the host they
// concern: a connection opened, and opened again after it went away (a reconnect).

import { expect } from 'chai';
import type { RunEvent } from '../../../src/engine/events.js';
import type { RunServices } from '../../../src/steps/types.js';
import { dropConnection } from '../../../src/steps/remote/reconnect.js';
import { playbook, SshWorld } from './harness.js';

describe('transport events: SSH connections in the run’s event stream (OpenSSH sshd on loopback)', function () {
  this.timeout(30_000);
  let world: SshWorld;
  before(async () => {
    world = await SshWorld.start(['127.0.0.2']);
  });
  after(async () => world.stop());

  it('connect, connected, and a reconnect after the connection went away', async () => {
    let services: RunServices | undefined;
    const r = await world.run(playbook(`
      - {name: first, shell: "true"}
      - {name: wait, pause: 1ms}
      - {name: again, shell: "true"}`), world.inventory({ h1: { address: '127.0.0.2' } }), {
      onEvent: (_e, s) => {
        services ??= s;
      },
      // during the pause, the connection goes away (as when a host reboots)
      onSleep: async () => {
        await dropConnection(await services!.ssh('h1'));
      },
    });
    expect(r.summary.exitCode).to.equal(0);
    const transport = r.events.filter((e): e is Extract<RunEvent, { type: 'transport' }> => e.type === 'transport');
    expect(transport.every((e) => e.host === 'h1')).to.equal(true);
    const kinds = transport.map((e) => e.event.kind);
    expect(kinds).to.deep.equal(['ssh-connect', 'ssh-connected', 'ssh-disconnect', 'ssh-connect', 'ssh-connected']);
    const connects = transport.flatMap((e) => (e.event.kind === 'ssh-connect' ? [e.event] : []));
    expect(connects.map((c) => c.reconnect)).to.deep.equal([false, true]);
    expect(connects[0]).to.include({ address: '127.0.0.2', port: world.server.port, via: null });
    // the first connection is made while the host keys are checked, before the first step, and comes
    // right after run-start; the reconnect while the step that needed it runs
    const order = r.events.flatMap((e) => (e.type === 'run-start' || e.type === 'step-start' ? [e.type === 'run-start' ? 'run-start' : `start ${e.name}`] : e.type === 'transport' && e.event.kind === 'ssh-connect' ? ['connect'] : []));
    expect(order).to.deep.equal(['run-start', 'connect', 'start first', 'start wait', 'start again', 'connect']);
  });
});
