// The upgrade readiness checks as data: each takes the facts the step read from the cloud and the
// servers, and says pass, warn or fail with the fact that decided it and what to do. Pure: the step
// gathers, this judges (docs/cloudstack-facts.md §11.20 for what an upgrade reads).

import { atLeast, javaMajorOf } from './releases.js';
import { portAbove0, type PortInspection, type ServerPort } from './port-inspect.js';
import { text, type Row } from './queries.js';

export type Verdict = 'pass' | 'warn' | 'fail';

export interface Check {
  readonly check: string;
  readonly status: Verdict;
  /** What decided it, read from the cloud or the host. */
  readonly fact: string;
  /** What to do (absent when nothing is to be done). */
  readonly fix?: string;
}

const list = (xs: readonly string[], max = 6): string => (xs.length > max ? `${xs.slice(0, max).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
const x3 = (v: string): string => v.split('.').slice(0, 3).join('.');

/** A hypervisor (and architecture) with routing hosts, and the template name its upgrade looks for. */
export interface TemplateWant {
  readonly hypervisor: string;
  readonly arch: string;
  readonly name: string | undefined;
}

/**
 * The template under the exact name, READY in every zone and on every image store of each zone. Not
 * registered at all is a warning: the upgrade then registers the template its package carries on each
 * zone's NFS store itself (SystemVmTemplateRegistration.registerTemplates), mounting it from the server.
 */
export function templateCheck(want: TemplateWant, target: string, tv: string, rows: readonly Row[], zones: readonly Row[], stores: readonly Row[]): Check {
  const check = `system VM template (${want.hypervisor}${want.arch !== 'x86_64' ? ` ${want.arch}` : ''})`;
  if (want.name === undefined) {
    return { check, status: 'warn', fact: `stackplay does not know the template name ${target} looks for on ${want.hypervisor}`, fix: 'check the upgrade notes of the release' };
  }
  const exact = rows.filter((r) => r['name'] === want.name);
  if (exact.length === 0) {
    const near = [...new Set(rows.map((r) => text(r['name'])).filter((n) => n.toLowerCase() === want.name!.toLowerCase() || n.includes(x3(tv))))];
    const seen = near.length > 0 ? `; registered under other names: ${list(near)} (the upgrade looks for the exact name and ignores them)` : '';
    return {
      check, status: 'warn',
      fact: `${want.name} is not registered${seen}: the upgrade to ${target} then registers the template its package carries on the NFS store of each zone, mounting it from the management server (sudo mount -t nfs)`,
      fix: `register ${want.name} (template version ${tv}) for every zone beforehand and run this check again to see it READY everywhere, or make sure every management server can mount each zone's NFS secondary store`,
    };
  }
  // the upgrade takes the latest registration of the name (VMTemplateDao.findLatestTemplateByName): a zone that
  // holds only an older one of the same name gets no system VM template
  const ids = [...new Set(exact.map((r) => text(r['id'])))];
  const latest = exact.reduce((a, b) => (text(b['created'], '') > text(a['created'], '') ? b : a))['id'];
  const used = exact.filter((r) => r['id'] === latest);
  const problems: string[] = [];
  if (ids.length > 1) problems.push(`registered ${ids.length} times under that name: the upgrade takes only the latest (${text(latest)})`);
  let storeCount = 0;
  for (const z of zones) {
    const zid = z['id'];
    const zname = text(z['name']);
    const inZone = used.filter((r) => r['zoneid'] === zid);
    if (inZone.length === 0) {
      problems.push(`not in zone ${zname}`);
      continue;
    }
    if (!inZone.some((r) => r['isready'] === true)) {
      problems.push(`not READY in zone ${zname} (${text(inZone[0]!['status'], 'no status')})`);
      continue;
    }
    const details = inZone.flatMap((r) => (Array.isArray(r['downloaddetails']) ? (r['downloaddetails'] as Row[]) : []));
    if (details.length === 0) continue; // before 4.15 listTemplates does not say which store holds what
    for (const s of stores.filter((st) => st['zoneid'] === zid && st['readonly'] !== true)) {
      storeCount++;
      const d = details.find((x) => x['datastore'] === s['name']);
      if (d === undefined) problems.push(`not on image store ${text(s['name'])} (zone ${zname})`);
      else if (d['downloadState'] !== 'DOWNLOADED') problems.push(`on image store ${text(s['name'])} (zone ${zname}) ${text(d['downloadState'])} at ${text(d['downloadPercent'], '0')}%`);
    }
  }
  if (problems.length > 0) {
    return {
      check, status: 'fail', fact: `${want.name}: ${problems.join('; ')}`,
      fix: 'register the template once for every zone (or copyTemplate it to the zones it misses; delete the other registrations of the name) and wait until it is READY on every image store; a zone without it cannot deploy system VMs or routers after the upgrade (apache/cloudstack#6166)',
    };
  }
  return { check, status: 'pass', fact: `${want.name} READY in ${zones.length} zone(s)${storeCount > 0 ? ` and on ${storeCount} image store(s)` : ''}` };
}

/** The upgrade sets the global value to the template version; a zone's own value stays as it is. */
export function minreqCheck(tv: string, global: string | null, zoneValues: ReadonlyArray<{ readonly zone: string; readonly value: string | null }>): Check {
  const check = 'minreq.sysvmtemplate.version';
  const above = [...(global !== null && atLeast(global, tv) && x3(global) !== x3(tv) ? [`global ${global}`] : []),
    // a zone without its own value shows the global one (ConfigKey.valueIn): named once, as global
    ...zoneValues.filter((z) => z.value !== null && z.value !== global && atLeast(z.value, tv) && x3(z.value) !== x3(tv)).map((z) => `zone ${z.zone} ${z.value}`)];
  if (above.length > 0) {
    return { check, status: 'fail', fact: `above the template version ${tv}: ${above.join(', ')}: every router, even one on the new template, would require an upgrade and refuse commands (apache/cloudstack#12211)`, fix: `set it to ${tv} (updateConfiguration name=minreq.sysvmtemplate.version value=${tv}, with zoneid= for a zone's own value)` };
  }
  const own = zoneValues.filter((z) => z.value !== null && z.value !== global);
  if (own.length > 0) {
    return { check, status: 'warn', fact: `zones with their own value: ${own.map((z) => `${z.zone} ${z.value}`).join(', ')}; the upgrade rewrites only the global value (${global ?? 'unset'} → ${tv})`, fix: `after the upgrade set each zone's value to ${tv} too, or reset it to the global one` };
  }
  return { check, status: 'pass', fact: `global ${global ?? 'unset'}; the upgrade sets it to ${tv}` };
}

/** Which routers a live patch can bring to the target (docs/cloudstack-facts.md §6.5). */
export function livePatchCheck(target: string, routers: readonly Row[]): Check {
  const check = 'live patch';
  if (!atLeast(target, '4.17')) return { check, status: 'warn', fact: `${target} has no live patch (4.17 and later): every system VM and router must be restarted`, fix: 'cloudstack/systemvm-restart' };
  const running = routers.filter((r) => r['state'] === 'Running');
  const byVersion = new Map<string, string[]>();
  for (const r of running) byVersion.set(text(r['version'], 'UNKNOWN'), [...(byVersion.get(text(r['version'], 'UNKNOWN')) ?? []), text(r['name'])]);
  const old = [...byVersion].filter(([v]) => v === 'UNKNOWN' || !atLeast(v, '4.14'));
  const vpn = [...byVersion].filter(([v]) => v !== 'UNKNOWN' && atLeast(v, '4.14') && !atLeast(v, '4.15'));
  const seen = [...byVersion].map(([v, rs]) => `${v} (${rs.length})`).join(', ') || 'none Running';
  if (old.length > 0) {
    return { check, status: 'warn', fact: `routers on templates ${seen}; cannot be live-patched (template 4.13 or older, or unknown): ${list(old.flatMap(([, rs]) => rs))}`, fix: 'restart those routers instead (cloudstack/systemvm-restart); live-patch the others after the KVM hosts are upgraded (cloudstack/systemvm-live-patch)' };
  }
  if (vpn.length > 0) {
    return { check, status: 'warn', fact: `routers on templates ${seen}; a 4.14 template live-patches, but its remote-access VPN may break (older strongSwan): ${list(vpn.flatMap(([, rs]) => rs))}`, fix: 'restart the routers that serve remote-access VPN instead of patching them' };
  }
  return { check, status: 'pass', fact: `routers on templates ${seen}: every one can be live-patched to ${target} (cloudstack/systemvm-live-patch; on KVM the patch comes from the host's package, so upgrade the hosts first)` };
}

export interface ServerFacts {
  readonly host: string;
  /** Smallest free space of /, /usr, /var and /tmp, KiB; undefined when it could not be read. */
  readonly freeKiB?: number | undefined;
  readonly error?: string | undefined;
}

const GiB = 1024 * 1024;

/** JRE 11 up to 4.19, 17 from 4.20: the server's package pulls the new JRE, but `java` must point to it. */
export function javaCheck(target: string, row: Row | undefined, host: string): Check {
  const check = `Java (${host})`;
  const want = javaMajorOf(target);
  const v = row === undefined ? undefined : row['javaversion'];
  if (typeof v !== 'string' || v === '') return { check, status: 'warn', fact: `${host} does not report its Java version (listManagementServers javaversion)`, fix: `check java -version on it: ${target} runs on JRE ${want}` };
  const major = Number.parseInt(v.replace(/^1\./, ''), 10);
  if (major < want) {
    return { check, status: 'warn', fact: `${host} runs Java ${v}; ${target} runs on JRE ${want} (release notes, compat.rst)`, fix: `the ${target} packages pull JRE ${want}: make it the default java (update-alternatives --config java) before the server starts` };
  }
  return { check, status: 'pass', fact: `${host} runs Java ${v} (${target} needs JRE ${want})` };
}

/** The 4.16+ package carries the system VM templates of every hypervisor; the upgrade needs room for it. */
export function diskCheck(f: ServerFacts): Check {
  const check = `free disk (${f.host})`;
  if (f.freeKiB === undefined) return { check, status: 'warn', fact: `could not read the free space of ${f.host}: ${f.error ?? 'no df output'}`, fix: 'check df on it: the packages and their templates need a few GiB' };
  const gib = (f.freeKiB / GiB).toFixed(1);
  if (f.freeKiB < 2 * GiB) return { check, status: 'fail', fact: `${f.host} has ${gib} GiB free on /, /usr, /var or /tmp`, fix: 'free at least 5 GiB: the packages carry the system VM templates of every hypervisor, and logs grow during the database upgrade' };
  if (f.freeKiB < 5 * GiB) return { check, status: 'warn', fact: `${f.host} has ${gib} GiB free on /, /usr, /var or /tmp`, fix: 'free at least 5 GiB before the upgrade' };
  return { check, status: 'pass', fact: `${f.host}: at least ${gib} GiB free on /, /usr, /var and /tmp` };
}

/** Every KVM agent at the server's version and Up (an older agent may not connect: apache/cloudstack#11917). */
export function kvmAgentsCheck(current: string, target: string, hosts: readonly Row[]): Check {
  const check = 'KVM agents';
  const older = hosts.filter((h) => typeof h['version'] === 'string' && !atLeast(h['version'] as string, current));
  const down = hosts.filter((h) => h['state'] !== 'Up' && h['resourcestate'] !== 'Maintenance');
  if (older.length > 0) {
    return {
      check, status: 'fail', fact: `agents older than the server (${current}): ${list(older.map((h) => `${text(h['name'])} ${text(h['version'])}`))}; an agent older than its server may not connect (apache/cloudstack#11917)`,
      fix: `upgrade cloudstack-agent on those hosts to ${current} first; after the servers, upgrade every agent to ${target}`,
    };
  }
  if (down.length > 0) {
    return { check, status: 'warn', fact: `hosts not Up: ${list(down.map((h) => `${text(h['name'])} ${text(h['state'])}`))}`, fix: 'bring them Up (or into maintenance) first: after the upgrade a host that stays down cannot be told from one the upgrade broke' };
  }
  return { check, status: 'pass', fact: `${hosts.length} KVM agent(s) Up at ${current}; after the servers, upgrade them to ${target}` };
}

/**
 * The mshost rows: servers at different versions (every server must be stopped for a version upgrade:
 * apache/cloudstack#11973), servers Up that the inventory does not name, rows of servers long gone.
 */
export function mshostCheck(servers: readonly ServerPort[], unmapped: ReadonlyArray<{ readonly name: string; readonly state: string }>, rows: readonly Row[]): Check {
  const check = 'management servers (mshost)';
  const up = rows.filter((r) => r['state'] === 'Up');
  const versions = [...new Set(up.map((r) => text(r['version'])))];
  if (versions.length > 1) {
    return { check, status: 'fail', fact: `servers Up at different versions: ${up.map((r) => `${text(r['name'])} ${text(r['version'])}`).join(', ')}`, fix: 'bring every server to one version before the next upgrade; for a version upgrade stop every server, upgrade one, start it, then the others' };
  }
  const strangers = unmapped.filter((u) => u.state !== 'Down');
  if (strangers.length > 0) {
    return { check, status: 'fail', fact: `servers ${strangers.map((u) => `${u.name} (${u.state})`).join(', ')} share the database but are not in the inventory`, fix: 'add them to the inventory: every server must be stopped for a version upgrade, and one left running on the old version meets a database it does not know' };
  }
  const stale = unmapped.filter((u) => u.state === 'Down');
  const down = servers.filter((s) => s.state !== 'Up');
  if (stale.length > 0 || down.length > 0) {
    return {
      check, status: 'warn', fact: [stale.length > 0 ? `rows of servers not in the inventory and Down: ${stale.map((u) => u.name).join(', ')}` : '', down.length > 0 ? `inventory servers not Up: ${down.map((s) => `${s.host} (${s.state})`).join(', ')}` : ''].filter(Boolean).join('; '),
      fix: 'start the inventory servers that are down; a row of a server gone for good can be removed from the mshost table so nobody counts it',
    };
  }
  return { check, status: 'pass', fact: `${rows.length} server(s), all Up at ${versions[0] ?? '?'} and in the inventory` };
}

const MIN_MIB = 512;
const SYSTEM_TYPES = new Set(['domainrouter', 'consoleproxy', 'secondarystoragevm', 'internalloadbalancervm', 'elasticloadbalancervm']);

/** System offerings of at least 512 MiB for the 64-bit template (adminguide/systemvm.rst). */
export function offeringsCheck(offerings: readonly Row[], inUse: ReadonlyMap<string, number>): Check {
  const check = 'system offerings';
  const small = offerings.filter((o) => SYSTEM_TYPES.has(text(o['systemvmtype'])) && typeof o['memory'] === 'number' && (o['memory'] as number) < MIN_MIB);
  const used = small.filter((o) => (inUse.get(text(o['id'])) ?? 0) > 0);
  const describe = (o: Row): string => `${text(o['name'])} (${text(o['systemvmtype'])}, ${text(o['memory'])} MiB${inUse.get(text(o['id'])) ? `, ${inUse.get(text(o['id']))} VM(s)` : ''})`;
  if (used.length > 0) {
    return { check, status: 'fail', fact: `system offerings in use below ${MIN_MIB} MiB: ${used.map(describe).join(', ')}; the 64-bit system VM template needs at least ${MIN_MIB} MiB (adminguide/systemvm.rst; an SSVM short of memory panics at boot, apache/cloudstack#6169)`, fix: `give those VMs an offering of ${MIN_MIB} MiB or more before they restart on the new template (changeServiceForRouter / changeServiceForSystemVm, or the global *.service.offering settings)` };
  }
  if (small.length > 0) return { check, status: 'warn', fact: `unused system offerings below ${MIN_MIB} MiB: ${small.map(describe).join(', ')}`, fix: 'do not give them to system VMs or routers' };
  const sized = offerings.filter((o) => SYSTEM_TYPES.has(text(o['systemvmtype'])));
  return { check, status: 'pass', fact: `${sized.length} system offering(s), every one ${MIN_MIB} MiB or more` };
}

/** ca.plugin.root.auth.strictness: what an agent that fails its certificate after the upgrade needs (apache/cloudstack#8707). */
export function strictnessCheck(value: string | null): Check {
  const check = 'ca.plugin.root.auth.strictness';
  if (value === 'false') {
    return { check, status: 'warn', fact: 'false: agents connect without presenting a client certificate (the value sites upgraded from before 4.11 keep)', fix: 'once every agent holds a certificate (provisionCertificate), set it true and restart the servers; not during the upgrade' };
  }
  return { check, status: 'pass', fact: `${value ?? 'true (default)'}: agents must present a valid certificate; an agent that does not connect after the upgrade for that reason needs provisionCertificate (set it false for that, then true again: apache/cloudstack#8707)` };
}

/** The integration port closed on every server, and no port in the database that the upgrade's restarts would open. */
export function portCheck(p: Pick<PortInspection, 'db_value' | 'open' | 'servers'>): Check {
  const check = 'integration port';
  const { db_value: dbValue, open, servers } = p;
  const inDb = portAbove0(dbValue);
  if (open.length > 0 || inDb) {
    return {
      check, status: 'fail',
      fact: [open.length > 0 ? `listening on ${open.join(', ')}` : '', inDb ? `integration.api.port is ${dbValue} in the database: every server the upgrade restarts opens it` : ''].filter(Boolean).join('; '),
      fix: 'close it first (cloudstack.integration_port state: closed, as cloudstack/systemvm-restart does at its end): the port gives root-admin API access to anyone who reaches it',
    };
  }
  return { check, status: 'pass', fact: `closed on ${servers.map((s) => s.host).join(', ') || 'every server'}; ${dbValue ?? '0'} in the database` };
}

export type BackupFacts =
  | { readonly given: false }
  | { readonly given: true; readonly host: string; readonly path: string; readonly maxAgeS: number; readonly ageS?: number | undefined; readonly size?: number | undefined; readonly error?: string | undefined };

const hours = (s: number): string => (s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** A recent database dump, where the inventory says it is (db_backup). */
export function backupCheck(b: BackupFacts): Check {
  const check = 'database backup';
  if (!b.given) {
    return { check, status: 'warn', fact: 'the inventory does not say where the database backup is', fix: 'set db_backup (a dump file, or a link to the latest one, on the run_on server or db_backup_host) in the inventory; take a dump of the cloud and cloud_usage databases before the upgrade: a failed upgrade is undone by restoring it' };
  }
  const where = `${b.path} on ${b.host}`;
  if (b.ageS === undefined) return { check, status: 'fail', fact: `${where}: ${b.error ?? 'cannot be read'}`, fix: 'take a dump of the cloud and cloud_usage databases (mysqldump) before the upgrade' };
  if (b.size === 0) return { check, status: 'fail', fact: `${where} is empty`, fix: 'take the dump again and check that it completes' };
  if (b.ageS > b.maxAgeS) return { check, status: 'fail', fact: `${where} is ${hours(b.ageS)} old (db_backup_max_age ${hours(b.maxAgeS)})`, fix: 'take a new dump right before the upgrade' };
  return { check, status: 'pass', fact: `${where}, ${hours(Math.max(0, b.ageS))} old, ${b.size ?? '?'} bytes` };
}
