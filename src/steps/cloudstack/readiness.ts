// `cloudstack.upgrade_readiness`: before an upgrade, everything that makes one stop halfway or leave the
// cloud worse, read from the cloud and the management servers, changing nothing: the system VM template
// the target looks for, READY in every zone and on every image store; minreq.sysvmtemplate.version; which
// routers a live patch can reach; each server's Java and free disk; the KVM agents; the mshost rows; the
// system offerings; ca.plugin.root.auth.strictness; the integration port; a recent database backup.

import { DEFAULT_INTEGRATION_PORT, getConfiguration } from '../../cloudstack/helpers.js';
import type { CloudStackClient } from '../../cloudstack/types.js';
import { shellQuote } from '../../util/shell-quote.js';
import { execShell } from '../remote/command.js';
import { arg } from '../schema/arg.js';
import { defineStep, StepFailedError, type StepContext } from '../types.js';
import { clientFor, errorText, HOST_ARG, targetHost } from './common.js';
import { rowOfHost, serverHosts } from './ms-cluster.js';
import { inspectPort } from './port-inspect.js';
import {
  backupCheck, diskCheck, javaCheck, kvmAgentsCheck, livePatchCheck, minreqCheck, mshostCheck, offeringsCheck, portCheck, strictnessCheck,
  templateCheck, type BackupFacts, type Check, type ServerFacts, type TemplateWant,
} from './readiness-checks.js';
import { readinessMarkdown } from './readiness-report.js';
import { atLeast, templateName, templateOfRelease } from './releases.js';
import { listRouters, listSystemVms, managementServerVersion, text, type Row } from './queries.js';
import { writeReport } from './report-file.js';

const all = async (client: CloudStackClient, command: string, params: Record<string, string | boolean>, objectName: string): Promise<Row[]> =>
  [...(await client.listAll(command, params, { objectName })).items];

/** The hypervisors (and architectures) that have routing hosts, each with the template name the target looks for. */
function wanted(hosts: readonly Row[], tv: string): TemplateWant[] {
  const seen = new Map<string, TemplateWant>();
  for (const h of hosts) {
    const hypervisor = text(h['hypervisor'], 'KVM');
    const arch = text(h['arch'], 'x86_64');
    if (hypervisor === 'Simulator') continue;
    seen.set(`${hypervisor}/${arch}`, { hypervisor, arch, name: templateName(tv, hypervisor, arch) });
  }
  return [...seen.values()];
}

/** The smallest free space of the filesystems an upgrade writes to, read with df (no value of ours in the command). */
async function serverFacts(ctx: StepContext, host: string): Promise<ServerFacts> {
  try {
    const t = await ctx.services.ssh(host);
    const r = await execShell(ctx, t, { command: 'df -Pk / /usr /var /tmp' });
    const free = r.stdout.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 6).map((f) => Number(f[3]))
      .filter((n) => Number.isFinite(n));
    if (free.length === 0) return { host, error: r.stderr.trim().split('\n').pop() || `df exited ${r.rc}` };
    return { host, freeKiB: Math.min(...free) };
  } catch (err) {
    return { host, error: errorText(err) };
  }
}

/** The dump's age by the host's own clock (date and stat in one command; the path is quoted, never code). */
async function backupFacts(ctx: StepContext, host: string, path: string, maxAgeMs: number): Promise<BackupFacts> {
  const base = { given: true as const, host, path, maxAgeS: Math.round(maxAgeMs / 1000) };
  try {
    const t = await ctx.services.ssh(host);
    const r = await execShell(ctx, t, { command: `date +%s && stat -c '%Y %s' -- ${shellQuote(path)}` });
    const [now, stat] = r.stdout.trim().split('\n');
    const m = /^(\d+) (\d+)$/.exec(stat?.trim() ?? '');
    if (r.rc !== 0 || m === null || !/^\d+$/.test(now?.trim() ?? '')) return { ...base, error: r.stderr.includes('No such file') ? 'no such file' : (r.stderr.trim().split('\n').pop() || `stat exited ${r.rc}`) };
    return { ...base, ageS: Number(now) - Number(m[1]), size: Number(m[2]) };
  } catch (err) {
    return { ...base, error: errorText(err) };
  }
}

export const upgradeReadinessStep = defineStep({
  name: 'cloudstack.upgrade_readiness',
  summary: 'Before an upgrade: template READY everywhere, minreq, live patch, Java, disk, KVM agents, mshost, offerings, CA strictness, port, backup',
  description:
    'Read-only. For the target release: the system VM template for each hypervisor (and architecture) with routing hosts, '
    + 'registered under the exact name that release looks for (systemvm-kvm-4.19.1 before 4.20, systemvm-kvm-4.20.2-x86_64 from '
    + '4.20; the template version lags the release: docs/cloudstack-facts.md §11.20), READY in every zone and on every image '
    + 'store (not registered at all is a warning: the upgrade registers its own copy); minreq.sysvmtemplate.version (global and '
    + 'per zone); which Running routers a live patch can reach; each management server\'s Java (listManagementServers) and free '
    + 'disk (df over SSH); every KVM agent at the server\'s version and Up; the mshost rows (mixed versions, servers not in the '
    + 'inventory, stale rows); system offerings in use of at least 512 MiB; ca.plugin.root.auth.strictness; the integration port '
    + 'closed on every server and 0 in the database; with `backup`, the dump file on `backup_host` no older than `backup_max_age`. '
    + 'Each check is pass, warn or fail with the fact that decided it and the fix; warnings are also reported as warnings. Fails '
    + 'when any check fails. With `report`, writes `<report>.md` and `<report>.json` (also in a dry run: it only reads).',
  result: {
    version: ['string', 'the target release'],
    template_version: ['string', 'the system VM template version it looks for'],
    ready: ['boolean', 'whether no check failed'],
    checks: ['list', 'every check: `check`, `status` (pass, warn, fail), `fact`, `fix`'],
    failed: ['list', 'the checks that failed'],
    warnings: ['list', 'the checks that warn'],
    report: ['mapping or null', '`md` and `json`: the report files written'],
  },
  args: {
    version: arg.string('the release to upgrade to, e.g. 4.20.3.0 (required)'),
    template_version: arg.string("the system VM template version it registers (default: the one stackplay knows for the release)"),
    servers: arg.list(arg.host('ssh'), 'the management servers (inventory hosts; default: every host with cloudstack: settings)'),
    port: arg.port("the integration port (default: the inventory's integration_port, else 8096)"),
    backup: arg.string('the database dump (or a link to the latest one) to check; empty: the check warns that none is named'),
    backup_host: arg.host('ssh', 'where the dump is (default: the management server asked)'),
    backup_max_age: arg.duration('how old the dump may be (default 24h)'),
    report: arg.string('write the report as <report>.md and <report>.json (a path on the machine running stackplay)'),
    host: HOST_ARG,
  },
  effect: 'read',
  runsOn: 'runner',
  async apply(ctx, args) {
    const target = (args.version ?? '').trim();
    if (target === '') throw new StepFailedError('no target release: give the version to upgrade to (-e target_version=4.20.3.0)');
    const tv = args.template_version !== undefined && args.template_version !== '' ? args.template_version : templateOfRelease(target);
    if (tv === undefined) throw new StepFailedError(`stackplay does not know which system VM template ${target} registers: give it (-e template_version=x.y.z, from the release's upgrade notes)`);
    const { name, client } = await clientFor(ctx, args.host);
    ctx.progress(`reading the cloud from ${name}`);
    const ms = await managementServerVersion(client);
    const current = ms.version ?? target;
    const zones = await all(client, 'listZones', {}, 'zone');
    const hosts = await all(client, 'listHosts', { type: 'Routing' }, 'host');
    const templates = await all(client, 'listTemplates', { templatefilter: 'all', keyword: 'systemvm' }, 'template');
    const stores = await all(client, 'listImageStores', {}, 'imagestore');
    const routers = await listRouters(client);
    const systemVms = await listSystemVms(client);
    const offerings = await all(client, 'listServiceOfferings', { issystem: true }, 'serviceoffering');
    const minreq = (await getConfiguration(client, 'minreq.sysvmtemplate.version'))?.['value'];
    const zoneMinreq = [];
    for (const z of zones) zoneMinreq.push({ zone: text(z['name']), value: nullable((await getConfiguration(client, 'minreq.sysvmtemplate.version', { zoneid: text(z['id']) }))?.['value']) });
    const strictness = nullable((await getConfiguration(client, 'ca.plugin.root.auth.strictness'))?.['value']);

    ctx.progress('probing the integration port and reading each management server');
    const ask = targetHost(ctx, args.host);
    const port = args.port ?? ctx.inventory.hosts.get(ask)?.cloudstack?.integrationPort ?? DEFAULT_INTEGRATION_PORT;
    const serverList = serverHosts(ctx, args.servers);
    const ports = await inspectPort(ctx, args.host, serverList, port);
    // the mshost rows as managementServerVersion read them (it swallows a refusal: then ask again, and fail)
    const rows = ms.servers.length > 0 ? ms.servers : await all(client, 'listManagementServers', {}, 'managementserver');
    const facts: ServerFacts[] = [];
    for (const h of serverList) facts.push(await serverFacts(ctx, h));
    const backup: BackupFacts = args.backup !== undefined && args.backup !== ''
      ? await backupFacts(ctx, args.backup_host ?? ask, args.backup, args.backup_max_age ?? 24 * 3_600_000)
      : { given: false };

    const inUse = new Map<string, number>();
    for (const v of [...routers, ...systemVms]) inUse.set(text(v['serviceofferingid']), (inUse.get(text(v['serviceofferingid'])) ?? 0) + 1);
    const kvm = hosts.filter((h) => text(h['hypervisor'], 'KVM').toUpperCase() === 'KVM');
    const checks: Check[] = [
      ...wanted(hosts, tv).map((w) => templateCheck(w, target, tv, templates, zones, stores)),
      minreqCheck(tv, nullable(minreq), zoneMinreq),
      livePatchCheck(target, routers),
      ...serverList.map((h) => javaCheck(target, rowOfHost(ctx, rows, h), h)),
      ...facts.map(diskCheck),
      kvmAgentsCheck(current, target, kvm),
      mshostCheck(ports.servers, ports.unmapped, rows),
      offeringsCheck(offerings, inUse),
      strictnessCheck(strictness),
      portCheck(ports),
      backupCheck(backup),
    ];
    if (!atLeast(target, current)) checks.unshift({ check: 'target', status: 'fail', fact: `${target} is older than the servers' ${current}`, fix: 'CloudStack does not downgrade: give the release to upgrade to' });
    const failed = checks.filter((c) => c.status === 'fail');
    const warnings = checks.filter((c) => c.status === 'warn');
    // warnings also go to the run's summary; every check is a line of the step's message, in order
    for (const w of warnings) ctx.warn(`${w.check}: ${w.fact}${w.fix ? ` → ${w.fix}` : ''}`);
    const at = new Date().toISOString();
    const body = { source: name, at, version: target, current, template_version: tv, ready: failed.length === 0, checks };
    const report = writeReport(args.report, readinessMarkdown(body), body);
    const result = { version: target, template_version: tv, ready: failed.length === 0, checks, failed, warnings, report };
    const where = report ? ` (report: ${report.md}, ${report.json})` : '';
    const counts = `${checks.length - failed.length - warnings.length} pass, ${warnings.length} warn, ${failed.length} fail`;
    const line = (c: Check): string => `${c.status.toUpperCase()} ${c.check}: ${c.fact}${c.status !== 'pass' && c.fix ? ` → ${c.fix}` : ''}`;
    // not ready: what stops the upgrade and what warns (the passes are counted, and listed in the report)
    if (failed.length > 0) throw new StepFailedError(`not ready for ${target} (template ${tv}): ${counts}${where}\n${[...failed, ...warnings].map(line).join('\n')}`, result);
    return { changed: false, msg: `ready for ${target} (template ${tv}): ${counts}${where}\n${checks.map(line).join('\n')}`, result };
  },
});

function nullable(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
