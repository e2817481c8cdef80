// `cloudstack.upgrade_proof`: the evidence that an upgrade is complete, read from the cloud — every
// management server Up at the version with its integration port closed, every system VM Running with its
// agent Up at that version, every Running router no longer requiring an upgrade with passing health
// checks, every KVM agent at that version — written as a Markdown and a JSON report, and the step fails
// naming what is not done and which bundled playbook does it.

import { DEFAULT_INTEGRATION_PORT } from '../../cloudstack/helpers.js';
import { arg } from '../schema/arg.js';
import { defineStep, StepFailedError } from '../types.js';
import { clientFor, HOST_ARG, targetHost } from './common.js';
import { serverHosts } from './ms-cluster.js';
import { inspectPort } from './port-inspect.js';
import { writeReport } from './report-file.js';
import { judge, proofMarkdown } from './proof-report.js';
import { listRouters, listSystemVms, managementServerVersion, type Row } from './queries.js';

export const upgradeProofStep = defineStep({
  name: 'cloudstack.upgrade_proof',
  summary: 'Prove an upgrade complete: servers, system VMs, routers and KVM agents at the version, integration port closed; a report',
  description:
    'Reads listManagementServers, listSystemVms, listRouters (project routers included), listHosts (type routing) and probes '
    + 'the integration port of every management server (as `cloudstack.integration_port` does). Not done: a server not Up, at '
    + 'another version or listening on the integration port; a system VM not Running, at another version or with its agent not '
    + 'Up; a Running router that still requires an upgrade or whose health checks fail (`healthchecksfailed`); a KVM host whose '
    + 'agent is at another version (an older agent may not connect, apache/cloudstack#11917) or not Up. A router that is not '
    + 'Running is noted, not counted: it gets the new template when it starts. With `report`, writes `<report>.md` and '
    + '`<report>.json` on the machine running stackplay (also in a dry run: the step only reads the cloud). Fails when '
    + 'anything is not done, naming each item and what does it.',
  result: {
    version: ['string', 'the version everything was held against'],
    done: ['boolean', 'whether nothing is left to do'],
    items: ['list', 'every server, system VM, router and KVM host: `kind`, `name`, `zone`, `state`, `version`, `detail`, `done`, `why`, `fix`'],
    not_done: ['list', 'the items not done'],
    notes: ['list of strings', 'what is not counted (routers not Running)'],
    report: ['mapping or null', '`md` and `json`: the report files written'],
  },
  args: {
    version: arg.string('the version to prove (default, or empty: the version the management servers report)'),
    servers: arg.list(arg.host('ssh'), 'the management servers (inventory hosts; default: every host with cloudstack: settings)'),
    port: arg.port("the integration port (default: the inventory's integration_port, else 8096)"),
    report: arg.string('write the report as <report>.md and <report>.json (a path on the machine running stackplay)'),
    host: HOST_ARG,
  },
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const { name, client } = await clientFor(ctx, args.host);
    ctx.progress(`reading versions from ${name}`);
    const ms = await managementServerVersion(client);
    const version = args.version !== undefined && args.version !== "" ? args.version : ms.version;
    if (version === undefined) throw new StepFailedError(`${name} does not say its version: give the version to prove (version:)`);
    const systemVms = await listSystemVms(client);
    const routers = await listRouters(client);
    const hosts = [...(await client.listAll('listHosts', { type: 'Routing' }, { objectName: 'host' })).items]
      .filter((h: Row) => String(h['hypervisor'] ?? 'KVM').toUpperCase() === 'KVM');
    ctx.progress('probing the integration port of every management server');
    const ask = targetHost(ctx, args.host);
    const port = args.port ?? ctx.inventory.hosts.get(ask)?.cloudstack?.integrationPort ?? DEFAULT_INTEGRATION_PORT;
    const ports = await inspectPort(ctx, args.host, serverHosts(ctx, args.servers), port);
    const proof = judge(version, { systemVms, routers, hosts, servers: ports.servers });
    const at = new Date().toISOString();
    const report = writeReport(args.report, proofMarkdown(proof, name, at), { source: name, at, ...proof });
    const result = { ...proof, report };
    const where = report ? ` (report: ${report.md}, ${report.json})` : '';
    if (!proof.done) {
      // one line per way out, naming what it is for (each item's own reason is in the report and the result)
      const byFix = new Map<string, string[]>();
      for (const i of proof.not_done) byFix.set(i.fix ?? '', [...(byFix.get(i.fix ?? '') ?? []), `${i.kind} ${i.name}`]);
      const names = (xs: string[]): string => (xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
      const lines = [...byFix].map(([fix, xs]) => `${names(xs)} → ${fix}`);
      throw new StepFailedError(`the upgrade to ${version} is not done: ${proof.not_done.length} item(s)${where}; ${lines.join('; ')}`, result);
    }
    const counted = proof.items.length;
    return { changed: false, msg: `the upgrade to ${version} is done: ${counted} item(s) checked${where}${proof.notes.length ? `; ${proof.notes.join('; ')}` : ''}`, result };
  },
});
