// Programmatic entry point of the CloudStack lab: startLab() builds a world, starts its management servers
// (API port each, integration port when the DB says so at their start, optional load balancer) and the SSH
// hosts, writes inventory and known_hosts into the state directory, and returns a handle to inspect,
// disturb and stop it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, RealClock, type LabClock } from './clock.js';
import { LabCore } from './core.js';
import type { LabFaults } from './faults.js';
import { makeApiHandler, makeIntegrationHandler } from './api/handler.js';
import type { LabLogEvent } from './log.js';
import { checkLoopback, DEFAULTS, seededKey, type LabOptions } from './options.js';
import { serverSnapshot, snapshot, type LabStateSnapshot, type ServerSnapshot } from './snapshot.js';
import { buildWorld } from './world/build.js';
import { resolveWorldConfig } from './world/world-config.js';
import { managementServerAddresses } from './world/management-servers.js';
import type { World } from './world/world.js';
import { LabHosts, type HostEndpoint } from './host/lab-hosts.js';
import { StateFiles } from './state-files.js';
import { LoadBalancer } from './ms/load-balancer.js';
import type { ManagementServer } from './ms/management-server.js';
import { startBackgroundJobs } from './jobs/background.js';

export type { LabOptions } from './options.js';
export type { LabFaults } from './faults.js';
export type { LabLogEvent } from './log.js';
export type { LabStateSnapshot, ServerSnapshot } from './snapshot.js';
export type { WorldConfig } from './world/world-config.js';
export type { HostEndpoint } from './host/lab-hosts.js';
export { LabConfigError } from './world/world-config.js';
export { ManualClock, RealClock } from './clock.js';
export { formatLogEvent } from './log.js';
export { PROFILES, profileOf, apiFacts } from './world/profiles.js';

/** One management server of the lab (mgmt1, mgmt2, …): its endpoints and its lifecycle. */
export interface LabServer {
  readonly name: string;
  readonly address: string;
  readonly apiUrl: string;
  /** SSH port of its host (0 when SSH is off). */
  readonly sshPort: number;
  /** URL of its integration port while that listens. */
  integrationUrl(): string | undefined;
  state(): ServerSnapshot;
  /** systemctl restart: resolves when it is back (at once with wait: false, or under restartNever). */
  restart(opts?: { readonly wait?: boolean }): Promise<void>;
  stop(): Promise<void>;
  start(opts?: { readonly wait?: boolean }): Promise<void>;
}

export interface Lab {
  /** mgmt1's API. */
  readonly apiUrl: string;
  readonly address: string;
  readonly apiPort: number;
  /** SSH port of the mgmt1 host (0 when SSH is off). */
  readonly sshPort: number;
  readonly hosts: readonly HostEndpoint[];
  /** Every management server, mgmt1 first. */
  readonly servers: readonly LabServer[];
  /** The load balancer's API URL (world.loadBalancer: true). */
  readonly loadBalancerUrl: string | undefined;
  readonly apiKey: string;
  readonly secretKey: string;
  readonly adminPassword: string;
  readonly dbUser: string;
  readonly dbPassword: string;
  readonly stateDir: string;
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
  readonly privateKeyPath: string;
  readonly hostKeyFingerprint: string;
  readonly clock: LabClock;
  /** Lab time runs this many times faster than real CloudStack durations. */
  readonly speed: number;
  /** The live world (mutable; prefer state() for assertions). */
  readonly world: World;
  /** A management server by name (mgmt1, mgmt2, …); throws for an unknown name. */
  server(name: string): LabServer;
  state(): LabStateSnapshot;
  /** URL of mgmt1's integration port when it is listening. */
  integrationUrl(): string | undefined;
  /** mgmt1: see LabServer.restart. With a ManualClock pass wait: false and advance() past the restart delay. */
  restartManagementServer(opts?: { readonly wait?: boolean }): Promise<void>;
  stopManagementServer(): Promise<void>;
  startManagementServer(opts?: { readonly wait?: boolean }): Promise<void>;
  /** Advances a ManualClock (throws with a real clock). */
  advance(labMs: number): Promise<void>;
  setFaults(faults: LabFaults): void;
  /** Runs a command on an emulated host (mgmt1, mgmt2, kvm01, …) as an SSH exec would, without SSH. */
  exec(host: string, command: string): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;
  on(event: 'log', listener: (e: LabLogEvent) => void): () => void;
  stop(): Promise<void>;
}

function labServer(core: LabCore, hosts: LabHosts, ms: ManagementServer): LabServer {
  const waitUnless = async (opts: { readonly wait?: boolean } | undefined): Promise<void> => {
    if (opts?.wait !== false && !core.faults.restartNever) await ms.whenRunning();
  };
  return {
    name: ms.name, address: ms.address, apiUrl: `http://${ms.address}:${ms.api.port}/client/api`, sshPort: hosts.portOf(ms.name),
    integrationUrl: () => (ms.integration.isOpen ? `http://${ms.address}:${ms.integration.port}/client/api` : undefined),
    state: () => serverSnapshot(core, ms),
    restart: async (opts) => {
      await ms.restart();
      await waitUnless(opts);
    },
    stop: () => ms.stop(),
    start: async (opts) => {
      await ms.start();
      await waitUnless(opts);
    },
  };
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const address = options.address ?? DEFAULTS.address;
  checkLoopback(address);
  const seed = options.seed ?? DEFAULTS.seed;
  const speed = options.speed ?? DEFAULTS.speed;
  if (!(speed > 0)) throw new Error('lab speed must be > 0');
  const clock = options.clock ?? new RealClock();
  const worldConfig = resolveWorldConfig(options.version ? { ...options.config, version: options.version } : options.config);
  // the load balancer takes the address after the last server's
  const addresses = managementServerAddresses(address, worldConfig.managementServers + (worldConfig.loadBalancer ? 1 : 0), options.msAddresses);
  for (const a of addresses) checkLoopback(a);
  const world = buildWorld({ seed, config: worldConfig, msAddress: address, msAddresses: addresses });
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'stackplay-lab-'));
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const core = new LabCore(world, {
    address, clock, speed,
    apiKey: options.apiKey ?? seededKey(seed, 'apikey'),
    secretKey: options.secretKey ?? seededKey(seed, 'secretkey'),
    adminPassword: options.adminPassword ?? DEFAULTS.adminPassword,
    dbUser: options.dbUser ?? DEFAULTS.dbUser,
    dbPassword: options.dbPassword ?? DEFAULTS.dbPassword,
    restartDelayMs: options.restartDelayMs ?? DEFAULTS.restartDelayMs,
    restartGraceMs: options.restartGraceMs ?? DEFAULTS.restartGraceMs,
    durations: { ...options.durations } as LabCore['durations'],
    faults: options.faults ?? {},
  });
  if (options.onLog) core.on(options.onLog);
  core.attachCluster((ms) => ({ api: makeApiHandler(core, ms), integration: makeIntegrationHandler(core, ms) }));
  const lb = worldConfig.loadBalancer ? new LoadBalancer(core) : undefined;
  const hosts = new LabHosts(core, stateDir);
  const files = new StateFiles(core, stateDir, () => hosts.activity(), options.integrationPort ?? 8096);
  const closeAll = async (): Promise<void> => {
    await hosts.stop();
    await lb?.listener.close();
    for (const ms of core.cluster.servers) await ms.shutdown();
  };
  try {
    for (const ms of core.cluster.servers) await ms.boot(options.apiPort ?? 0);
    startBackgroundJobs(core);
    await lb?.listener.listen(addresses[addresses.length - 1]!, options.apiPort ?? 0);
    if (options.ssh !== false) await hosts.start(options.sshPort ?? 0, options.sshKvmHosts);
    files.writeAll(hosts, lb ? `http://${addresses[addresses.length - 1]!}:${lb.listener.port}/client/api` : undefined);
  } catch (err) {
    await closeAll();
    throw err;
  }
  const stopState = core.on(() => files.scheduleState());
  let stopped: Promise<void> | undefined;
  const servers = core.cluster.servers.map((ms) => labServer(core, hosts, ms));
  const primary = servers[0]!;
  const lab: Lab = {
    apiUrl: primary.apiUrl, address, apiPort: core.ms.api.port, sshPort: hosts.mgmtPort, hosts: hosts.endpoints(), servers,
    loadBalancerUrl: lb ? `http://${addresses[addresses.length - 1]!}:${lb.listener.port}/client/api` : undefined,
    apiKey: core.settings.apiKey, secretKey: core.settings.secretKey, adminPassword: core.settings.adminPassword,
    dbUser: core.settings.dbUser, dbPassword: core.settings.dbPassword,
    stateDir, inventoryPath: files.inventoryPath, knownHostsPath: files.knownHostsPath, privateKeyPath: hosts.privateKeyPath,
    hostKeyFingerprint: hosts.fingerprint, clock, speed, world,
    server(name) {
      const s = servers.find((x) => x.name === name);
      if (!s) throw new Error(`no management server named ${name} (servers: ${servers.map((x) => x.name).join(', ')})`);
      return s;
    },
    state: () => snapshot(core, hosts.activity()),
    integrationUrl: () => primary.integrationUrl(),
    restartManagementServer: (opts) => primary.restart(opts),
    stopManagementServer: () => primary.stop(),
    startManagementServer: (opts) => primary.start(opts),
    async advance(labMs) {
      if (!(clock instanceof ManualClock)) throw new Error('advance() needs a ManualClock (LabOptions.clock)');
      await clock.advance(core.time.scale(labMs));
    },
    setFaults: (f) => core.faults.set(f),
    exec: (host, command) => hosts.exec(host, command),
    on: (_event, listener) => core.on(listener),
    stop() {
      stopped ??= (async () => {
        stopState();
        await closeAll();
        core.time.close();
        files.flush();
        // a state directory the lab made for itself goes with it (a given one is the caller's)
        if (options.stateDir === undefined) fs.rmSync(stateDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return lab;
}
