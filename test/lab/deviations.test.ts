// The smaller deviations from real CloudStack, fixed: listRouters projectid=-1 without listall lists
// project routers only; account and projectid together are refused; listConfigurations keyword searches
// value, description, category and component too; listVirtualMachines and listVolumes serve the world's
// tenant instances with the same ACL as listRouters.

import { expect } from 'chai';
import { api, ok, stopLabs, testLab } from './helpers.js';

describe('lab API details checked against CloudStack 4.20.1', () => {
  afterEach(stopLabs);

  it('listRouters projectid=-1: project routers only without listall, everything with it (buildACLSearchParameters)', async () => {
    const lab = await testLab();
    const names = async (p: Record<string, string>): Promise<string[]> =>
      ((await ok(lab, { command: 'listRouters', ...p })).router ?? []).map((r: any) => r.name).sort();
    const project = lab.world.routers.filter((r) => lab.world.owner(r.ownerId).kind === 'project').map((r) => r.name).sort();
    const admins = lab.world.routers.filter((r) => r.ownerId === lab.world.adminAccount.id).map((r) => r.name).sort();
    expect(project).to.have.length.greaterThan(0);
    expect(await names({ projectid: '-1' })).to.deep.equal(project);
    expect(await names({})).to.deep.equal(admins);
    expect(await names({ projectid: '-1', listall: 'true' })).to.deep.equal(lab.world.routers.map((r) => r.name).sort());
    expect((await names({ listall: 'true' })).some((n) => project.includes(n))).to.equal(false);
    const both = await api(lab, { command: 'listRouters', account: 'tenant1', projectid: '-1' });
    expect(both.status).to.equal(431);
    expect(both.json.listroutersresponse.errortext).to.equal("Account and projectId can't be specified together");
  });

  it('listConfigurations keyword matches name, value, description, category and component', async () => {
    const lab = await testLab();
    const names = async (keyword: string): Promise<string[]> =>
      ((await ok(lab, { command: 'listConfigurations', keyword })).configuration ?? []).map((c: any) => c.name);
    expect(await names('unauthenticated')).to.deep.equal(['integration.api.port']);
    expect(await names('VirtualNetworkApplianceManager')).to.include('router.version.check');
    expect(await names('CookieAndParameter')).to.deep.equal(['api.sessionkey.check.locations']);
    await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '18096' });
    expect(await names('18096')).to.deep.equal(['integration.api.port']);
    const advanced = await names('advanced');
    expect(advanced).to.include('integration.api.port');
    expect(advanced).to.include('job.expire.minutes');
  });

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
