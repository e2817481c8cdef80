// Virtual-router commands: listRouters with CloudStack's ACL behaviour, async reboot/stop/start and the
// synchronous upgradeRouterTemplate that submits one rebootRouter job per outdated running router.

import { paramError } from '../errors.js';
import { listOf, type CommandContext, type CommandDef } from '../types.js';
import { renderRouter } from '../render/render-vm.js';
import { ownerFilter } from './acl.js';
import type { Domain, HypervisorHost, Network, Router, Vpc, Zone } from '../../world/types.js';
import type { JobControl, JobOutcome } from '../../jobs/jobs.js';

const PKG = 'org.apache.cloudstack.api.command.admin.router';

const listRouters: CommandDef = {
  name: 'listRouters', async: false, list: true, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'router' }, { name: 'name', type: 'string' }, { name: 'state', type: 'string' },
    { name: 'zoneid', type: 'uuid', entity: 'zone' }, { name: 'podid', type: 'uuid', entity: 'pod' },
    { name: 'clusterid', type: 'uuid', entity: 'cluster' }, { name: 'hostid', type: 'uuid', entity: 'host' },
    { name: 'networkid', type: 'uuid', entity: 'network' }, { name: 'vpcid', type: 'uuid', entity: 'vpc' },
    { name: 'forvpc', type: 'boolean' }, { name: 'version', type: 'string' }, { name: 'healthchecksfailed', type: 'boolean' },
    { name: 'account', type: 'string' }, { name: 'domainid', type: 'uuid', entity: 'domain' }, { name: 'isrecursive', type: 'boolean' },
    { name: 'listall', type: 'boolean' }, { name: 'projectid', type: 'uuid', entity: 'project' }, { name: 'keyword', type: 'string' },
  ],
  handler: (ctx, args) => {
    const w = ctx.core.world;
    const id = args.ref<Router>('id');
    const zone = args.ref<Zone>('zoneid') ?? args.ref<Zone>('podid') ?? args.ref<Zone>('clusterid');
    const host = args.ref<HypervisorHost>('hostid');
    const net = args.ref<Network>('networkid');
    const vpc = args.ref<Vpc>('vpcid');
    const state = args.str('state')?.toLowerCase();
    const name = args.str('name');
    const version = args.str('version');
    const keyword = args.str('keyword');
    const forVpc = args.has('forvpc') ? args.bool('forvpc') : undefined;
    const hcf = args.has('healthchecksfailed') ? args.bool('healthchecksfailed') : undefined;
    // An explicit id is resolved regardless of owner (the admin may see it); otherwise the ACL applies.
    const visible = id ? () => true : ownerFilter(ctx, args);
    const routers = w.routers.filter((r) =>
      visible(r.ownerId) && (!id || r === id) && (!zone || r.zoneId === zone.id) &&
      (!host || (r.hostId === host.id && r.state !== 'Stopped')) && (!net || r.networkIds.includes(net.id)) &&
      (!vpc || r.vpcId === vpc.id) && (forVpc === undefined || forVpc === (r.vpcId !== undefined)) &&
      (!state || r.state.toLowerCase() === state) && (name === undefined || r.name === name) &&
      (version === undefined || r.template.version.includes(version)) && (hcf === undefined || r.healthChecksFailed === hcf) &&
      (keyword === undefined || r.name.includes(keyword)));
    return listOf('router', routers, (r: Router) => renderRouter(w, r, r.pendingJobId ? ctx.core.jobs.get(r.pendingJobId)?.status : undefined));
  },
};

type RouterWork = (ctx: CommandContext, ctl: JobControl, jobId: string, r: Router) => Promise<JobOutcome>;

export function submitRouterJob(ctx: CommandContext, name: string, cls: string, r: Router, work: RouterWork): string {
  let jobId = '';
  const job = ctx.core.jobs.submit({
    command: name, cmdClass: `${PKG}.${cls}`, caller: ctx.caller, instanceType: 'DomainRouter', instanceId: r.id,
    work: (ctl) => work(ctx, ctl, jobId, r),
  });
  jobId = job.id;
  return job.id;
}

function asyncRouterCommand(name: string, cls: string, work: RouterWork): CommandDef {
  return {
    name, async: true, legacyIds: true,
    params: [{ name: 'id', type: 'uuid', entity: 'router', required: true }, { name: 'forced', type: 'boolean' }],
    handler: (ctx, args) => ({ kind: 'job', jobId: submitRouterJob(ctx, name, cls, args.ref<Router>('id')!, work) }),
  };
}

const rebootWork: RouterWork = (ctx, ctl, j, r) => ctx.core.vmOps.rebootRouter(ctl, j, r);

const rebootRouter = asyncRouterCommand('rebootRouter', 'RebootRouterCmd', rebootWork);
const stopRouter = asyncRouterCommand('stopRouter', 'StopRouterCmd', (ctx, ctl, j, r) => ctx.core.vmOps.stopRouter(ctl, j, r));
const startRouter = asyncRouterCommand('startRouter', 'StartRouterCmd', (ctx, ctl, j, r) => ctx.core.vmOps.startRouter(ctl, j, r));

const upgradeRouterTemplate: CommandDef = {
  name: 'upgradeRouterTemplate', async: false, legacyIds: true,
  params: [
    { name: 'id', type: 'uuid', entity: 'router' }, { name: 'zoneid', type: 'uuid', entity: 'zone' },
    { name: 'podid', type: 'uuid', entity: 'pod' }, { name: 'clusterid', type: 'uuid', entity: 'cluster' },
    { name: 'domainid', type: 'uuid', entity: 'domain' }, { name: 'account', type: 'string' },
  ],
  handler: (ctx, args) => {
    const scopes = ['id', 'zoneid', 'podid', 'clusterid', 'domainid'].filter((p) => args.has(p));
    if (scopes.length > 1) {
      throw paramError('Multiple parameters not supported. Specify only one among routerId/zoneId/podId/clusterId/accountId/domainId');
    }
    const w = ctx.core.world;
    const id = args.ref<Router>('id');
    const zone = args.ref<Zone>('zoneid') ?? args.ref<Zone>('podid') ?? args.ref<Zone>('clusterid');
    const domain = args.ref<Domain>('domainid');
    const account = args.str('account');
    const checkEnabled = (ctx.core.ms.setting('router.version.check') ?? 'true') === 'true';
    const picked = w.routers.filter((r) => {
      if (id && r !== id) return false;
      if (zone && r.zoneId !== zone.id) return false;
      const owner = w.accounts.get(r.ownerId);
      if (domain && owner?.domainId !== domain.id) return false;
      if (account !== undefined && owner?.name !== account) return false;
      // checkRouterVersion() is true (nothing to upgrade) when router.version.check is off.
      return r.state === 'Running' && checkEnabled && w.belowMinimum(r);
    });
    const jobs = picked.map((r) => ({ jobid: submitRouterJob(ctx, 'rebootRouter', 'RebootRouterCmd', r, rebootWork) }));
    return listOf('asyncjobs', jobs, (j) => j);
  },
};

export const ROUTER_COMMANDS: readonly CommandDef[] = [listRouters, rebootRouter, stopRouter, startRouter, upgradeRouterTemplate];
