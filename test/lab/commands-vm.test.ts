// System-VM and router commands: success paths with their state transitions on lab time, and the error
// paths with CloudStack's codes and texts (sync 431s, job failures).

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { api, ok, stopLabs, testLab } from './helpers.js';

async function manualLab(o: Parameters<typeof testLab>[0] = {}): Promise<Lab> {
  return testLab({ clock: new ManualClock(), speed: 1, ...o });
}

async function job(lab: Lab, jobid: string): Promise<any> {
  return ok(lab, { command: 'queryAsyncJobResult', jobid });
}

async function systemVms(lab: Lab): Promise<any[]> {
  return (await ok(lab, { command: 'listSystemVms' })).systemvm;
}

async function routers(lab: Lab, extra: Record<string, string> = {}): Promise<any[]> {
  return (await ok(lab, { command: 'listRouters', listall: 'true', ...extra })).router ?? [];
}

describe('lab system VM commands', () => {
  afterEach(stopLabs);

  it('stopSystemVm: job pending with Stopping, then Stopped/Disconnected with the systemvm result', async () => {
    const lab = await manualLab();
    const [ssvm] = await systemVms(lab);
    const sub = await ok(lab, { command: 'stopSystemVm', id: ssvm.id });
    expect(Object.keys(sub)).to.deep.equal(['jobid']);
    await lab.advance(1_000);
    const pending = await job(lab, sub.jobid);
    expect(pending.jobstatus).to.equal(0);
    expect(pending).to.not.have.property('jobresult');
    expect((await systemVms(lab))[0].state).to.equal('Stopping');
    await lab.advance(20_000);
    const done = await job(lab, sub.jobid);
    expect(done.jobstatus).to.equal(1);
    expect(done.jobresulttype).to.equal('object');
    expect(done.jobresult.systemvm).to.include({ id: ssvm.id, state: 'Stopped', agentstate: 'Disconnected' });
    expect(done.jobinstancetype).to.equal('SystemVm');
    expect(done.cmd).to.equal('org.apache.cloudstack.api.command.admin.systemvm.StopSystemVmCmd');
  });

  it('startSystemVm boots from the new template: version becomes the MS version, agent Connecting then Up', async () => {
    const lab = await manualLab();
    const [ssvm] = await systemVms(lab);
    expect(ssvm.version).to.equal('4.19.0.0');
    await ok(lab, { command: 'stopSystemVm', id: ssvm.id });
    await lab.advance(21_000);
    const sub = await ok(lab, { command: 'startSystemVm', id: ssvm.id });
    await lab.advance(41_000);
    const r = await job(lab, sub.jobid);
    expect(r.jobstatus).to.equal(1);
    expect(r.jobresult.systemvm).to.include({ state: 'Running', agentstate: 'Connecting', version: '4.20.1.0', templatename: 'systemvm-kvm-4.20.1-x86_64' });
    await lab.advance(5_000);
    expect((await systemVms(lab))[0]).to.include({ agentstate: 'Up', version: '4.20.1.0' });
  });

  it('stop/start/reboot/destroySystemVm with a router or instance id: synchronous 431, no job (StopSystemVmCmd.getEventType)', async () => {
    const lab = await manualLab();
    const [r] = await routers(lab);
    const [vm] = (await ok(lab, { command: 'listVirtualMachines' })).virtualmachine;
    const internal = lab.world.vmByName(r.name)!.internalId;
    for (const command of ['stopSystemVm', 'startSystemVm', 'rebootSystemVm', 'destroySystemVm']) {
      const res = await api(lab, { command, id: r.id });
      expect(res.status).to.equal(431);
      expect(res.json[`${command.toLowerCase()}response`]).to.deep.equal({
        uuidList: [{ uuid: String(internal), description: 'instanceId' }], errorcode: 431, cserrorcode: 4350,
        errortext: 'Unable to find a system vm of specified instanceId',
      });
      expect((await api(lab, { command, id: vm.id })).status).to.equal(431);
    }
    expect((await ok(lab, { command: 'listAsyncJobs', listall: 'true' })).count).to.equal(undefined);
  });

  it('rejects a missing id (431/9999) and an unknown uuid (431/4350) synchronously', async () => {
    const lab = await manualLab();
    const missing = await api(lab, { command: 'startSystemVm' });
    expect(missing.status).to.equal(431);
    expect(missing.json).to.deep.equal({
      startsystemvmresponse: { uuidList: [], errorcode: 431, cserrorcode: 9999, errortext: 'Unable to execute API command startsystemvm due to missing parameter id' },
    });
    const bad = await api(lab, { command: 'stopSystemVm', id: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).to.equal(431);
    expect(bad.json.stopsystemvmresponse.cserrorcode).to.equal(4350);
    expect(bad.json.stopsystemvmresponse.errortext).to.equal(
      'Invalid parameter id value=00000000-0000-4000-8000-000000000000 due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.',
    );
  });

  it('accepts internal numeric ids on pre-3.x commands (sysvmadm <4.19.2 style)', async () => {
    const lab = await manualLab();
    const sub = await ok(lab, { command: 'stopSystemVm', id: '1' });
    await lab.advance(21_000);
    expect((await job(lab, sub.jobid)).jobresult.systemvm.name).to.equal('s-1-VM');
  });

  it('patchSystemVm: success text in details (trailing space), no-change text, router and not-Running failures', async () => {
    const lab = await manualLab();
    const [ssvm, cpvm] = await systemVms(lab);
    const sub = await ok(lab, { command: 'patchSystemVm', id: ssvm.id });
    await lab.advance(16_000);
    const res = await job(lab, sub.jobid);
    expect(res.jobresult).to.deep.equal({ success: true, details: `Successfully patched systemVM ${ssvm.name} ` });
    expect(res).to.not.have.property('jobinstancetype');
    expect(res.cmd).to.equal('org.apache.cloudstack.api.command.admin.systemvm.PatchSystemVMCmd');
    expect((await systemVms(lab))[0]).to.include({ version: '4.20.1.0', templatename: 'systemvm-kvm-4.19.0', state: 'Running' });
    const again = await ok(lab, { command: 'patchSystemVm', id: ssvm.id });
    await lab.advance(16_000);
    expect((await job(lab, again.jobid)).jobresult.details).to.equal(`No change in the scripts checksum, not patching systemVM ${ssvm.name}`);

    const [r] = await routers(lab);
    const onRouter = await ok(lab, { command: 'patchSystemVm', id: r.id });
    await lab.advance(1);
    const rr = await job(lab, onRouter.jobid);
    expect(rr.jobresult.errorcode).to.equal(431);
    expect(rr.jobresult.errortext).to.match(/^Unable to find SystemVm with id \d+\. patchSystemVm API can be used to patch CPVM \/ SSVM only\.$/);

    await ok(lab, { command: 'stopSystemVm', id: cpvm.id });
    await lab.advance(21_000);
    const stopped = await ok(lab, { command: 'patchSystemVm', id: cpvm.id });
    await lab.advance(1);
    const sr = await job(lab, stopped.jobid);
    expect(sr.jobresultcode).to.equal(530);
    expect(sr.jobresult.errortext).to.match(/^Unable to patch SystemVM: VM instance \{.*"instanceName":"v-2-VM".*\} as it is not in Running state\. Please destroy and recreate the SystemVM\.$/);

    const noId = await ok(lab, { command: 'patchSystemVm' });
    await lab.advance(1);
    expect((await job(lab, noId.jobid)).jobresult).to.deep.equal({ errorcode: 431, errortext: 'Please provide a valid ID of a system VM to be patched' });
  });

  it('rebootSystemVm forced rebuilds from the new template; destroySystemVm re-creates the VM', async () => {
    const lab = await manualLab();
    const [ssvm, cpvm] = await systemVms(lab);
    const sub = await ok(lab, { command: 'rebootSystemVm', id: ssvm.id, forced: 'true' });
    await lab.advance(61_000);
    expect((await job(lab, sub.jobid)).jobresult.systemvm).to.include({ state: 'Running', version: '4.20.1.0' });
    const d = await ok(lab, { command: 'destroySystemVm', id: cpvm.id });
    await lab.advance(21_000);
    expect((await job(lab, d.jobid)).jobresult.systemvm.state).to.equal('Destroyed');
    await lab.advance(45_000);
    const vms = await systemVms(lab);
    expect(vms.map((v) => v.id)).to.not.include(cpvm.id);
    expect(vms.find((v) => v.systemvmtype === 'consoleproxy')).to.include({ state: 'Running', version: '4.20.1.0' });
  });
});

describe('lab router commands', () => {
  afterEach(stopLabs);

  it('rebootRouter is stop then start and leaves the router on the new template', async () => {
    const lab = await manualLab();
    const [r] = await routers(lab);
    expect(r).to.include({ requiresupgrade: true, version: '4.19.0', softwareversion: '4.19.0.0' });
    const sub = await ok(lab, { command: 'rebootRouter', id: r.id });
    await lab.advance(10_000);
    const mid = (await routers(lab, { id: r.id }))[0];
    expect(mid).to.include({ state: 'Stopping', jobid: sub.jobid, jobstatus: 0 });
    await lab.advance(25_000);
    expect((await routers(lab, { id: r.id }))[0].state).to.equal('Starting');
    await lab.advance(30_000);
    const res = await job(lab, sub.jobid);
    expect(res.jobinstancetype).to.equal('DomainRouter');
    expect(res.jobresult.router).to.include({ state: 'Running', version: '4.20.1', requiresupgrade: false, softwareversion: '4.20.1.0' });
  });

  it('rebootRouter on a stopped router fails with 530 and the state in the text', async () => {
    const lab = await manualLab();
    const [r] = await routers(lab);
    await ok(lab, { command: 'stopRouter', id: r.id });
    await lab.advance(21_000);
    const sub = await ok(lab, { command: 'rebootRouter', id: r.id });
    await lab.advance(1);
    expect((await job(lab, sub.jobid)).jobresult).to.deep.equal({ errorcode: 530, errortext: 'Unable to reboot domR, it is not in right state Stopped' });
    const start = await ok(lab, { command: 'startRouter', id: r.id });
    await lab.advance(41_000);
    expect((await job(lab, start.jobid)).jobresult.router.state).to.equal('Running');
  });

  it('router commands reject a system VM id at uuid translation (the entity is DomainRouter)', async () => {
    const lab = await manualLab();
    const [ssvm] = await systemVms(lab);
    const r = await api(lab, { command: 'rebootRouter', id: ssvm.id });
    expect(r.status).to.equal(431);
    expect(r.json.rebootrouterresponse.cserrorcode).to.equal(4350);
  });

  it('listRouters ACL: own account only without listall; projects only with projectid=-1', async () => {
    const lab = await manualLab();
    const own = (await ok(lab, { command: 'listRouters' })).router;
    expect(own.map((r: any) => r.account)).to.deep.equal(['admin']);
    const all = await ok(lab, { command: 'listRouters', listall: 'true' });
    expect(all.count).to.equal(5);
    expect(all.router.some((r: any) => r.project)).to.equal(false);
    const withProjects = await ok(lab, { command: 'listRouters', listall: 'true', projectid: '-1' });
    expect(withProjects.count).to.equal(6);
    const prj = withProjects.router.find((r: any) => r.project === 'project1');
    expect(prj).to.have.property('projectid');
    expect(prj).to.not.have.property('account');
    const redundant = all.router.filter((r: any) => r.isredundantrouter);
    expect(redundant.map((r: any) => r.redundantstate).sort()).to.deep.equal(['BACKUP', 'PRIMARY']);
    const vpcRouter = all.router.find((r: any) => r.vpcid);
    expect(vpcRouter.nic).to.have.length(2);
    expect(vpcRouter).to.not.have.property('guestnetworkid');
  });

  it('listRouters filters: networkid, vpcid, state, zoneid and the empty-list shape', async () => {
    const lab = await manualLab();
    const nets = (await ok(lab, { command: 'listNetworks', listall: 'true' })).network;
    const rnet = nets.find((n: any) => n.name === 'rnet-z1-1');
    expect((await routers(lab, { networkid: rnet.id }))).to.have.length(2);
    const vpc = (await ok(lab, { command: 'listVPCs', listall: 'true' })).vpc[0];
    expect((await routers(lab, { vpcid: vpc.id }))).to.have.length(1);
    const tier = nets.find((n: any) => n.vpcid === vpc.id);
    expect((await routers(lab, { networkid: tier.id }))[0].vpcid).to.equal(vpc.id);
    expect(await ok(lab, { command: 'listRouters', listall: 'true', state: 'Stopped' })).to.deep.equal({});
  });

  it('upgradeRouterTemplate submits rebootRouter jobs for outdated running routers, {} when none', async () => {
    const lab = await manualLab();
    const zone = (await ok(lab, { command: 'listZones' })).zone[0];
    const res = await ok(lab, { command: 'upgradeRouterTemplate', zoneid: zone.id });
    expect(res.count).to.equal(6);
    expect(Object.keys(res.asyncjobs[0])).to.deep.equal(['jobid']);
    expect((await job(lab, res.asyncjobs[0].jobid)).cmd).to.equal('org.apache.cloudstack.api.command.admin.router.RebootRouterCmd');
    await lab.advance(61_000);
    expect(await ok(lab, { command: 'upgradeRouterTemplate', zoneid: zone.id })).to.deep.equal({});
    const multi = await api(lab, { command: 'upgradeRouterTemplate', zoneid: zone.id, id: (await routers(lab))[0].id });
    expect(multi.status).to.equal(431);
    expect(multi.json.upgraderoutertemplateresponse.errortext).to.equal(
      'Multiple parameters not supported. Specify only one among routerId/zoneId/podId/clusterId/accountId/domainId');
  });
});
