// The readiness checks as pure functions: the facts that decide them, held without a lab.

import { expect } from 'chai';
import { minreqCheck, templateCheck } from '../../../src/steps/cloudstack/readiness-checks.js';

describe('readiness checks', () => {
  it('minreq: a zone without a value of its own shows the global one and is not named twice', () => {
    const c = minreqCheck('4.19.1', '4.20.1', [{ zone: 'zone1', value: '4.20.1' }, { zone: 'zone2', value: '4.20.1' }]);
    expect(c.status).to.equal('fail');
    expect(c.fact).to.match(/^above the template version 4\.19\.1: global 4\.20\.1: every router/);
  });

  it('minreq: the same version written longer is not above (4.20.2.0 is 4.20.2)', () => {
    expect(minreqCheck('4.20.2', '4.20.2.0', []).status).to.equal('pass');
  });

  it('template: before 4.15 listTemplates names no store: READY in every zone is enough', () => {
    const zones = [{ id: 'z1', name: 'zone1' }];
    const rows = [{ name: 'systemvm-kvm-4.19.1', zoneid: 'z1', isready: true }];
    const c = templateCheck({ hypervisor: 'KVM', arch: 'x86_64', name: 'systemvm-kvm-4.19.1' }, '4.19.2.0', '4.19.1', rows, zones, [{ name: 'nfs1', zoneid: 'z1' }]);
    expect(c).to.deep.equal({ check: 'system VM template (KVM)', status: 'pass', fact: 'systemvm-kvm-4.19.1 READY in 1 zone(s)' });
  });
});
