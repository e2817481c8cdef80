// The management-server process: state running/restarting/stopped, the 8080 API listener and the
// integration-port listener. Non-dynamic settings (integration.api.port among them) are read from the
// DB only when the server starts, so updateConfiguration alone never opens or closes a port.

import type { LabCore } from '../core.js';
import { HttpListener, type RequestHandler } from '../api/http-listener.js';
import { CONFIG_DEFS } from '../world/config-table.js';
import type { TimerHandle } from '../clock.js';

export type MsState = 'running' | 'restarting' | 'stopped';

const LOG_PATH = '/var/log/cloudstack/management/management-server.log';

export class ManagementServer {
  state: MsState = 'stopped';
  /** False during a shutdown grace period: async commands get 503. */
  acceptingJobs = true;
  /** Integration port read from the DB at the last start (0 when disabled). */
  effectiveIntegrationPort = 0;
  lastStart = 0;
  lastStop: number | undefined;
  readonly api: HttpListener;
  readonly integration: HttpListener;
  private effective = new Map<string, string | null>();
  private startTimer: TimerHandle | undefined;
  private graceTimer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly core: LabCore,
    apiHandler: RequestHandler,
    integrationHandler: RequestHandler,
  ) {
    this.api = new HttpListener(apiHandler);
    this.integration = new HttpListener(integrationHandler, true);
  }

  /** Setting value as the running server sees it: cached at start for non-dynamic keys. */
  setting(name: string): string | null {
    if (this.effective.has(name)) return this.effective.get(name) ?? null;
    return this.core.world.config.get(name);
  }

  /** First start when the lab comes up: binds 8080 (or the ephemeral port) before returning. */
  async boot(apiPort: number): Promise<void> {
    await this.serialize(() => this.doStart(apiPort));
  }

  /** `systemctl restart cloudstack-management`: down now, back after the restart delay. */
  restart(): Promise<void> {
    return this.serialize(async () => {
      if (this.core.restartGraceMs > 0 && this.state === 'running') {
        // Shutdown initiated: the API still answers but refuses new async jobs (503) for a while.
        this.acceptingJobs = false;
        await this.core.time.sleep(this.core.restartGraceMs);
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
    if (this.graceTimer) this.core.time.cancel(this.graceTimer);
    await this.chain.catch(() => undefined);
    await this.api.close();
    await this.integration.close();
    this.state = 'stopped';
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
      this.core.emit({ kind: 'ms', time: this.core.time.now(), message: 'start hangs (fault restartNever)' });
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
    const orphans = this.core.jobs.orphanAll();
    this.lastStop = this.core.time.now();
    this.state = next;
    this.core.emit({ kind: 'ms', time: this.core.time.now(), message: `${next === 'stopped' ? 'stopped' : 'restarting'} (listeners closed, ${orphans.length} job(s) interrupted)` });
  }

  private async doStart(apiPort: number): Promise<void> {
    if (this.closed) return;
    const cfg = this.core.world.config;
    this.effective = new Map(CONFIG_DEFS.filter((d) => !d.isDynamic).map((d) => [d.name, cfg.get(d.name)]));
    await this.api.listen(this.core.address, apiPort);
    const port = Number.parseInt(this.setting('integration.api.port') ?? '0', 10) || 0;
    this.effectiveIntegrationPort = 0;
    if (port > 0) {
      try {
        await this.integration.listen(this.core.address, port);
        this.effectiveIntegrationPort = port;
        this.log(`INFO  [c.c.a.ApiServer] (main:null) ApiServer listening on port ${port}`);
      } catch (err) {
        this.log(`ERROR [c.c.a.ApiServer] (main:null) error initializing api server: ${(err as Error).message}`);
      }
    }
    const failed = this.core.jobs.failOrphans();
    this.core.vmOps.afterManagementServerStart();
    this.lastStart = this.core.time.now();
    this.state = 'running';
    this.acceptingJobs = true;
    this.log('INFO  [o.a.c.ServerDaemon] (main:null) Server configuration file found: /etc/cloudstack/management/server.properties');
    this.core.emit({
      kind: 'ms', time: this.core.time.now(),
      message: `running (api port ${this.api.port}, integration port ${port > 0 ? (this.effectiveIntegrationPort ? port : `${port} failed to bind`) : 'disabled'}, ${failed.length} interrupted job(s) failed)`,
    });
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  /** Shutdown grace: the API stays up but refuses new async jobs (503) for labMs. */
  refuseJobsFor(labMs: number): void {
    this.acceptingJobs = false;
    if (this.graceTimer) this.core.time.cancel(this.graceTimer);
    this.graceTimer = this.core.time.after(labMs, () => {
      this.graceTimer = undefined;
      this.acceptingJobs = true;
    });
  }

  private log(line: string): void {
    const d = new Date(this.core.time.now());
    const ts = d.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    this.core.mgmtFs.append(LOG_PATH, `${ts} ${line}\n`);
  }
}
