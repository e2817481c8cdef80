// The CloudStack client's own events reach the run's event stream as `transport` events of the
// management server they concern: API calls (secrets masked), responses and the polls of async jobs.

import { expect } from 'chai';
import type { RunEvent, TransportEvent } from '../../../src/engine/events.js';
import { CsHarness, steps } from './harness.js';

describe('transport events: CloudStack API calls in the run’s event stream (lab)', function () {
  this.timeout(30_000);
  let h: CsHarness;
  before(async () => {
    h = await CsHarness.start('127.0.0.38');
  });
  after(async () => h.stop());

  it('calls, responses and job polls, by management server, with nothing secret in them', async () => {
    const r = await h.run(steps(`
- name: list
  cloudstack: {command: listZones}
- name: restart the console proxy
  cloudstack: {command: rebootSystemVm, params: {id: "{{ vm }}"}}`).replace('{{ vm }}', String(h.lab.state().systemVms.find((v) => v['type'] === 'cpvm')!['id'])));
    expect(r.summary.exitCode, JSON.stringify(r.events.filter((e) => e.type === 'step-end'))).to.equal(0);
    const transport = r.events.filter((e): e is Extract<RunEvent, { type: 'transport' }> => e.type === 'transport');
    expect(new Set(transport.map((e) => e.host))).to.deep.equal(new Set(['mgmt']));
    const events: TransportEvent[] = transport.map((e) => e.event);
    const calls = events.flatMap((e) => (e.kind === 'api-call' ? [e.command] : []));
    expect(calls).to.include.members(['listZones', 'rebootSystemVm', 'queryAsyncJobResult']);
    expect(events.some((e) => e.kind === 'api-response' && e.command === 'listZones' && e.status === 200)).to.equal(true);
    const polls = events.filter((e) => e.kind === 'job-poll');
    expect(polls.length).to.be.greaterThan(0);
    expect(polls.at(-1)).to.include({ command: 'rebootSystemVm' });
    const request = events.find((e) => e.kind === 'api-call')!;
    expect(request).to.have.property('request').that.includes('command=listZones');
    expect(r.leaks()).to.deep.equal([]);
  });
});
