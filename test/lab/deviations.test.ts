// listVirtualMachines and listVolumes serve the world's tenant instances with the same ACL as listRouters
// (Ansible's cs_instance_info got a 401 for the unknown command before).

import { expect } from 'chai';
import { api, ok, stopLabs, testLab } from './helpers.js';

describe('lab API details checked against CloudStack 4.20.1', () => {
  afterEach(stopLabs);

  it('listVirtualMachines lists tenant instances only, with the listRouters ACL; listVolumes gives their root volumes', async () => {
    const lab = await testLab();
    const w = lab.world;
    const mine = (await ok(lab, { command: 'listVirtualMachines' })).virtualmachine;
    expect(mine.map((v: any) => v.account)).to.deep.equal(['admin']);
    const all = await ok(lab, { command: 'listVirtualMachines', listall: 'true' });
    const nonProject = w.userVms.filter((v) => w.owner(v.ownerId).kind === 'account');
    expect(all.count).to.equal(nonProject.length);
    const systemNames = [...w.systemVms, ...w.routers].map((v) => v.name);
    expect(all.virtualmachine.some((v: any) => systemNames.includes(v.name))).to.equal(false);
    const prj = await ok(lab, { command: 'listVirtualMachines', projectid: '-1' });
    expect(prj.virtualmachine.every((v: any) => v.project === 'project1')).to.equal(true);
    const [vm] = mine;
    expect(vm).to.include({ state: 'Running', hypervisor: 'KVM', name: vm.displayname });
    expect(vm.nic[0]).to.include({ isdefault: true, traffictype: 'Guest' });
    expect(vm.instancename).to.match(/^i-\d+-\d+-VM$/);
    const byName = await ok(lab, { command: 'listVirtualMachines', name: vm.name });
    expect(byName.virtualmachine.map((v: any) => v.id)).to.deep.equal([vm.id]);
    const vols = await ok(lab, { command: 'listVolumes', virtualmachineid: vm.id });
    expect(vols.volume).to.have.length(1);
    expect(vols.volume[0]).to.include({ type: 'ROOT', virtualmachineid: vm.id, vmname: vm.name, state: 'Ready' });
    expect((await ok(lab, { command: 'listVolumes', id: vols.volume[0].id })).volume[0].id).to.equal(vols.volume[0].id);
    expect((await api(lab, { command: 'listVirtualMachines', id: w.routers[0]!.id })).status).to.equal(431);
  });
});
