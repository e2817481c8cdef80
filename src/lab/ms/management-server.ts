// One management-server process of the cluster: state running/restarting/stopped, its API and
// integration listeners on its own address, its sessions and its mshost row. Non-dynamic settings
// (integration.api.port among them) are read from the shared DB only when this server starts
// (ApiServer.start() at 4.20.1.0), so updateConfiguration alone never opens or closes a port.

import type { LabCore } from '../core.js';
import { HttpListener, type RequestHandler } from '../api/http-listener.js';
import { SessionStore } from '../api/sessions.js';
import { ApiError, CS } from '../api/errors.js';
import { CONFIG_DEFS } from '../world/config-table.js';
import type { ManagementServerRecord } from '../world/world.js';
import { apiFacts } from '../world/profiles.js';
import { Vfs } from '../host/vfs.js';
import type { TimerHandle } from '../clock.js';
import type { JobSubmitter } from '../jobs/jobs.js';
import type { Cluster } from './cluster.js';

export type MsState = 'running' | 'restarting' | 'stopped';
/** mshost.state (the 4.21 names; before 4.21 PreparingForShutDown is spelled PreparingToShutDown). */
export type MsHostState = 'Up' | 'Down' | 'PreparingForShutDown' | 'ReadyToShutDown' | 'ShuttingDown' | 'PreparingForMaintenance' | 'Maintenance';

/** The mshost state as this release spells it. */
export function stateName(core: LabCore, s: MsHostState): string {
  return s === 'PreparingForShutDown' ? apiFacts(core.world.msVersion).preparingShutdownName : s;
}

/** In-memory flags of the shutdown/maintenance manager of the running process (lost at restart). */
export interface DrainFlags {
  preparingForShutdown: boolean;
  shutdownTriggered: boolean;
  preparingForMaintenance: boolean;
  maintenanceStart: number;
  forcedMaintenance: boolean;
  timer?: TimerHandle | undefined;
}

const LOG_PATH = '/var/log/cloudstack/management/management-server.log';
const noDrain = (): DrainFlags => ({ preparingForShutdown: false, shutdownTriggered: false, preparingForMaintenance: false, maintenanceStart: 0, forcedMaintenance: false });

export interface ServerHandlers {
  readonly api: RequestHandler;
  readonly integration: RequestHandler;
}

export class ManagementServer implements JobSubmitter {
  state: MsState = 'stopped';
  hostState: MsHostState = 'Down';
  /** AsyncJobManagerImpl.asyncJobsEnabled: false while draining for shutdown or maintenance. */
  asyncJobsEnabled = true;
  drain: DrainFlags = noDrain();
  /** Integration port read from the DB at the last start (0 when disabled). */
  effectiveIntegrationPort = 0;
  lastStart = 0;
  lastStop: number | undefined;
  readonly api: HttpListener;
  readonly integration: HttpListener;
  /** The API front itself, for the load balancer to hand calls to. */
  readonly apiHandler: RequestHandler;
  /** The host's files: management-server.log and whatever commands write there. */
  readonly fs = new Vfs();
  /** Jetty sessions live in the process: a restart logs everyone out. */
  sessions = new SessionStore();
  private effective = new Map<string, string | null>();
  private startTimer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];
  private closed = false;
  /** Ends a shutdown grace period early (lab stop: a ManualClock may never reach its end). */
  private endGrace: (() => void) | undefined;

  constructor(
    private readonly core: LabCore,
    readonly cluster: Cluster,
    readonly record: ManagementServerRecord,
    handlers: (self: ManagementServer) => ServerHandlers,
  ) {
    const h = handlers(this);
    this.apiHandler = h.api;
    this.api = new HttpListener(h.api);
    this.integration = new HttpListener(h.integration, true);
  }

  get name(): string {
    return this.record.name;
  }

  get address(): string {
    return this.record.ipAddress;
  }

  get msid(): number {
    return this.record.msid;
  }

  /** Kept for callers that ask whether async commands are taken. */
  get acceptingJobs(): boolean {
    return this.asyncJobsEnabled;
  }

  /** Why this server refuses a new job, as the release words it (see world/profiles.ts jobRefusal). */
  refusal(): ApiError | undefined {
    if (this.asyncJobsEnabled) return undefined;
    const r = apiFacts(this.core.world.msVersion).jobRefusal;
    return new ApiError(r.code, r.text, r.code === 503 ? CS.SERVER_API : CS.CLOUD_RUNTIME);
  }

  /** Setting value as this running server sees it: cached at start for non-dynamic keys. */
  setting(name: string): string | null {
    if (this.effective.has(name)) return this.effective.get(name) ?? null;
    return this.core.world.config.get(name);
  }

  /** First start when the lab comes up: binds the API port (or an ephemeral one) before returning. */
  async boot(apiPort: number): Promise<void> {
    await this.serialize(() => this.doStart(apiPort, true));
  }

  /** `systemctl restart cloudstack-management`: down now, back after the restart delay. */
  restart(): Promise<void> {
    return this.serialize(async () => {
      if (this.core.restartGraceMs > 0 && this.state === 'running') {
        // Shutdown initiated: the API still answers but refuses new async jobs for a while.
        this.asyncJobsEnabled = false;
        await new Promise<void>((resolve) => {
          const h = this.core.time.after(this.core.restartGraceMs, resolve);
          this.endGrace = () => {
            this.core.time.cancel(h);
            resolve();
          };
        });
        this.endGrace = undefined;
      }
      await this.doStop('restarting');
      this.scheduleStart();
    });
  }

  stop(): Promise<void> {
    return this.serialize(async () => {
      this.cancelStart();
      await this.doStop('stopped');
    });
  }

  start(): Promise<void> {
    return this.serialize(async () => {
      if (this.state !== 'stopped') return;
      this.state = 'restarting';
      this.scheduleStart();
    });
  }

  /** Resolves when the server is running (immediately if it is). */
  whenRunning(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Lab shutdown: close everything for good. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.cancelStart();
    this.cancelDrainTimer();
    this.endGrace?.();
    await this.chain.catch(() => undefined);
    await this.api.close();
    await this.integration.close();
    this.state = 'stopped';
  }

  cancelDrainTimer(): void {
    if (this.drain.timer) this.core.time.cancel(this.drain.timer);
    this.drain.timer = undefined;
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private cancelStart(): void {
    if (this.startTimer) this.core.time.cancel(this.startTimer);
    this.startTimer = undefined;
  }

  private scheduleStart(): void {
    this.cancelStart();
    if (this.core.faults.restartNever || this.closed) {
      this.core.emit({ kind: 'ms', time: this.core.time.now(), message: `${this.name}: start hangs (fault restartNever)` });
      return;
    }
    const delay = this.core.faults.restartDelayMs ?? this.core.restartDelayMs;
    this.startTimer = this.core.time.after(delay, () => {
      this.startTimer = undefined;
      void this.serialize(() => this.doStart(this.api.port));
    });
  }

  private async doStop(next: MsState): Promise<void> {
    if (this.state === 'stopped' && next === 'restarting') {
      this.state = next;
      return;
    }
    this.log('INFO  [c.c.s.ManagementServerImpl] (main:null) Stopping management server');
    await this.api.close();
    await this.integration.close();
    this.effectiveIntegrationPort = 0;
    this.sessions = new SessionStore();
    this.cancelDrainTimer();
    const orphans = this.core.jobs.orphanOf(this.msid);
    this.lastStop = this.core.time.now();
    this.state = next;
    // ClusterManagerImpl.stop(): Down, except that 4.21 keeps a server in maintenance in Maintenance.
    const keepMaintenance = apiFacts(this.core.world.msVersion).shutdownApi === 'maintenance' &&
      (this.hostState === 'Maintenance' || this.hostState === 'PreparingForMaintenance');
    this.hostState = keepMaintenance ? 'Maintenance' : 'Down';
    this.cluster.onStopped(this, orphans);
  }

  private async doStart(apiPort: number, booting = false): Promise<void> {
    if (this.closed) return;
    const cfg = this.core.world.config;
    this.effective = new Map(CONFIG_DEFS.filter((d) => !d.isDynamic).map((d) => [d.name, cfg.get(d.name)]));
    await this.api.listen(this.address, apiPort);
    const port = Number.parseInt(this.setting('integration.api.port') ?? '0', 10) || 0;
    this.effectiveIntegrationPort = 0;
    if (port > 0) {
      try {
        await this.integration.listen(this.address, port);
        this.effectiveIntegrationPort = port;
        this.log(`INFO  [c.c.a.ApiServer] (main:null) ApiServer listening on port ${port}`);
      } catch (err) {
        this.log(`ERROR [c.c.a.ApiServer] (main:null) error initializing api server: ${(err as Error).message}`);
      }
    }
    const failed = this.core.jobs.cleanupLeftOverJobs(this.msid);
    this.drain = noDrain();
    this.asyncJobsEnabled = true;
    // ClusterManagerImpl.start() / ManagementServerMaintenanceManagerImpl.start() at 4.21.0.0: a server that
    // was in maintenance comes back in Maintenance and takes no jobs; any other state becomes Up.
    if (this.hostState === 'Maintenance') {
      this.drain.preparingForMaintenance = true;
      this.asyncJobsEnabled = false;
    } else this.hostState = 'Up';
    this.cluster.onStarted(this, failed, booting);
    this.lastStart = this.core.time.now();
    this.state = 'running';
    this.log('INFO  [o.a.c.ServerDaemon] (main:null) Server configuration file found: /etc/cloudstack/management/server.properties');
    this.core.emit({
      kind: 'ms', time: this.core.time.now(),
      message: `${this.name}: running (api ${this.address}:${this.api.port}, integration port ${port > 0 ? (this.effectiveIntegrationPort ? port : `${port} failed to bind`) : 'disabled'}, ${failed.length} left-over job(s) failed)`,
    });
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Process exit after a triggered shutdown (System.exit(0)); systemd does not restart the unit. */
  exit(): Promise<void> {
    return this.stop();
  }

  log(line: string): void {
    const d = new Date(this.core.time.now());
    const ts = d.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    this.fs.append(LOG_PATH, `${ts} ${line}\n`);
  }
}
