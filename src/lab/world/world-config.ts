// Shape and validation of the world part of a lab YAML file (and of LabOptions.config). Every problem
// is collected and reported at once, with the offending key named.

import { perZoneProblem, PRESET_NAMES, PRESETS, realismProblems, type PerZone, type PresetName, type PresetValues } from './presets.js';

export interface WorldConfig {
  /** Base layout and behaviour, default `production` (see presets.ts); the keys below override it. */
  readonly preset?: PresetName;
  /** Management-server version, default 4.20.1.0. `4.21.0.0` switches job JSON to the 4.21 order. */
  readonly version?: string;
  /** Template version of the VMs that exist before the upgrade, default 4.19.0. */
  readonly oldVersion?: string;
  readonly zones?: number;
  readonly hostsPerZone?: number;
  /** Isolated, non-redundant networks per zone (the first one is owned by the admin account). */
  readonly networks?: PerZone;
  /** Isolated networks with a PRIMARY/BACKUP router pair, per zone. */
  readonly redundantNetworks?: PerZone;
  readonly vpcs?: PerZone;
  readonly vpcTiers?: number;
  /** VPCs with a redundant router pair, per zone (in addition to `vpcs`). */
  readonly redundantVpcs?: PerZone;
  /** VPCs without tiers (restartVPC livepatch does not patch their router), per zone. */
  readonly emptyVpcs?: PerZone;
  /** Isolated networks owned by a project, per zone. */
  readonly projectNetworks?: PerZone;
  /** Isolated networks with IPv6 (the first ones of each zone), per zone. */
  readonly ipv6Networks?: PerZone;
  /** Names of VMs that are Stopped when the lab starts (e.g. r-20-VM). */
  readonly stopped?: readonly string[];
  /** About this many tenant jobs in flight at any time (0 = an idle cloud). */
  readonly background_jobs?: number;
  /** Spread of operation durations around their nominal value (0 = exact; 0.25 = production). */
  readonly durations_spread?: number;
  /** Names of VMs already on the new template (e.g. s-1-VM). */
  readonly upToDate?: readonly string[];
  /** Initial DB values of configuration settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Benchmark world: `routers` routers spread over `networks` networks; replaces the per-zone counts. */
  readonly bench?: { readonly routers: number; readonly networks: number };
  // -- management-server cluster (lab part: servers and API) --
  /** Management servers sharing the database (mgmt1, mgmt2, …), default 2. */
  readonly managementServers?: number;
  /** One more API address that spreads calls over the servers that are up, default false. */
  readonly loadBalancer?: boolean;
  /** Tenant instances per guest network (listVirtualMachines), default 1; none in a bench world. */
  readonly instancesPerNetwork?: number;
  // -- what an upgrade readiness check reads --
  /** KVM agent versions that differ from the server's, by host name (kvm01: 4.19.1.0). */
  readonly agentVersions?: Readonly<Record<string, string>>;
  /** NFS secondary (image) stores per zone, default 2. */
  readonly imageStoresPerZone?: number;
  /** System VM templates registered besides the old one and the one the server's release ships. */
  readonly systemTemplates?: readonly SystemTemplateSpec[];
  /** Memory (MiB) of the system offerings, by VM kind; default router 512, cpvm 1024, ssvm 1024. */
  readonly systemOfferingMemory?: Readonly<Partial<Record<'router' | 'cpvm' | 'ssvm', number>>>;
  /** Free space (GiB) of each management server's filesystems (df), default 40. */
  readonly msFreeDiskGiB?: number;
  /** A database dump on mgmt1 and its age, default /var/backups/cloudstack/cloud.sql.gz, 6 hours; false: none. */
  readonly dbBackup?: { readonly path?: string; readonly ageHours?: number } | false;
}

/** A system VM template registered in the lab: in every zone (or those named), on every store or the first. */
export interface SystemTemplateSpec {
  readonly version: string;
  /** Registered name, default the one the version's upgrade looks for (systemvm-kvm-4.20.2-x86_64). */
  readonly name?: string;
  /** Zone names (zone1, …), default every zone. */
  readonly zones?: readonly string[];
  /** 'first': only on the first image store of each zone (default 'all'). */
  readonly stores?: 'all' | 'first';
  /** Download state on those stores, default Ready. */
  readonly state?: 'Ready' | 'Downloading' | 'Failed';
}

export interface ResolvedWorldConfig extends PresetValues {
  readonly preset: PresetName;
  readonly version: string;
  readonly oldVersion: string;
  readonly upToDate: readonly string[];
  readonly settings: Readonly<Record<string, string>>;
  readonly bench?: { readonly routers: number; readonly networks: number } | undefined;
  readonly managementServers: number;
  readonly loadBalancer: boolean;
  readonly instancesPerNetwork: number;
  readonly agentVersions: Readonly<Record<string, string>>;
  readonly imageStoresPerZone: number;
  readonly systemTemplates: readonly SystemTemplateSpec[];
  readonly systemOfferingMemory: Readonly<Record<'router' | 'cpvm' | 'ssvm', number>>;
  readonly msFreeDiskGiB: number;
  readonly dbBackup: { readonly path: string; readonly ageHours: number } | false;
}

const DEFAULT_PRESET: PresetName = 'production';

function presetDefaults(preset: PresetName): ResolvedWorldConfig {
  return {
    preset, version: '4.20.1.0', oldVersion: '4.19.0', ...PRESETS[preset], upToDate: [], settings: {},
    // the cluster does not depend on the preset: the classic world is the first world with two servers
    managementServers: 2, loadBalancer: false, instancesPerNetwork: 1,
    agentVersions: {}, imageStoresPerZone: 2, systemTemplates: [], systemOfferingMemory: { router: 512, cpvm: 1024, ssvm: 1024 },
    msFreeDiskGiB: 40, dbBackup: { path: '/var/backups/cloudstack/cloud.sql.gz', ageHours: 6 },
  };
}

export const DEFAULT_WORLD: ResolvedWorldConfig = presetDefaults(DEFAULT_PRESET);

const COUNT_KEYS = ['zones', 'hostsPerZone', 'vpcTiers', 'managementServers', 'instancesPerNetwork', 'imageStoresPerZone', 'msFreeDiskGiB'] as const;
const PER_ZONE_KEYS = ['networks', 'redundantNetworks', 'vpcs', 'redundantVpcs', 'emptyVpcs', 'projectNetworks', 'ipv6Networks'] as const;
const KNOWN = new Set<string>([...COUNT_KEYS, ...PER_ZONE_KEYS, 'preset', 'version', 'oldVersion', 'upToDate', 'settings', 'bench', 'stopped',
  'background_jobs', 'durations_spread', 'loadBalancer', 'agentVersions', 'systemTemplates', 'systemOfferingMemory', 'dbBackup']);
const VERSION_RE = /^\d+\.\d+(\.\d+){0,2}$/;

export class LabConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid lab configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'LabConfigError';
  }
}

/** Validates an untrusted world object (from YAML) and fills defaults. */
export function resolveWorldConfig(input: unknown, where = 'config'): ResolvedWorldConfig {
  if (input === undefined || input === null) return DEFAULT_WORLD;
  const problems: string[] = [];
  if (typeof input !== 'object' || Array.isArray(input)) throw new LabConfigError([`${where}: expected a mapping`]);
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) problems.push(`${where}.${k}: unknown key (known: ${[...KNOWN].join(', ')})`);
  problems.push(...realismProblems(o, where));
  // a benchmark world starts from the idle, exact classic preset unless told otherwise
  const preset = PRESET_NAMES.includes(o.preset as PresetName) ? (o.preset as PresetName) : o.bench !== undefined ? 'classic' : DEFAULT_PRESET;
  const out: Record<string, unknown> = { ...presetDefaults(preset) };
  for (const k of PER_ZONE_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    const bad = perZoneProblem(v);
    if (bad) problems.push(`${where}.${k}: ${bad}`);
    else out[k] = v;
  }
  for (const k of ['stopped', 'background_jobs', 'durations_spread'] as const) if (o[k] !== undefined) out[k] = o[k];
  for (const k of COUNT_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) problems.push(`${where}.${k}: expected a non-negative integer`);
    else out[k] = v;
  }
  for (const k of ['version', 'oldVersion'] as const) {
    const v = o[k];
    if (v === undefined) continue;
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !VERSION_RE.test(s)) problems.push(`${where}.${k}: expected a version like 4.20.1.0`);
    else out[k] = s;
  }
  if (o.upToDate !== undefined) {
    if (!Array.isArray(o.upToDate) || !o.upToDate.every((x) => typeof x === 'string')) problems.push(`${where}.upToDate: expected a list of VM names`);
    else out.upToDate = o.upToDate;
  }
  if (o.settings !== undefined) {
    if (typeof o.settings !== 'object' || o.settings === null || Array.isArray(o.settings)) problems.push(`${where}.settings: expected a mapping`);
    else out.settings = Object.fromEntries(Object.entries(o.settings).map(([k, v]) => [k, String(v)]));
  }
  if (o.bench !== undefined) {
    const b = o.bench as Record<string, unknown> | null;
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
    if (typeof b !== 'object' || b === null || !ok(b.routers) || !ok(b.networks)) problems.push(`${where}.bench: expected { routers: N, networks: M } with positive integers`);
    else out.bench = { routers: b.routers, networks: b.networks };
  }
  if (o.loadBalancer !== undefined) {
    if (typeof o.loadBalancer !== 'boolean') problems.push(`${where}.loadBalancer: expected true or false`);
    else out.loadBalancer = o.loadBalancer;
  }
  problems.push(...readinessProblems(o, out, where));
  if ((out.managementServers as number) < 1) problems.push(`${where}.managementServers: at least one management server is needed`);
  if ((out.zones as number) < 1) problems.push(`${where}.zones: at least one zone is needed`);
  if ((out.hostsPerZone as number) < 1) problems.push(`${where}.hostsPerZone: at least one host per zone is needed`);
  if (problems.length) throw new LabConfigError(problems);
  return out as unknown as ResolvedWorldConfig;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TEMPLATE_KEYS = new Set(['version', 'name', 'zones', 'stores', 'state']);

/** The keys a readiness check reads: each problem named, the valid values copied into `out`. */
function readinessProblems(o: Record<string, unknown>, out: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  if (o.agentVersions !== undefined) {
    if (!isMapping(o.agentVersions) || !Object.values(o.agentVersions).every((v) => typeof v === 'string' && VERSION_RE.test(v))) {
      problems.push(`${where}.agentVersions: expected host names mapped to versions (kvm01: 4.19.1.0)`);
    } else out.agentVersions = o.agentVersions;
  }
  if (o.systemTemplates !== undefined) {
    const list = o.systemTemplates;
    if (!Array.isArray(list)) problems.push(`${where}.systemTemplates: expected a list of { version, name?, zones?, stores?, state? }`);
    else {
      list.forEach((t: unknown, i) => {
        const at = `${where}.systemTemplates[${i}]`;
        if (!isMapping(t)) return problems.push(`${at}: expected a mapping`);
        for (const k of Object.keys(t)) if (!TEMPLATE_KEYS.has(k)) problems.push(`${at}.${k}: unknown key (known: ${[...TEMPLATE_KEYS].join(', ')})`);
        if (typeof t.version !== 'string' || !VERSION_RE.test(t.version)) problems.push(`${at}.version: expected a version like 4.20.2`);
        if (t.name !== undefined && typeof t.name !== 'string') problems.push(`${at}.name: expected a string`);
        if (t.zones !== undefined && (!Array.isArray(t.zones) || !t.zones.every((z) => typeof z === 'string'))) problems.push(`${at}.zones: expected a list of zone names`);
        if (t.stores !== undefined && t.stores !== 'all' && t.stores !== 'first') problems.push(`${at}.stores: expected all or first`);
        if (t.state !== undefined && !['Ready', 'Downloading', 'Failed'].includes(t.state as string)) problems.push(`${at}.state: expected Ready, Downloading or Failed`);
        return undefined;
      });
      out.systemTemplates = list;
    }
  }
  if (o.systemOfferingMemory !== undefined) {
    const m = o.systemOfferingMemory;
    const ok = isMapping(m) && Object.entries(m).every(([k, v]) => ['router', 'cpvm', 'ssvm'].includes(k) && typeof v === 'number' && Number.isInteger(v) && v > 0);
    if (!ok) problems.push(`${where}.systemOfferingMemory: expected { router?, cpvm?, ssvm? } in MiB`);
    else out.systemOfferingMemory = { ...(out.systemOfferingMemory as object), ...m };
  }
  if (o.dbBackup !== undefined) {
    const b = o.dbBackup;
    const ok = b === false || (isMapping(b) && Object.keys(b).every((k) => k === 'path' || k === 'ageHours')
      && (b.path === undefined || (typeof b.path === 'string' && b.path.startsWith('/')))
      && (b.ageHours === undefined || (typeof b.ageHours === 'number' && b.ageHours >= 0)));
    if (!ok) problems.push(`${where}.dbBackup: expected false or { path?: /absolute/path, ageHours?: N }`);
    else out.dbBackup = b === false ? false : { ...(out.dbBackup as object), ...(b as object) };
  }
  return problems;
}
