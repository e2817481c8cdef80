// Entry points for `stackplay lab` (foreground lab with fixed ports and lab-only keys, logging every API
// call and host command) and `stackplay lab status` (reads lab.json/state.json of a state directory).
// Commander wiring lives in the CLI; these functions only take options and an output callback.

import fs from 'node:fs';
import path from 'node:path';
import { formatLogEvent } from './log.js';
import { readLabFile } from './lab-file.js';
import { startLab, type Lab, type LabOptions } from './index.js';
import { DEFAULTS } from './options.js';
import type { ServerSnapshot } from './snapshot.js';

/** Fixed development keys used by `stackplay lab` and inventories/lab.yml. LAB-ONLY: never use elsewhere. */
export const LAB_DEV_API_KEY = 'stackplay-lab-api-key-LAB-ONLY-not-a-secret';
export const LAB_DEV_SECRET_KEY = 'stackplay-lab-secret-key-LAB-ONLY-not-a-secret';
export const DEFAULT_STATE_DIR = '.stackplay/lab';

export interface RunLabOptions {
  readonly config?: string;
  readonly apiPort?: number | string;
  readonly sshPort?: number | string;
  readonly speed?: number | string;
  readonly seed?: number | string;
  readonly apiKey?: string;
  readonly secretKey?: string;
  readonly stateDir?: string;
  readonly address?: string;
  /** Stops the lab when aborted; without it the lab stops on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once the lab is up (tests use it to reach the running lab). */
  readonly onReady?: (lab: Lab) => void;
}

const num = (v: number | string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a non-negative number, got ${String(v)}`);
  return n;
};

/** `stackplay lab` defaults, used when neither a flag nor the lab file gives the value. */
export const CLI_DEFAULTS = { apiPort: 8080, sshPort: 2222, speed: DEFAULTS.speed } as const;

/** Options of `stackplay lab`: a flag wins over the lab file, the file over the CLI defaults. */
export function labOptionsFrom(o: RunLabOptions): LabOptions {
  const file = o.config ? readLabFile(o.config) : {};
  const pick = <T>(a: T | undefined, b: T | undefined, c: T): T => a ?? b ?? c;
  return {
    ...file,
    address: o.address ?? file.address ?? '127.0.0.1',
    apiPort: pick(num(o.apiPort, 'api-port'), file.apiPort, CLI_DEFAULTS.apiPort),
    sshPort: pick(num(o.sshPort, 'ssh-port'), file.sshPort, CLI_DEFAULTS.sshPort),
    speed: pick(num(o.speed, 'speed'), file.speed, CLI_DEFAULTS.speed),
    seed: o.seed ?? file.seed ?? 1,
    apiKey: o.apiKey ?? LAB_DEV_API_KEY,
    secretKey: o.secretKey ?? LAB_DEV_SECRET_KEY,
    stateDir: path.resolve(o.stateDir ?? DEFAULT_STATE_DIR),
  };
}

const integration = (p: ServerSnapshot['integrationPort']): string =>
  p.listening ? `listening on ${p.effective}` : `closed (DB value ${p.dbValue ?? 'NULL'}; read at management-server start)`;

export function describeLab(lab: Lab): string[] {
  const w = lab.world;
  const kvm = lab.hosts.filter((h) => h.role === 'kvm').map((h) => `${h.name} ${h.address}:${h.port}`);
  const mgmt = lab.hosts.filter((h) => h.role === 'management').map((h) => `root@${h.address}:${h.port} (${h.name})`);
  const [first, ...others] = lab.servers;
  const st = lab.state().managementServer;
  return [
    `stackplay lab: CloudStack ${w.msVersion} simulator. LAB-ONLY credentials below: never reuse them.`,
    `  API          ${lab.apiUrl}${others.length ? ` (${first!.name})` : ''}`,
    ...others.map((s) => `               ${s.apiUrl} (${s.name})`),
    ...(lab.loadBalancerUrl ? [`  balancer     ${lab.loadBalancerUrl} (spreads calls over the servers that are up)`] : []),
    `  api key      ${lab.apiKey}`,
    `  secret key   ${lab.secretKey}`,
    `  login        admin / ${lab.adminPassword}`,
    `  integration  ${integration(st.integrationPort)}${others.length ? ' (each server reads it at its own start)' : ''}`,
    `  SSH          ${mgmt.length ? mgmt.join(', ') : `root@${lab.address}:${lab.sshPort} (mgmt1)`}${kvm.length ? `; ${kvm.join(', ')}` : ''}`,
    `  host key     ${lab.hostKeyFingerprint}`,
    `  key file     ${lab.privateKeyPath}`,
    `  known_hosts  ${lab.knownHostsPath}`,
    `  inventory    ${lab.inventoryPath}`,
    `  MySQL        ${lab.dbUser} / ${lab.dbPassword}`,
    `  world        ${w.zones.length} zone(s), ${w.hosts.length} KVM host(s), ${w.systemVms.length} system VMs, ${w.routers.length} routers, ` +
      `${w.networks.length} networks, ${w.vpcs.length} VPC(s); lab time runs ${lab.speed}x faster than a real cloud`,
  ];
}

export async function runLab(options: RunLabOptions, out: (line: string) => void): Promise<void> {
  const opts = labOptionsFrom(options);
  const lab = await startLab({ ...opts, onLog: (e) => out(formatLogEvent(e)) });
  for (const line of describeLab(lab)) out(line);
  out('Press Ctrl-C to stop.');
  options.onReady?.(lab);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    if (options.signal) {
      if (options.signal.aborted) return done();
      options.signal.addEventListener('abort', done, { once: true });
    } else {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }
  });
  await lab.stop();
  out('stackplay lab: stopped (all listeners closed).');
}

export interface LabStatus {
  readonly stateDir: string;
  /** True when lab.json names a live process. */
  readonly running: boolean;
  readonly pid?: number | undefined;
  readonly apiUrl?: string | undefined;
  readonly hosts?: ReadonlyArray<{ readonly name: string; readonly address: string; readonly port: number }> | undefined;
  readonly inventoryPath?: string | undefined;
  readonly hostKeyFingerprint?: string | undefined;
  /** Contents of state.json (refreshed by the running lab about once a second). */
  readonly state?: Record<string, unknown> | undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function labStatus(stateDir: string = DEFAULT_STATE_DIR): Promise<LabStatus> {
  const dir = path.resolve(stateDir);
  const read = (f: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const info = read('lab.json');
  const state = read('state.json');
  if (!info) return { stateDir: dir, running: false };
  const pid = typeof info.pid === 'number' ? info.pid : undefined;
  return {
    stateDir: dir, running: pid !== undefined && alive(pid), pid, apiUrl: info.apiUrl as string | undefined,
    hosts: info.hosts as LabStatus['hosts'], inventoryPath: info.inventoryPath as string | undefined,
    hostKeyFingerprint: info.hostKeyFingerprint as string | undefined, state,
  };
}

export function formatLabStatus(s: LabStatus): string[] {
  if (!s.apiUrl) return [`no lab state in ${s.stateDir} (start one with: stackplay lab)`];
  type Ms = { name?: string; state?: string; clusterState?: string; integrationPort?: { dbValue?: string; effective?: number; listening?: boolean } };
  const ms = (s.state?.managementServer ?? {}) as Ms;
  const all = (s.state?.managementServers ?? [ms]) as Ms[];
  const line = (m: Ms): string =>
    `${m.state ?? 'unknown'}${m.clusterState ? ` (${m.clusterState})` : ''}; integration port DB ${m.integrationPort?.dbValue ?? '?'}, ${m.integrationPort?.listening ? `listening on ${m.integrationPort.effective}` : 'closed'}`;
  const routers = (s.state?.routerSummary ?? {}) as { total?: number; requiresUpgrade?: number };
  const runs = (s.state?.sysvmadmRuns ?? []) as Array<{ state: string }>;
  const jobs = (s.state?.jobs ?? []) as Array<{ status: number }>;
  return [
    `lab ${s.running ? `running (pid ${s.pid})` : 'not running (stale state)'} in ${s.stateDir}`,
    `  API          ${s.apiUrl}`,
    `  SSH          ${(s.hosts ?? []).map((h) => `${h.name} ${h.address}:${h.port}`).join(', ')}`,
    `  inventory    ${s.inventoryPath ?? ''}`,
    ...(all.length > 1 ? all.map((m) => `  MS ${(m.name ?? '').padEnd(10)}${line(m)}`) : [`  MS           ${line(ms)}`]),
    `  routers      ${routers.total ?? '?'} total, ${routers.requiresUpgrade ?? '?'} requiring upgrade`,
    `  jobs         ${jobs.filter((j) => j.status === 0).length} pending; sysvmadm runs: ${runs.length} (${runs.filter((r) => r.state === 'running').length} running)`,
  ];
}
