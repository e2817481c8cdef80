// Builds a World from a resolved configuration and a seed: zones with one SSVM and one CPVM, KVM hosts,
// isolated networks, redundant pairs, VPCs with tiers, project networks, or a flat benchmark world.
// Everything is derived from the seed and positions, so the same input always gives the same ids.

import { seededUuid } from '../ids.js';
import { ConfigStore } from './config-table.js';
import type { ResolvedWorldConfig } from './world-config.js';
import { perZone } from './presets.js';
import { setTraits } from './traits.js';
import type { Account, Domain, HypervisorHost, Network, Router, SystemVm, Vpc, Zone } from './types.js';
import { World } from './world.js';
import { fullVersion, shippedTemplateVersion, systemTemplateName, trimVersion } from './versions.js';
import { LabConfigError, type ResolvedWorldConfig as WorldCfg } from './world-config.js';
import { managementServerAddresses, managementServerRecord } from './management-servers.js';
import { addInstances } from './instances.js';

const BASE_TIME = Date.UTC(2024, 11, 1, 8, 0, 0);

export interface BuildOptions {
  readonly seed: string | number;
  readonly config: ResolvedWorldConfig;
  /** Address shown as the management server's ipaddress. */
  readonly msAddress: string;
  /** Addresses of mgmt1, mgmt2, … (default: msAddress and the loopback addresses after it). */
  readonly msAddresses?: readonly string[];
}

export function buildWorld(opts: BuildOptions): World {
  const { seed, config: c } = opts;
  const id = (key: string): string => seededUuid(seed, key);
  // what the upgrade to c.version left (SystemVmTemplateRegistration.updateConfigurationParams)
  const shipped = shippedTemplateVersion(c.version);
  const settings: Record<string, string> = { 'minreq.sysvmtemplate.version': shipped, 'router.template.kvm': systemTemplateName(shipped), ...c.settings };
  const store = new ConfigStore(settings);
  const root: Domain = { id: id('domain:ROOT'), internalId: 1, name: 'ROOT', path: 'ROOT' };
  const system: Account = { id: id('account:system'), internalId: 1, name: 'system', domainId: root.id, type: 'system' };
  const admin: Account = { id: id('account:admin'), internalId: 2, name: 'admin', domainId: root.id, type: 'admin' };
  const msAddresses = managementServerAddresses(opts.msAddress, c.managementServers, opts.msAddresses);
  const world = new World(
    seed,
    managementServerRecord(seed, 1, msAddresses[0]!, c.version),
    c.oldVersion,
    store,
    root,
    system,
    admin,
  );
  for (let i = 2; i <= c.managementServers; i++) world.managementServers.push(managementServerRecord(seed, i, msAddresses[i - 1]!, c.version));
  const tenants: Account[] = [];
  for (let i = 1; i <= 3; i++) {
    const a: Account = { id: id(`account:tenant${i}`), internalId: 2 + i, name: `tenant${i}`, domainId: root.id, type: 'user' };
    tenants.push(a);
    world.addAccount(a);
  }
  const prjAccount: Account = { id: id('account:project1'), internalId: 6, name: 'PrjAcct-project1-1', domainId: root.id, type: 'project' };
  world.addAccount(prjAccount);
  world.addProject({ id: id('project:project1'), name: 'project1', accountId: prjAccount.id });
  setTraits(world, { preset: c.preset, backgroundJobs: c.background_jobs, durationsSpread: c.durations_spread });
  const upToDate = new Set(c.upToDate);
  const b = new Builder(world, seed, upToDate);
  world.factory = b;

  for (let zi = 0; zi < c.zones; zi++) {
    const z = b.zone(zi);
    for (let h = 0; h < c.hostsPerZone; h++) b.host(z, c.agentVersions);
    b.systemVm(z, 'ssvm');
    b.systemVm(z, 'cpvm');
  }
  readinessFacts(world, c, id);
  if (c.bench) {
    // Spread networks over zones and routers over networks as evenly as possible.
    const nets: Network[] = [];
    for (let n = 0; n < c.bench.networks; n++) {
      const z = world.zones[n % world.zones.length]!;
      nets.push(b.network(z, `bench-net-${n + 1}`, tenants[n % tenants.length]!.id, undefined));
    }
    const perNet = new Map<Network, number>();
    for (let r = 0; r < c.bench.routers; r++) {
      const net = nets[r % nets.length]!;
      perNet.set(net, (perNet.get(net) ?? 0) + 1);
    }
    for (const [net, count] of perNet) {
      net.redundant = count > 1;
      for (let k = 0; k < count; k++) b.router(net.zoneId, [net], undefined, net.ownerId, count > 1, k === 0 ? 'PRIMARY' : 'BACKUP');
    }
    return world;
  }
  for (const z of world.zones) {
    const zn = z.index + 1;
    for (let n = 0; n < perZone(c.networks, z.index); n++) {
      const owner = n === 0 ? admin.id : tenants[(n - 1) % tenants.length]!.id;
      const net = b.network(z, `net-z${zn}-${n + 1}`, owner, undefined);
      if (n < perZone(c.ipv6Networks, z.index)) net.ipv6 = true;
      b.router(z.id, [net], undefined, owner, false, 'UNKNOWN');
    }
    for (let n = 0; n < perZone(c.redundantNetworks, z.index); n++) {
      const owner = tenants[(n + 1) % tenants.length]!.id;
      const net = b.network(z, `rnet-z${zn}-${n + 1}`, owner, undefined);
      net.redundant = true;
      b.router(z.id, [net], undefined, owner, true, 'PRIMARY');
      b.router(z.id, [net], undefined, owner, true, 'BACKUP');
    }
    const vpcSpecs: Array<{ name: string; tiers: number; redundant: boolean }> = [];
    for (let n = 0; n < perZone(c.vpcs, z.index); n++) vpcSpecs.push({ name: `vpc-z${zn}-${n + 1}`, tiers: c.vpcTiers, redundant: false });
    for (let n = 0; n < perZone(c.redundantVpcs, z.index); n++) vpcSpecs.push({ name: `rvpc-z${zn}-${n + 1}`, tiers: c.vpcTiers, redundant: true });
    for (let n = 0; n < perZone(c.emptyVpcs, z.index); n++) vpcSpecs.push({ name: `evpc-z${zn}-${n + 1}`, tiers: 0, redundant: false });
    for (const spec of vpcSpecs) {
      const owner = tenants[0]!.id;
      const vpc = b.vpc(z, spec.name, owner, spec.redundant);
      const tiers: Network[] = [];
      for (let t = 0; t < spec.tiers; t++) {
        const tier = b.network(z, `${spec.name}-tier${t + 1}`, owner, vpc.id);
        vpc.tierIds.push(tier.id);
        tiers.push(tier);
      }
      const count = spec.redundant ? 2 : 1;
      for (let k = 0; k < count; k++) {
        const r = b.router(z.id, tiers, vpc.id, owner, spec.redundant, spec.redundant ? (k === 0 ? 'PRIMARY' : 'BACKUP') : 'UNKNOWN');
        vpc.routerIds.push(r.id);
      }
    }
    for (let n = 0; n < perZone(c.projectNetworks, z.index); n++) {
      const net = b.network(z, `prj-net-z${zn}-${n + 1}`, prjAccount.id, undefined);
      b.router(z.id, [net], undefined, prjAccount.id, false, 'UNKNOWN');
    }
  }
  addInstances(world, c.instancesPerNetwork);
  stopVms(world, c.stopped);
  return world;
}

/** VMs that are already down when the lab starts (a site is never all green). */
function stopVms(world: World, names: readonly string[]): void {
  for (const name of names) {
    const vm = world.vmByName(name);
    if (!vm) continue;
    vm.state = 'Stopped';
    if (vm.kind !== 'router') vm.agentState = 'Disconnected';
  }
}

/** Keeps the counters (internal ids, addresses) that make the build deterministic. */
export class Builder {
  private netCount = 0;
  private vpcCount = 0;
  private hostCount = 0;
  private readonly publicCount = new Map<string, number>();

  constructor(
    private readonly world: World,
    private readonly seed: string | number,
    private readonly upToDate: ReadonlySet<string> = new Set(),
  ) {}

  private id(key: string): string {
    return seededUuid(this.seed, key);
  }

  zone(index: number): Zone {
    const n = index + 1;
    const z: Zone = {
      id: this.id(`zone:${n}`), internalId: n, name: `zone${n}`, index,
      podId: this.id(`pod:${n}`), podName: `pod${n}`, clusterId: this.id(`cluster:${n}`), clusterName: `cluster${n}`,
      dns1: '8.8.8.8', dns2: '8.8.4.4', networkDomain: `cs${n}cloud.internal`, created: BASE_TIME,
    };
    this.world.addZone(z);
    return z;
  }

  /** `agentVersions`: hosts whose agent is not at the server's version, by name. */
  host(z: Zone, agentVersions: Readonly<Record<string, string>> = {}): void {
    const n = ++this.hostCount;
    const name = `kvm${String(n).padStart(2, '0')}`;
    this.world.addHost({
      id: this.id(`host:${n}`), internalId: n, name, zoneId: z.id,
      ipAddress: `10.${z.index + 1}.1.${10 + n}`, agentVersion: fullVersion(agentVersions[name] ?? this.world.msVersion), created: BASE_TIME,
    });
  }

  private readonly zoneHosts = new Map<string, HypervisorHost[]>();

  private hostsOf(zoneId: string): HypervisorHost[] {
    let hs = this.zoneHosts.get(zoneId);
    if (!hs || hs.length === 0) this.zoneHosts.set(zoneId, (hs = this.world.hosts.filter((h) => h.zoneId === zoneId)));
    return hs;
  }

  private nextPublic(z: Zone): string {
    const k = (this.publicCount.get(z.id) ?? 0) + 1;
    this.publicCount.set(z.id, k);
    return `10.${100 + z.index}.${Math.floor(k / 250)}.${(k % 250) + 2}`;
  }

  private vmCommon(zoneId: string, name: (n: number) => string, hostIndex: number, forceFresh = false) {
    const n = this.world.nextVmInternalId++;
    const z = this.world.zone(zoneId)!;
    const hosts = this.hostsOf(zoneId);
    const host = hosts[hostIndex % hosts.length]!;
    const a = 1 + Math.floor(n / 250);
    const b = 1 + (n % 250);
    const vmName = name(n);
    const fresh = forceFresh || this.upToDate.has(vmName);
    return {
      id: this.id(`vm:${n}`), internalId: n, name: vmName, zoneId, hostId: host.id, lastHostId: host.id,
      state: 'Running' as const, linkLocalIp: `169.254.${a}.${b}`, linkLocalMac: mac('0e:00:a9:fe', a, b),
      publicIp: this.nextPublic(z), publicMac: mac('1e:00:8f:00', a, b), created: BASE_TIME + n * 60_000,
      template: fresh ? this.world.newTemplate : this.world.oldTemplate,
      scriptsVersion: fresh ? this.world.newScriptsVersion : this.world.oldScriptsVersion,
      patchCount: 0, fresh,
    };
  }

  systemVm(z: Zone, kind: 'ssvm' | 'cpvm', forceFresh = false): SystemVm {
    const c = this.vmCommon(z.id, (n) => `${kind === 'ssvm' ? 's' : 'v'}-${n}-VM`, kind === 'ssvm' ? 0 : 1, forceFresh);
    const { fresh, ...rest } = c;
    const vm: SystemVm = {
      ...rest, kind, agentState: 'Up',
      agentVersion: fresh ? fullVersion(this.world.msVersion) : fullVersion(this.world.oldVersion),
      privateIp: `10.${z.index + 1}.1.${50 + c.internalId % 200}`, privateMac: mac('1e:00:3c:00', 0, c.internalId % 256),
    };
    this.world.addVm(vm);
    return vm;
  }

  network(z: Zone, name: string, ownerId: string, vpcId: string | undefined): Network {
    const k = ++this.netCount;
    const second = 1 + Math.floor(k / 250);
    const third = k % 250;
    const net: Network = {
      id: this.id(`network:${k}`), internalId: 200 + k, name, zoneId: z.id, ownerId, vpcId,
      cidr: `10.${second}.${third}.0/24`, gateway: `10.${second}.${third}.1`, state: 'Implemented', redundant: false,
      routerIds: [], created: BASE_TIME + k * 3_600_000,
    };
    this.world.addNetwork(net);
    return net;
  }

  vpc(z: Zone, name: string, ownerId: string, redundant: boolean): Vpc {
    const k = ++this.vpcCount;
    const v: Vpc = {
      id: this.id(`vpc:${k}`), internalId: k, name, zoneId: z.id, ownerId, cidr: `172.${16 + (k % 16)}.0.0/16`,
      tierIds: [], routerIds: [], redundant, state: 'Enabled', created: BASE_TIME + k * 3_600_000,
    };
    this.world.addVpc(v);
    return v;
  }

  router(zoneId: string, nets: Network[], vpcId: string | undefined, ownerId: string, redundant: boolean,
    state: Router['redundantState'], forceFresh = false): Router {
    const hostIndex = this.world.routers.length;
    const c = this.vmCommon(zoneId, (n) => `r-${n}-VM`, hostIndex, forceFresh);
    const { fresh, ...rest } = c;
    const first = nets[0];
    const r: Router = {
      ...rest, kind: 'router', ownerId, networkIds: nets.map((n) => n.id), vpcId, isRedundant: redundant, redundantState: state,
      softwareVersion: fresh ? fullVersion(this.world.msVersion) : fullVersion(this.world.oldVersion),
      guestIp: first ? (redundant ? first.gateway.replace(/\.1$/, `.${nets[0]!.routerIds.length + 2}`) : first.gateway) : '',
      guestMac: mac('02:00:4c:5e', 0, c.internalId % 256), healthChecksFailed: false,
    };
    for (const n of nets) n.routerIds.push(r.id);
    this.world.addVm(r);
    return r;
  }
}

function mac(prefix: string, a: number, b: number): string {
  const h = (x: number): string => (x & 0xff).toString(16).padStart(2, '0');
  return `${prefix}:${h(a)}:${h(b)}`;
}

/**
 * What a readiness check reads. Image stores per zone and the system VM templates on them: the old one and the one the release ships,
 * Ready on every store of every zone, then those the world adds (a spec named like one of them replaces
 * it). Unknown zone or host names in the world file are its author's mistake, named.
 */
function readinessFacts(world: World, c: WorldCfg, id: (key: string) => string): void {
  const problems: string[] = [];
  for (const h of Object.keys(c.agentVersions)) if (!world.hosts.some((x) => x.name === h)) problems.push(`world.agentVersions.${h}: no such host (hosts: ${world.hosts.map((x) => x.name).join(', ')})`);
  for (const z of world.zones) {
    for (let k = 1; k <= c.imageStoresPerZone; k++) {
      world.imageStores.push({ id: id(`store:${z.index}:${k}`), name: `nfs-${z.name}-${k}`, zoneId: z.id, url: `nfs://10.${z.index + 1}.0.${200 + k}/export/secondary` });
    }
  }
  const copies = (zones: readonly string[] | undefined, stores: 'all' | 'first', state: 'Ready' | 'Downloading' | 'Failed') =>
    world.zones.filter((z) => zones === undefined || zones.includes(z.name)).flatMap((z) => {
      const inZone = world.imageStores.filter((s) => s.zoneId === z.id);
      return (stores === 'first' ? inZone.slice(0, 1) : inZone).map((s) => ({ storeId: s.id, state, percent: state === 'Ready' ? 100 : state === 'Downloading' ? 42 : 0 }));
    });
  for (const t of [world.oldTemplate, world.newTemplate]) {
    if (world.templates.some((x) => x.name === t.name)) continue;
    world.templates.push({ id: t.id, name: t.name, version: t.version, type: 'SYSTEM', created: BASE_TIME, copies: copies(undefined, 'all', 'Ready') });
  }
  c.systemTemplates.forEach((spec, i) => {
    for (const z of spec.zones ?? []) if (!world.zones.some((x) => x.name === z)) problems.push(`world.systemTemplates[${i}].zones: no zone ${z} (zones: ${world.zones.map((x) => x.name).join(', ')})`);
    const name = spec.name ?? systemTemplateName(spec.version);
    // a spec named like the old or the shipped template replaces it; two specs of one name are two registrations
    const at = world.templates.findIndex((x) => x.name === name && (x.id === world.oldTemplate.id || x.id === world.newTemplate.id));
    const record = {
      id: at >= 0 ? world.templates[at]!.id : id(`template:registered:${i}:${name}`), name, version: trimVersion(spec.version),
      type: at >= 0 ? world.templates[at]!.type : 'USER' as const, created: BASE_TIME + (i + 1) * 3_600_000, copies: copies(spec.zones, spec.stores ?? 'all', spec.state ?? 'Ready'),
    };
    if (at >= 0) world.templates[at] = record;
    else world.templates.push(record);
  });
  world.offeringMemory = c.systemOfferingMemory;
  world.msFreeDiskGiB = c.msFreeDiskGiB;
  world.dbBackup = c.dbBackup;
  if (problems.length > 0) throw new LabConfigError(problems);
}
