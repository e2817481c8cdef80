// The World: indexed collections of the lab's entities plus the version facts the management server
// derives from them (requiresupgrade, current template). Mutated only by the job engine and lifecycle.

import { seededHex, seededUuid } from '../ids.js';
import type { ConfigStore } from './config-table.js';
import type { Account, Domain, HypervisorHost, ImageStore, Network, Owner, Project, RegisteredTemplate, Router, SystemVm, Template, Vm, Vpc, Zone } from './types.js';
import type { UserVm } from './instances.js';
import { DEFAULT_WORLD, type ResolvedWorldConfig } from './world-config.js';
import { compareVersions, fullVersion, shippedTemplateVersion, systemTemplateName, trimVersion } from './versions.js';

/** A row of the mshost table: one management server of the cluster (mgmt1, mgmt2, …). */
export interface ManagementServerRecord {
  readonly id: string;
  /** mshost.id, the DB id (1, 2, …). */
  readonly internalId: number;
  /** mshost.msid: the node id jobs and agents are tagged with (derived from a MAC address on a real host). */
  readonly msid: number;
  readonly name: string;
  readonly ipAddress: string;
  readonly version: string;
  readonly created: number;
}

/** Creates VMs after the initial build (restart with cleanup deploys new routers; destroy re-creates SSVM/CPVM). */
export interface RouterFactory {
  systemVm(z: Zone, kind: 'ssvm' | 'cpvm', forceFresh?: boolean): SystemVm;
  router(zoneId: string, nets: Network[], vpcId: string | undefined, ownerId: string, redundant: boolean,
    state: Router['redundantState'], forceFresh?: boolean): Router;
}

export class World {
  factory?: RouterFactory;
  readonly zones: Zone[] = [];
  readonly hosts: HypervisorHost[] = [];
  readonly systemVms: SystemVm[] = [];
  readonly imageStores: ImageStore[] = [];
  /** System VM templates as registered (listTemplates): the old one, the shipped one, any the world adds. */
  readonly templates: RegisteredTemplate[] = [];
  // what a readiness check reads (buildWorld sets them from the world's config; these are its defaults)
  /** Memory (MiB) of the system offerings by VM kind. */
  offeringMemory: ResolvedWorldConfig['systemOfferingMemory'] = DEFAULT_WORLD.systemOfferingMemory;
  /** Free space of each management server's filesystems (df), GiB. */
  msFreeDiskGiB: number = DEFAULT_WORLD.msFreeDiskGiB;
  /** A database dump on the first management server, dated ageHours before the lab starts. */
  dbBackup: ResolvedWorldConfig['dbBackup'] = DEFAULT_WORLD.dbBackup;
  readonly routers: Router[] = [];
  readonly networks: Network[] = [];
  readonly vpcs: Vpc[] = [];
  readonly domains = new Map<string, Domain>();
  readonly accounts = new Map<string, Account>();
  readonly projects = new Map<string, Project>();
  /** Every management server of the cluster, mgmt1 first (`ms` is mgmt1). */
  readonly managementServers: ManagementServerRecord[] = [];
  /** Tenant instances (listVirtualMachines); system VMs and routers are not in this list. */
  readonly userVms: UserVm[] = [];
  private readonly vmIndex = new Map<string, Vm>();
  private readonly vmByInternal = new Map<number, Vm>();
  private readonly netIndex = new Map<string, Network>();
  private readonly vpcIndex = new Map<string, Vpc>();
  private readonly zoneIndex = new Map<string, Zone>();
  private readonly hostIndex = new Map<string, HypervisorHost>();
  nextVmInternalId = 1;
  readonly newTemplate: Template;
  readonly oldTemplate: Template;
  readonly newScriptsVersion: string;
  readonly oldScriptsVersion: string;

  constructor(
    readonly seed: string | number,
    readonly ms: ManagementServerRecord,
    readonly oldVersion: string,
    readonly config: ConfigStore,
    readonly rootDomain: Domain,
    readonly systemAccount: Account,
    readonly adminAccount: Account,
  ) {
    const newV = trimVersion(ms.version);
    // the template the release ships lags the release (4.21.0 ships 4.20.2): versions.ts
    const shipped = shippedTemplateVersion(ms.version);
    this.newTemplate = { id: seededUuid(seed, `template:${shipped}`), name: systemTemplateName(shipped), version: shipped };
    this.oldTemplate = { id: seededUuid(seed, `template:${oldVersion}`), name: systemTemplateName(oldVersion), version: trimVersion(oldVersion) };
    this.newScriptsVersion = seededHex('cloud-scripts', newV);
    this.oldScriptsVersion = seededHex('cloud-scripts', trimVersion(oldVersion));
    this.managementServers.push(ms);
    for (const d of [rootDomain]) this.domains.set(d.id, d);
    for (const a of [systemAccount, adminAccount]) this.accounts.set(a.id, a);
  }

  /** Version of the running management-server code (what a live patch records as softwareversion). */
  get msVersion(): string {
    return this.ms.version;
  }

  addZone(z: Zone): void {
    this.zones.push(z);
    this.zoneIndex.set(z.id, z);
  }

  addHost(h: HypervisorHost): void {
    this.hosts.push(h);
    this.hostIndex.set(h.id, h);
  }

  addVm(vm: Vm): void {
    if (vm.kind === 'router') this.routers.push(vm);
    else this.systemVms.push(vm);
    this.vmIndex.set(vm.id, vm);
    this.vmByInternal.set(vm.internalId, vm);
  }

  /** Removes a VM for good (expunged after destroy, or replaced by a restart with cleanup). */
  removeVm(vm: Vm): void {
    const list: Vm[] = vm.kind === 'router' ? this.routers : this.systemVms;
    const i = list.indexOf(vm);
    if (i >= 0) list.splice(i, 1);
    this.vmIndex.delete(vm.id);
    this.vmByInternal.delete(vm.internalId);
  }

  addNetwork(n: Network): void {
    this.networks.push(n);
    this.netIndex.set(n.id, n);
  }

  addVpc(v: Vpc): void {
    this.vpcs.push(v);
    this.vpcIndex.set(v.id, v);
  }

  addAccount(a: Account): void {
    this.accounts.set(a.id, a);
  }

  addProject(p: Project): void {
    this.projects.set(p.id, p);
  }

  private readonly uuidMemo = new Map<string, string>();

  /** Seeded uuid, memoised: responses ask for the same derived ids again and again. */
  uuid(key: string): string {
    let v = this.uuidMemo.get(key);
    if (v === undefined) this.uuidMemo.set(key, (v = seededUuid(this.seed, key)));
    return v;
  }

  offeringId(kind: 'ssvm' | 'cpvm' | 'router'): string {
    return this.uuid(`offering:${kind}`);
  }

  nicId(vm: Vm, index: number): string {
    return this.uuid(`nic:${vm.internalId}:${index}`);
  }

  offeringIdByName(name: string): string {
    return this.uuid(`offering:${name}`);
  }

  physicalNetworkId(zoneId: string): string {
    return this.uuid(`physical-net:${zoneId}`);
  }

  agentHostId(vm: Vm): string {
    return this.uuid(`agent-host:${vm.internalId}`);
  }

  controlNetworkId(zoneId: string): string {
    return this.uuid(`control-net:${zoneId}`);
  }

  publicNetworkId(zoneId: string): string {
    return this.uuid(`public-net:${zoneId}`);
  }

  vm(id: string): Vm | undefined {
    return this.vmIndex.get(id);
  }

  vmByInternalId(n: number): Vm | undefined {
    return this.vmByInternal.get(n);
  }

  vmByName(name: string): Vm | undefined {
    for (const v of this.vmIndex.values()) if (v.name === name) return v;
    return undefined;
  }

  network(id: string): Network | undefined {
    return this.netIndex.get(id);
  }

  networkByInternalId(n: number): Network | undefined {
    return this.networks.find((x) => x.internalId === n);
  }

  vpc(id: string): Vpc | undefined {
    return this.vpcIndex.get(id);
  }

  zone(id: string): Zone | undefined {
    return this.zoneIndex.get(id);
  }

  host(id: string): HypervisorHost | undefined {
    return this.hostIndex.get(id);
  }

  owner(accountId: string): Owner {
    const account = this.accounts.get(accountId) ?? this.adminAccount;
    const domain = this.domains.get(account.domainId) ?? this.rootDomain;
    if (account.type === 'project') {
      for (const p of this.projects.values()) if (p.accountId === account.id) return { kind: 'project', project: p, account, domain };
    }
    return { kind: 'account', account, domain };
  }

  /**
   * listRouters `requiresupgrade` (DomainRouterJoinDaoImpl): template version at or above the zone's
   * minreq.sysvmtemplate.version, or a software version equal to the running MS version.
   */
  requiresUpgrade(r: Router): boolean {
    if (!r.template.version) return true;
    const min = this.config.getForZone('minreq.sysvmtemplate.version', r.zoneId) ?? '4.10.0';
    if (compareVersions(trimVersion(r.template.version), min) >= 0) return false;
    return r.softwareVersion !== this.msVersion;
  }

  /** Template version below the zone minimum (upgradeRouterTemplate / router.version.check). */
  belowMinimum(r: Router): boolean {
    const min = this.config.getForZone('minreq.sysvmtemplate.version', r.zoneId) ?? '4.10.0';
    return compareVersions(trimVersion(r.template.version), min) < 0;
  }

  /** Applies the effects of booting from the current system VM template (stop+start rebuilds root disk). */
  bootFromNewTemplate(vm: Vm): void {
    vm.template = this.newTemplate;
    vm.scriptsVersion = this.newScriptsVersion;
    if (vm.kind === 'router') vm.softwareVersion = fullVersion(this.msVersion);
    else vm.agentVersion = fullVersion(this.msVersion);
  }
}
