// The lab's in-memory model of a CloudStack deployment: zones, hosts, system VMs, routers, networks,
// VPCs and their owners. Records are mutable inside the lab; responses are rendered from them on demand
// (render-*.ts), so a world of thousands of routers stays cheap to build.

export type VmState = 'Running' | 'Stopped' | 'Starting' | 'Stopping' | 'Destroyed' | 'Expunging' | 'Error';
export type AgentState = 'Up' | 'Connecting' | 'Disconnected' | 'Down';
export type RedundantState = 'UNKNOWN' | 'PRIMARY' | 'BACKUP' | 'FAULT';

export interface Domain {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly path: string;
}

export interface Account {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly domainId: string;
  /** 'admin' is root admin; 'project' marks a project's hidden account. */
  readonly type: 'admin' | 'user' | 'project' | 'system';
}

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
}

export interface Template {
  readonly id: string;
  readonly name: string;
  /** Template version as in /etc/cloudstack-release, x.y.z. */
  readonly version: string;
}

/** An NFS secondary (image) store of a zone (listImageStores). */
export interface ImageStore {
  readonly id: string;
  readonly name: string;
  readonly zoneId: string;
  readonly url: string;
}

/** A registered template as listTemplates shows it: its copies on the image stores (template_store_ref). */
export interface RegisteredTemplate {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** SYSTEM once an upgrade took it; USER as an operator registers it beforehand. */
  readonly type: 'SYSTEM' | 'USER';
  readonly created: number;
  readonly copies: ReadonlyArray<{ readonly storeId: string; readonly state: 'Ready' | 'Downloading' | 'Failed'; readonly percent: number }>;
}

export interface Zone {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly podId: string;
  readonly podName: string;
  readonly clusterId: string;
  readonly clusterName: string;
  readonly dns1: string;
  readonly dns2: string;
  readonly networkDomain: string;
  readonly created: number;
  readonly index: number;
}

export interface HypervisorHost {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly zoneId: string;
  readonly ipAddress: string;
  readonly agentVersion: string;
  readonly created: number;
}

interface VmBase {
  readonly id: string;
  readonly internalId: number;
  name: string;
  readonly zoneId: string;
  hostId: string;
  /** Host the VM last ran on; its link-local address is reachable from there only. */
  lastHostId: string;
  state: VmState;
  readonly linkLocalIp: string;
  readonly linkLocalMac: string;
  readonly publicIp: string;
  readonly publicMac: string;
  readonly created: number;
  template: Template;
  /** sha512 of the installed cloud-scripts (/var/cache/cloud/cloud-scripts-signature). */
  scriptsVersion: string;
  /** id of the job currently acting on the VM, if any. */
  pendingJobId?: string | undefined;
  /** Number of live patches applied, for tests and the state snapshot. */
  patchCount: number;
}

export interface SystemVm extends VmBase {
  readonly kind: 'ssvm' | 'cpvm';
  agentState: AgentState;
  /** Agent version reported on connect (listSystemVms `version`). */
  agentVersion: string;
  readonly privateIp: string;
  readonly privateMac: string;
}

export interface Router extends VmBase {
  readonly kind: 'router';
  readonly ownerId: string;
  /** Guest networks the router serves (one for isolated, the tiers for a VPC router). */
  networkIds: string[];
  readonly vpcId?: string | undefined;
  readonly isRedundant: boolean;
  redundantState: RedundantState;
  /** Version the management server recorded after a live patch (domain_router.software_version). */
  softwareVersion: string;
  readonly guestIp: string;
  readonly guestMac: string;
  healthChecksFailed: boolean;
}

export type Vm = SystemVm | Router;

export interface Network {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly zoneId: string;
  readonly ownerId: string;
  readonly vpcId?: string | undefined;
  readonly cidr: string;
  readonly gateway: string;
  state: 'Implemented' | 'Setup' | 'Allocated' | 'Shutdown';
  redundant: boolean;
  /** Dual stack: the guest network has an IPv6 prefix, so its isolated routers run radvd. */
  ipv6?: boolean | undefined;
  routerIds: string[];
  readonly created: number;
}

export interface Vpc {
  readonly id: string;
  readonly internalId: number;
  readonly name: string;
  readonly zoneId: string;
  readonly ownerId: string;
  readonly cidr: string;
  readonly tierIds: string[];
  routerIds: string[];
  readonly redundant: boolean;
  state: 'Enabled' | 'Inactive';
  readonly created: number;
}

/** Owner of a network/VPC/router: a plain account or a project. */
export type Owner =
  | { readonly kind: 'account'; readonly account: Account; readonly domain: Domain }
  | { readonly kind: 'project'; readonly project: Project; readonly account: Account; readonly domain: Domain };
