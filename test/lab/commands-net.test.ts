// Networks, VPCs, configuration, capabilities, management servers, hosts, jobs listing and paging.

import { expect } from 'chai';
import { ManualClock, type Lab } from '../../src/lab/index.js';
import { api, ok, stopLabs, testLab } from './helpers.js';

async function manualLab(o: Parameters<typeof testLab>[0] = {}): Promise<Lab> {
  return testLab({ clock: new ManualClock(), speed: 1, ...o });
}

const job = (lab: Lab, jobid: string): Promise<any> => ok(lab, { command: 'queryAsyncJobResult', jobid });
const routers = async (lab: Lab, extra: Record<string, string> = {}): Promise<any[]> =>
  (await ok(lab, { command: 'listRouters', listall: 'true', projectid: '-1', ...extra })).router ?? [];

describe('lab network commands', () => {
  afterEach(stopLabs);

  it('restartNetwork livepatch patches every router of the network: softwareversion set, version unchanged', async () => {
    const lab = await manualLab();
    const net = (await ok(lab, { command: 'listNetworks', listall: 'true', name: 'rnet-z1-1' })).network[0];
    const before = await routers(lab, { networkid: net.id });
    const sub = await ok(lab, { command: 'restartNetwork', id: net.id, livepatch: 'true' });
    await lab.advance(31_000);
    const res = await job(lab, sub.jobid);
    expect(res.jobresult).to.deep.equal({ success: true });
    expect(res.jobinstancetype).to.equal('Network');
    const after = await routers(lab, { networkid: net.id });
    expect(after.map((r) => r.id)).to.deep.equal(before.map((r) => r.id));
    for (const r of after) {
      expect(r).to.include({ softwareversion: '4.20.1.0', requiresupgrade: false, version: '4.19.0' });
      expect(r.scriptsversion).to.not.equal(before[0].scriptsversion);
    }
  });

  it('restartNetwork cleanup=true ignores livepatch and replaces the routers with new ones', async () => {
    const lab = await manualLab();
    const net = (await ok(lab, { command: 'listNetworks', listall: 'true', name: 'net-z1-2' })).network[0];
    const [old] = await routers(lab, { networkid: net.id });
    const sub = await ok(lab, { command: 'restartNetwork', id: net.id, cleanup: 'true', livepatch: 'true' });
    await lab.advance(71_000);
    expect((await job(lab, sub.jobid)).jobstatus).to.equal(1);
    const [fresh] = await routers(lab, { networkid: net.id });
    expect(fresh.id).to.not.equal(old.id);
    expect(fresh).to.include({ version: '4.20.1', requiresupgrade: false, state: 'Running' });
  });

  it('restartNetwork on a VPC tier with cleanup fails in the job with 431', async () => {
    const lab = await manualLab();
    const tier = (await ok(lab, { command: 'listNetworks', listall: 'true', name: 'vpc-z1-1-tier1' })).network[0];
    const sub = await ok(lab, { command: 'restartNetwork', id: tier.id, cleanup: 'true' });
    await lab.advance(1);
    expect((await job(lab, sub.jobid)).jobresult).to.deep.equal({ errorcode: 431, errortext: 'Cannot restart a VPC tier with cleanup, please restart the whole VPC.' });
  });

  it('restartVPC livepatch patches the VPC router once per tier; a VPC without tiers is not patched', async () => {
    const lab = await manualLab({ config: { emptyVpcs: 1 } });
    const vpcs = (await ok(lab, { command: 'listVPCs', listall: 'true' })).vpc;
    for (const v of vpcs) await ok(lab, { command: 'restartVPC', id: v.id, livepatch: 'true' });
    await lab.advance(46_000);
    const st = lab.state();
    const withTiers = st.routers.find((r) => r.vpc === 'vpc-z1-1')!;
    const empty = st.routers.find((r) => r.vpc === 'evpc-z1-1')!;
    expect(withTiers).to.include({ patchCount: 2, requiresUpgrade: false });
    expect(empty).to.include({ patchCount: 0, requiresUpgrade: true });
    expect(vpcs.find((v: any) => v.name === 'vpc-z1-1').network).to.have.length(2);
  });

  it('listNetworks follows the same ACL and lists tiers by vpcid', async () => {
    const lab = await manualLab();
    expect((await ok(lab, { command: 'listNetworks' })).network.map((n: any) => n.account)).to.deep.equal(['admin']);
    const vpc = (await ok(lab, { command: 'listVPCs', listall: 'true' })).vpc[0];
    expect((await ok(lab, { command: 'listNetworks', listall: 'true', vpcid: vpc.id })).count).to.equal(2);
    expect((await ok(lab, { command: 'listNetworks', listall: 'true', projectid: '-1' })).count).to.equal(6);
  });
});

describe('lab configuration and infrastructure commands', () => {
  afterEach(stopLabs);

  it('listConfigurations name= is a substring match ordered by name, showing DB values; Hidden never listed', async () => {
    const lab = await manualLab();
    const one = await ok(lab, { command: 'listConfigurations', name: 'integration.api.port' });
    expect(one).to.deep.equal({
      count: 1,
      configuration: [{
        category: 'Advanced', group: 'Management Server', subgroup: 'API', name: 'integration.api.port', value: '0', defaultvalue: '0',
        description: 'Integration (unauthenticated) API port. To disable set it to 0 or negative.', isdynamic: false, component: 'ApiServer',
        displaytext: 'Integration api port', type: 'Number',
      }],
    });
    const router = await ok(lab, { command: 'listConfigurations', name: 'router' });
    expect(router.configuration.map((c: any) => c.name)).to.deep.equal([...router.configuration.map((c: any) => c.name)].sort());
    expect(router.count).to.be.greaterThan(2);
    expect((await ok(lab, { command: 'listConfigurations', name: 'singlesignon' }))).to.deep.equal({});
  });

  it('updateConfiguration changes the DB value, echoes the raw value and validates types and names', async () => {
    const lab = await manualLab();
    const up = await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '8096' });
    expect(up.configuration).to.include({ name: 'integration.api.port', value: '8096', defaultvalue: '0' });
    expect((await ok(lab, { command: 'listConfigurations', name: 'integration.api.port' })).configuration[0].value).to.equal('8096');
    expect(lab.state().managementServer.integrationPort).to.deep.equal({ dbValue: '8096', effective: 0, listening: false });
    const bad = await api(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: 'abc' });
    expect(bad.status).to.equal(431);
    expect(bad.json).to.deep.equal({
      updateconfigurationresponse: { uuidList: [], errorcode: 431, cserrorcode: 4350, errortext: 'Value [abc] is not a valid [class java.lang.Integer].' },
    });
    const unknown = await api(lab, { command: 'updateConfiguration', name: 'foo.bar', value: '1' });
    expect(unknown.json.updateconfigurationresponse.errortext).to.equal("Config parameter with name foo.bar doesn't exist");
    const bool = await api(lab, { command: 'updateConfiguration', name: 'router.version.check', value: 'yes' });
    expect(bool.status).to.equal(431);
    const zone = (await ok(lab, { command: 'listZones' })).zone[0];
    const scoped = await api(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '1', zoneid: zone.id });
    expect(scoped.json.updateconfigurationresponse.errortext).to.equal('Invalid scope id provided for the parameter integration.api.port');
    const zoneOk = await ok(lab, { command: 'updateConfiguration', name: 'minreq.sysvmtemplate.version', value: '4.19.0', zoneid: zone.id });
    expect(zoneOk.configuration.scope).to.equal('zone');
    expect((await routers(lab))[0].requiresupgrade).to.equal(false);
    const neg = await ok(lab, { command: 'updateConfiguration', name: 'integration.api.port', value: '-1' });
    expect(neg.configuration.value).to.equal('-1');
    const missing = await api(lab, { command: 'updateConfiguration', value: '1' });
    expect(missing.json.updateconfigurationresponse.errortext).to.equal('Unable to execute API command updateconfiguration due to missing parameter name');
  });

  it('listCapabilities reports the version unless expose.cloudstack.version.api.list.capabilities=false', async () => {
    const lab = await manualLab({ version: '4.20.0.0' });
    expect((await ok(lab, { command: 'listCapabilities' })).capability.cloudstackversion).to.equal('4.20.0.0');
    await ok(lab, { command: 'updateConfiguration', name: 'expose.cloudstack.version.api.list.capabilities', value: 'false' });
    expect((await ok(lab, { command: 'listCapabilities' })).capability).to.not.have.property('cloudstackversion');
  });

  it('listManagementServers, listZones and listHosts (routing hosts) answer with their objects', async () => {
    const lab = await manualLab({ config: { zones: 2, hostsPerZone: 3 } });
    const ms = await ok(lab, { command: 'listManagementServers' });
    expect(ms.managementserver[0]).to.include({ state: 'Up', version: '4.20.1.0', name: 'mgmt1' });
    expect((await ok(lab, { command: 'listZones' })).count).to.equal(2);
    const hosts = await ok(lab, { command: 'listHosts', type: 'Routing' });
    expect(hosts.count).to.equal(6);
    expect(hosts.host[0]).to.include({ type: 'Routing', hypervisor: 'KVM', state: 'Up' });
    expect((await ok(lab, { command: 'listHosts' })).count).to.equal(10);
  });
});

describe('lab jobs and paging', () => {
  afterEach(stopLabs);

  it('queryAsyncJobResult uses the 4.20 field order, and the 4.21 order (jobstatus last) in a 4.21 world', async () => {
    const lab = await manualLab();
    const [r] = await routers(lab);
    const sub = await ok(lab, { command: 'rebootRouter', id: r.id });
    expect(Object.keys(await job(lab, sub.jobid))).to.deep.equal([
      'accountid', 'account', 'domainid', 'domainpath', 'userid', 'cmd', 'jobstatus', 'jobprocstatus', 'jobresultcode',
      'jobinstancetype', 'jobinstanceid', 'managementserverid', 'created', 'jobid',
    ]);
    await lab.stop();
    const lab21 = await manualLab({ version: '4.21.0.0' });
    const [r2] = await routers(lab21);
    const sub2 = await ok(lab21, { command: 'rebootRouter', id: r2.id });
    await lab21.advance(61_000);
    // done: the executing server is cleared, so managementserverid/managementservername are gone
    expect(Object.keys(await job(lab21, sub2.jobid))).to.deep.equal([
      'accountid', 'account', 'domainid', 'domainpath', 'userid', 'cmd', 'jobprocstatus', 'jobresultcode', 'jobresulttype', 'jobresult',
      'jobinstancetype', 'jobinstanceid', 'created', 'completed', 'jobid', 'jobstatus',
    ]);
  });

  it('listAsyncJobs lists only pending jobs; jobId is accepted case-insensitively; unknown job is 431', async () => {
    const lab = await manualLab();
    const rs = await routers(lab);
    await ok(lab, { command: 'rebootRouter', id: rs[0].id });
    const second = await ok(lab, { command: 'stopRouter', id: rs[1].id });
    expect((await ok(lab, { command: 'listAsyncJobs' })).count).to.equal(2);
    await lab.advance(21_000);
    const left = await ok(lab, { command: 'listAsyncJobs' });
    expect(left.count).to.equal(1);
    expect(left.asyncjobs[0].cmd).to.match(/RebootRouterCmd$/);
    expect((await ok(lab, { command: 'queryAsyncJobResult', jobId: second.jobid })).jobstatus).to.equal(1);
    expect((await api(lab, { command: 'queryAsyncJobResult', jobid: '11111111-1111-4111-8111-111111111111' })).status).to.equal(431);
  });

  it('pages with page/pagesize while count stays the total; beyond the end only count remains', async () => {
    const lab = await manualLab({ config: { bench: { routers: 30, networks: 10 } } });
    const p1 = await ok(lab, { command: 'listRouters', listall: 'true', page: '1', pagesize: '7' });
    const p5 = await ok(lab, { command: 'listRouters', listall: 'true', page: '5', pagesize: '7' });
    expect(p1.count).to.equal(30);
    expect(p1.router).to.have.length(7);
    expect(p5.router).to.have.length(2);
    expect(p5.router[0].id).to.not.equal(p1.router[0].id);
    expect(await ok(lab, { command: 'listRouters', listall: 'true', page: '9', pagesize: '7' })).to.deep.equal({ count: 30 });
    const noPage = await api(lab, { command: 'listRouters', pagesize: '7' });
    expect(noPage.json.listroutersresponse.errortext).to.equal('"page" parameter is required when "pagesize" is specified');
    expect((await api(lab, { command: 'listRouters', page: '1' })).status).to.equal(431);
    expect((await api(lab, { command: 'listRouters', page: '1', pagesize: '501' })).json.listroutersresponse.errortext)
      .to.equal("Page size can't exceed max allowed page size value: 500");
    expect((await ok(lab, { command: 'listRouters', listall: 'true', pagesize: '-1' })).router).to.have.length(30);
    expect((await api(lab, { command: 'listRouters', page: 'x', pagesize: '5' })).json.listroutersresponse.errortext)
      .to.equal('Unable to execute API command listrouters due to invalid value x for parameter page');
  });

  it('without paging a list returns at most default.page.size items (500) but the full count', async () => {
    const lab = await manualLab({ config: { bench: { routers: 1000, networks: 200 } } });
    const all = await ok(lab, { command: 'listRouters', listall: 'true' });
    expect(all.count).to.equal(1000);
    expect(all.router).to.have.length(500);
    const p2 = await ok(lab, { command: 'listRouters', listall: 'true', page: '2', pagesize: '500' });
    expect(p2.router).to.have.length(500);
  });

  it('answers XML when response=json is missing (CloudStack default)', async () => {
    const lab = await manualLab();
    const r = await api(lab, { command: 'listZones' }, { json: false });
    expect(r.status).to.equal(200);
    expect(r.headers['content-type']).to.equal('text/xml; charset=UTF-8');
    expect(r.text).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?><listzonesresponse cloud-stack-version="4.20.1.0"><count>1<\/count><zone><id>[0-9a-f-]{36}<\/id><name>zone1<\/name>/);
    const bad = await api(lab, { command: 'listZones' }, { json: false, secret: 'x' });
    expect(bad.text).to.include('<errorcode>401</errorcode>');
  });
});
