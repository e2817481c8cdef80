// Programmatic entry point of the CloudStack lab: startLab() builds a world, starts the management
// server (8080 API + integration port on restart) and the SSH hosts, writes inventory and known_hosts
// into the state directory, and returns a handle to inspect, disturb and stop it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, RealClock, type LabClock } from './clock.js';
import { LabCore } from './core.js';
import type { LabFaults } from './faults.js';
import { makeApiHandler, makeIntegrationHandler } from './api/handler.js';
import type { LabLogEvent } from './log.js';
import { checkLoopback, DEFAULTS, seededKey, type LabOptions } from './options.js';
import { snapshot, type LabStateSnapshot } from './snapshot.js';
import { buildWorld } from './world/build.js';
import { resolveWorldConfig } from './world/world-config.js';
import type { World } from './world/world.js';
import { LabHosts, type HostEndpoint } from './host/lab-hosts.js';
import { StateFiles } from './state-files.js';
import { startBackgroundJobs } from './jobs/background.js';

export type { LabOptions } from './options.js';
export type { LabFaults } from './faults.js';
export type { LabLogEvent } from './log.js';
export type { LabStateSnapshot } from './snapshot.js';
export type { WorldConfig } from './world/world-config.js';
export type { HostEndpoint } from './host/lab-hosts.js';
export { LabConfigError } from './world/world-config.js';
export { ManualClock, RealClock } from './clock.js';
export { formatLogEvent } from './log.js';

export interface Lab {
  readonly apiUrl: string;
  readonly address: string;
  readonly apiPort: number;
  /** SSH port of the management-server host (0 when SSH is off). */
  readonly sshPort: number;
  readonly hosts: readonly HostEndpoint[];
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
  state(): LabStateSnapshot;
  /** URL of the integration port when it is listening. */
  integrationUrl(): string | undefined;
  /**
   * systemctl restart: resolves when the server is back (at once with wait: false or restartNever).
   * With a ManualClock pass wait: false and advance() past the restart delay.
   */
  restartManagementServer(opts?: { readonly wait?: boolean }): Promise<void>;
  stopManagementServer(): Promise<void>;
  startManagementServer(opts?: { readonly wait?: boolean }): Promise<void>;
  /** Advances a ManualClock (throws with a real clock). */
  advance(labMs: number): Promise<void>;
  setFaults(faults: LabFaults): void;
  /** Runs a command on an emulated host (mgmt1, kvm01, …) as an SSH exec would, without SSH. */
  exec(host: string, command: string): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;
  on(event: 'log', listener: (e: LabLogEvent) => void): () => void;
  stop(): Promise<void>;
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const address = options.address ?? DEFAULTS.address;
  checkLoopback(address);
  const seed = options.seed ?? DEFAULTS.seed;
  const speed = options.speed ?? DEFAULTS.speed;
  if (!(speed > 0)) throw new Error('lab speed must be > 0');
  const clock = options.clock ?? new RealClock();
  const worldConfig = resolveWorldConfig(options.version ? { ...options.config, version: options.version } : options.config);
  const world = buildWorld({ seed, config: worldConfig, msAddress: address });
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
  core.attachManagementServer(makeApiHandler(core), makeIntegrationHandler(core));
  const hosts = new LabHosts(core, stateDir);
  const files = new StateFiles(core, stateDir, () => hosts.activity(), options.integrationPort ?? 8096);
  try {
    await core.ms.boot(options.apiPort ?? 0);
    startBackgroundJobs(core);
    if (options.ssh !== false) await hosts.start(options.sshPort ?? 0, options.sshKvmHosts);
    files.writeAll(hosts);
  } catch (err) {
    await hosts.stop();
    await core.ms.shutdown();
    throw err;
  }
  const stopState = core.on(() => files.scheduleState());
  let stopped: Promise<void> | undefined;
  const apiPort = core.ms.api.port;
  const lab: Lab = {
    apiUrl: `http://${address}:${apiPort}/client/api`,
    address, apiPort, sshPort: hosts.mgmtPort, hosts: hosts.endpoints(),
    apiKey: core.settings.apiKey, secretKey: core.settings.secretKey, adminPassword: core.settings.adminPassword,
    dbUser: core.settings.dbUser, dbPassword: core.settings.dbPassword,
    stateDir, inventoryPath: files.inventoryPath, knownHostsPath: files.knownHostsPath, privateKeyPath: hosts.privateKeyPath,
    hostKeyFingerprint: hosts.fingerprint, clock, speed, world,
    state: () => snapshot(core, hosts.activity()),
    integrationUrl: () => (core.ms.integration.isOpen ? `http://${address}:${core.ms.integration.port}/client/api` : undefined),
    async restartManagementServer(opts) {
      await core.ms.restart();
      if (opts?.wait !== false && !core.faults.restartNever) await core.ms.whenRunning();
    },
    stopManagementServer: () => core.ms.stop(),
    async startManagementServer(opts) {
      await core.ms.start();
      if (opts?.wait !== false && !core.faults.restartNever) await core.ms.whenRunning();
    },
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
        await hosts.stop();
        await core.ms.shutdown();
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
