// World presets and the realism keys: `production` (the default: a small production site with user jobs and
// stragglers) and `classic` (the lab's first world: one zone, six routers, idle, exact durations). Per-zone
// counts take one number for every zone or a list with one per zone (the last repeats).

export type PerZone = number | readonly number[];
export type PresetName = 'classic' | 'production';

/** The value of a per-zone count for the zone at `index` (0-based). */
export function perZone(v: PerZone, index: number): number {
  return typeof v === 'number' ? v : (v[Math.min(index, v.length - 1)] ?? 0);
}

/** What a preset sets; every key can still be given on its own, and then wins. */
export interface PresetValues {
  readonly zones: number;
  readonly hostsPerZone: number;
  readonly networks: PerZone;
  readonly redundantNetworks: PerZone;
  readonly vpcs: PerZone;
  readonly vpcTiers: number;
  readonly redundantVpcs: PerZone;
  readonly emptyVpcs: PerZone;
  readonly projectNetworks: PerZone;
  /** Isolated networks with IPv6 (the first ones of each zone): their routers run radvd. */
  readonly ipv6Networks: PerZone;
  /** VMs that are Stopped when the lab starts (names). */
  readonly stopped: readonly string[];
  /** About this many tenant jobs (deployVirtualMachine, createSnapshot, …) in flight at any time. */
  readonly background_jobs: number;
  /** Spread (sigma of a log-normal) of operation durations around their nominal value; 0 = exact. */
  readonly durations_spread: number;
}

export const PRESETS: Readonly<Record<PresetName, PresetValues>> = {
  classic: {
    zones: 1, hostsPerZone: 2, networks: 2, redundantNetworks: 1, vpcs: 1, vpcTiers: 2, redundantVpcs: 0, emptyVpcs: 0,
    projectNetworks: 1, ipv6Networks: 0, stopped: [], background_jobs: 0, durations_spread: 0,
  },
  // zone 1: 4 isolated + 2 redundant pairs + a VPC with tiers + a redundant VPC + a VPC without tiers +
  // a project network = 13 routers; zone 2: 4 + 2 pairs + a VPC + a project network = 10; 23 in all,
  // more than ten and not a multiple of ten, so `-t 10` leaves a partial last batch. r-20-VM (a tenant's
  // isolated network in zone 2) is already Stopped, so sysvmadm sees 22.
  production: {
    zones: 2, hostsPerZone: 2, networks: 4, redundantNetworks: 2, vpcs: 1, vpcTiers: 3, redundantVpcs: [1, 0], emptyVpcs: [1, 0],
    projectNetworks: 1, ipv6Networks: [1, 0], stopped: ['r-20-VM'], background_jobs: 3, durations_spread: 0.25,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Checks a per-zone count from YAML: a non-negative integer or a non-empty list of them. */
export function perZoneProblem(v: unknown): string | undefined {
  const ok = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (ok(v)) return undefined;
  if (Array.isArray(v) && v.length > 0 && v.every(ok)) return undefined;
  return 'expected a non-negative integer, or a list with one per zone';
}

/** Validates the realism keys of a world object; problems are collected by the caller. */
export function realismProblems(o: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  if (o.preset !== undefined && !PRESET_NAMES.includes(o.preset as PresetName)) {
    problems.push(`${where}.preset: expected one of ${PRESET_NAMES.join(', ')}`);
  }
  const bj = o.background_jobs;
  if (bj !== undefined && !(typeof bj === 'number' && Number.isFinite(bj) && bj >= 0 && bj <= 1000)) {
    problems.push(`${where}.background_jobs: expected a number of jobs in flight between 0 and 1000`);
  }
  const sp = o.durations_spread;
  if (sp !== undefined && !(typeof sp === 'number' && Number.isFinite(sp) && sp >= 0 && sp <= 2)) {
    problems.push(`${where}.durations_spread: expected a spread between 0 (exact durations) and 2`);
  }
  if (o.stopped !== undefined && !(Array.isArray(o.stopped) && o.stopped.every((x) => typeof x === 'string'))) {
    problems.push(`${where}.stopped: expected a list of VM names`);
  }
  return problems;
}
