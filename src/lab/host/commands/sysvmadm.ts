// cloudstack-sysvmadm as shipped with 4.19.2+/4.20 (docs/cloudstack-facts.md §8): reads the integration port from the
// DB first, talks unauthenticated HTTP to it, stops/starts SSVMs and CPVMs one by one, reboots routers
// in batches of -t, polls jobs every 5 s of lab time by scraping field 7 of the JSON, and always exits 0.
// Its flaws are reproduced on purpose (failures only in text, swallowed errors, the batch-wait hang).

import { Vfs } from '../vfs.js';
import type { CommandImpl, CommandIO, RunContext } from '../shell/types.js';
import type { LabCore } from '../../core.js';
import { checkLogin, runSql } from './db.js';
import { hostFetch } from './lab-http.js';
import { getopts, jobIdOf, statusOf, USAGE, type Opts } from './sysvmadm-opts.js';

export interface SysvmadmRun {
  readonly id: number;
  readonly args: readonly string[];
  state: 'running' | 'done';
  exitCode?: number | undefined;
  logFile: string;
}

export function sysvmadmCommand(core: LabCore, register: (run: SysvmadmRun) => void): CommandImpl {
  let runs = 0;
  return async (argv, io, ctx) => {
    const self = argv[0]!.includes('/') ? argv[0]! : `/usr/bin/${argv[0]!}`;
    const o = getopts(argv, io, self);
    const logPath = Vfs.normalize(o.logFile, ctx.sh.cwd);
    const masked = argv.map((a, i) => (argv[i - 1] === '-p' ? '***' : a.startsWith('-p') && a.length > 2 ? '-p***' : a));
    const run: SysvmadmRun = { id: ++runs, args: masked, state: 'running', logFile: logPath };
    register(run);
    try {
      await new Sysvmadm(core, o, io, ctx, logPath).main(self);
    } finally {
      run.state = 'done';
      run.exitCode = 0;
    }
    return 0;
  };
}

class Sysvmadm {
  private port = '';

  constructor(
    private readonly core: LabCore,
    private readonly o: Opts,
    private readonly io: CommandIO,
    private readonly ctx: RunContext,
    private readonly logPath: string,
  ) {}

  private ts(): string {
    const d = new Date(this.core.time.now());
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}-${p(d.getUTCHours())}.${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
  }

  private log(line: string): void {
    const fs = this.ctx.host.fs;
    const dir = this.logPath.slice(0, this.logPath.lastIndexOf('/')) || '/';
    if (!fs.isDir(dir)) {
      this.io.err(`/usr/bin/cloudstack-sysvmadm: line 1: ${this.o.logFile}: No such file or directory\n`);
      return;
    }
    fs.append(this.logPath, `[${this.ts()}] ${line}\n`);
  }

  /** `mysql -h $db --user=$user --password=$password --skip-column-names -U cloud -e "…"` */
  private query(sql: () => { rows: string[] } | { error: string }): string[] {
    const denied = checkLogin(this.core, { host: this.o.db, user: this.o.user, password: this.o.password || undefined });
    if (denied) {
      this.io.err(denied + '\n');
      return [];
    }
    const r = sql();
    if ('error' in r) {
      this.io.err(r.error + '\n');
      return [];
    }
    return r.rows;
  }

  private vmUuids(type: 'SecondaryStorageVm' | 'ConsoleProxy' | 'DomainRouter', table: string): string[] {
    return this.query(() => {
      if (table !== 'vm_instance') return { error: `ERROR 1146 (42S02) at line 1: Table 'cloud.${table}' doesn't exist` };
      const zone = this.zoneFilter();
      if (zone === 'error') return { error: 'ERROR 1064 (42000) at line 1: You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near \'' + this.o.zone.slice(21) + '\' at line 1' };
      // Only the first comma of -i is turned into "','" (bash ${var/,/…}).
      const i = this.o.vmids.indexOf(',');
      const ids = this.o.vmids ? (i >= 0 ? [this.o.vmids.slice(0, i), this.o.vmids.slice(i + 1)] : [this.o.vmids]) : undefined;
      const w = this.core.world;
      const vms = type === 'DomainRouter' ? w.routers : w.systemVms.filter((v) => (v.kind === 'ssvm') === (type === 'SecondaryStorageVm'));
      return {
        rows: vms.filter((v) => v.state === 'Running' && (zone === undefined || w.zone(v.zoneId)?.internalId === zone) && (!ids || ids.includes(v.id))).map((v) => v.id),
      };
    });
  }

  private zoneFilter(): number | undefined | 'error' {
    if (!this.o.zone) return undefined;
    const v = this.o.zone.slice(' AND data_center_id='.length);
    return /^\d+$/.test(v) ? Number(v) : 'error';
  }

  private async curl(query: string): Promise<string> {
    const r = await hostFetch(this.core, `http://${this.o.ms}:${this.port}/?${query}`);
    if (!r.ok) {
      this.io.err(`curl: (${r.code}) ${r.message}\n`);
      return '';
    }
    return r.body;
  }

  private async queryAsyncJobResult(jobId: string): Promise<string> {
    for (;;) {
      const st = statusOf(await this.curl(`command=queryAsyncJobResult&jobId=${jobId}&response=json`));
      if (st !== '0') return st;
      await this.core.time.sleep(5_000);
    }
  }

  /** send_request: its own ERROR line is captured with the status, so it only reaches the log. */
  private async sendRequest(cmd: string, id: string): Promise<string> {
    const jobId = jobIdOf(await this.curl(`command=${cmd}&id=${id}&response=json`));
    if (jobId === '') return '2';
    const result = await this.queryAsyncJobResult(jobId);
    if (result !== '1') {
      this.log(`ERROR: Failed to ${cmd} id=${id}; jobId is ${jobId}`);
      return `ERROR: Failed to ${cmd} id=${id}; jobId is ${jobId} \n\n${result}`;
    }
    return result;
  }

  async main(self: string): Promise<void> {
    const o = this.o;
    this.port = this.query(() => {
      const r = runSql(this.core, "SELECT value FROM configuration WHERE name='integration.api.port'");
      return r.ok ? { rows: [...r.rows] } : { error: r.error };
    })[0] ?? '';
    if (!/^-?\d+$/.test(this.port) || Number(this.port) <= 0) {
      this.io.out('Integration port is not enabled!\n');
      return;
    }
    if (!(o.system || o.router || o.all || o.help || o.network || o.vpc) || o.help) {
      this.io.err(USAGE(self.slice(self.lastIndexOf('/') + 1)));
      return;
    }
    if (o.all) {
      await this.system();
      await this.routers();
      return;
    }
    if (o.system) await this.system();
    if (o.router) await this.routers();
    if (o.network) await this.batched('networks');
    if (o.vpc) await this.batched('vpcs');
  }

  private async system(): Promise<void> {
    const o = this.o;
    const zi = `${o.inzone}${o.withids}`;
    const ssvms = this.vmUuids('SecondaryStorageVm', o.table);
    const cpvms = this.vmUuids('ConsoleProxy', o.table);
    this.io.out(`\nStopping and starting ${ssvms.length} secondary storage vm(s)${zi}...\n`);
    this.log(`Stopping and starting ${ssvms.length} secondary storage vm(s)${zi}...`);
    for (const d of ssvms) {
      this.log(`INFO: Stopping secondary storage vm with id ${d}`);
      if ((await this.sendRequest('stopSystemVm', d)) !== '1') {
        this.io.out(`ERROR: Failed to stop secondary storage vm with id ${d} \n\n`);
        this.log(`ERROR: Failed to stop secondary storage vm with id ${d}`);
      } else {
        this.log(`INFO: Starting secondary storage vm with id ${d}`);
        if ((await this.sendRequest('startSystemVm', d)) !== '1') {
          this.log(`ERROR: Failed to start secondary storage vm with id ${d}`);
          this.log(`ERROR: Failed to start secondary storage vm with id ${d}`);
        }
      }
    }
    if (ssvms.length === 0) this.io.out('No running secondary storage vms found \n\n');
    else {
      this.io.out(`Done stopping and starting secondary storage vm(s)${zi}\n`);
      this.log(`Done stopping and starting secondary storage vm(s)${zi}.`);
    }
    this.io.out(`\nStopping and starting ${cpvms.length} console proxy vm(s)${zi}...\n`);
    this.log(`Stopping and starting ${cpvms.length} console proxy vm(s)${zi}...`);
    for (const d of cpvms) {
      this.log(`INFO: Stopping console proxy with id ${d}`);
      if ((await this.sendRequest('stopSystemVm', d)) !== '1') {
        this.io.out(`ERROR: Failed to stop console proxy vm with id ${d} \n\n`);
        this.log(`ERROR: Failed to stop console proxy vm with id ${d}`);
      } else {
        this.log(`INFO: Starting console proxy vm with id ${d}`);
        if ((await this.sendRequest('startSystemVm', d)) !== '1') {
          this.io.out(`ERROR: Failed to start console proxy vm with id ${d} \n\n`);
          this.log(`ERROR: Failed to start console proxy vm with id ${d}`);
        }
      }
    }
    if (cpvms.length === 0) this.io.out('No running console proxy vms found \n\n');
    else {
      this.io.out(`Done stopping and starting console proxy vm(s) ${zi}.\n`);
      this.log(`Done stopping and starting console proxy vm(s) ${zi}.`);
    }
  }

  private async routers(): Promise<void> {
    const zi = `${this.o.inzone}${this.o.withids}`;
    const routers = this.vmUuids('DomainRouter', 'vm_instance');
    this.io.out(`\nStopping and starting ${routers.length} running routing vm(s)${zi}... \n`);
    this.log(`Stopping and starting ${routers.length} running routing vm(s)${zi}... `);
    const stuck = await this.inBatches(routers, (id) => this.rebootRouter(id));
    if (routers.length === 0) this.log('No running router vms found \n');
    else {
      await this.waitForever(stuck);
      this.io.out(`Done restarting router(s)${zi}. \n\n`);
      this.log(`Done restarting router(s)${zi}. \n`);
    }
  }

  /**
   * The script's batching: start a background subshell per item; when `min(-t, N)` are outstanding,
   * poll every 10 s until all of them are gone. Returns true when a last, partial batch was left
   * outstanding: the script then loops on `sleep 10` forever (cloudstack #12067).
   */
  private async inBatches(items: readonly string[], fn: (id: string) => Promise<void>): Promise<boolean> {
    let max = this.o.threads;
    let pids: Array<Promise<void>> = [];
    let done = new Set<Promise<void>>();
    let unfinished = 0;
    for (const d of items) {
      const p = fn(d).finally(() => done.add(p));
      pids.push(p);
      unfinished = pids.length;
      if (max > items.length) max = items.length;
      if (pids.length >= max) {
        while (unfinished > 0) {
          await this.core.time.sleep(10_000);
          if (pids.every((x) => done.has(x))) unfinished = 0;
        }
        pids = [];
        done = new Set();
      }
    }
    return unfinished > 0;
  }

  private async waitForever(stuck: boolean): Promise<void> {
    if (!stuck) return;
    this.core.emit({ kind: 'ms', time: this.core.time.now(), message: 'cloudstack-sysvmadm waits forever for its last batch (known defect, cloudstack #12067)' });
    for (;;) await this.core.time.sleep(10_000);
  }

  private async rebootRouter(id: string): Promise<void> {
    this.log(`INFO: Restarting router with id ${id}`);
    const jobId = jobIdOf(await this.curl(`command=rebootRouter&id=${id}&response=json`));
    if (jobId === '') {
      this.log(`ERROR: Failed to restart domainRouter with id ${id}; unable to submit the job`);
      this.io.out('2\n');
      return;
    }
    if ((await this.queryAsyncJobResult(jobId)) !== '1') {
      this.io.out(`ERROR: Failed to restart domainRouter with id ${id} \n\n`);
      this.log(`ERROR: Failed to restart domainRouter with id ${id}; jobId ${jobId}`);
    } else this.log(`INFO: Successfully restarted domainRouter with id ${id}; jobId ${jobId}`);
  }

  private async batched(kind: 'networks' | 'vpcs'): Promise<void> {
    const w = this.core.world;
    const zone = this.zoneFilter();
    let ids: string[];
    if (kind === 'networks') {
      ids = this.query(() => zone === 'error' ? { error: 'ERROR 1064 (42000) at line 2: You have an error in your SQL syntax' }
        : { rows: w.networks.filter((n) => zone === undefined || w.zone(n.zoneId)?.internalId === zone).map((n) => String(n.internalId)) });
      this.io.out(`\nRestarting ${ids.length} networks${this.o.inzone}... \n`);
      this.log(`Restarting ${ids.length} networks${this.o.inzone}... `);
    } else {
      // The vpc table has zone_id, not data_center_id: -z makes this query fail.
      ids = this.query(() => this.o.zone ? { error: "ERROR 1054 (42S22) at line 1: Unknown column 'data_center_id' in 'where clause'" }
        : { rows: w.vpcs.map((v) => v.id) });
      this.io.out(`\nRestarting ${ids.length} vpcs... \n`);
      this.log(`Restarting ${ids.length} vpcs... `);
    }
    const stuck = await this.inBatches(ids, (id) => (kind === 'networks' ? this.restartNetwork(id) : this.restartVpc(id)));
    if (ids.length === 0) this.log(kind === 'networks' ? 'No networks found \n' : 'No vpcs found \n');
    else {
      await this.waitForever(stuck);
      this.io.out(`Done restarting ${kind}${this.o.inzone}. \n\n`);
      this.log(`Done restarting ${kind}${this.o.inzone}. \n`);
    }
  }

  private async restartNetwork(id: string): Promise<void> {
    const jobId = jobIdOf(await this.curl(`command=restartNetwork&id=${id}&response=json`));
    if (jobId === '') {
      this.log(`ERROR: Failed to restart network with id ${id}; unable to submit the job`);
      this.io.out('2\n');
      return;
    }
    if ((await this.queryAsyncJobResult(jobId)) !== '1') this.log(`ERROR: Failed to restart network with id ${id}; jobId ${jobId}`);
    else this.log(`INFO: Successfully restarted network with id ${id}; jobId ${jobId}`);
  }

  private async restartVpc(id: string): Promise<void> {
    this.io.out(`INFO: Restarting vpc with id ${id}\n`);
    this.log(`INFO: Restarting vpc with id ${id}`);
    const jobId = jobIdOf(await this.curl(`command=restartVPC&id=${id}&response=json`));
    if (jobId === '') {
      this.log(`ERROR: Failed to restart vpc with id ${id}; unable to submit the job`);
      this.io.out('2\n');
      return;
    }
    if ((await this.queryAsyncJobResult(jobId)) !== '1') {
      this.io.out(`ERROR: Failed to restart vpc with id ${id} \n\n`);
      this.log(`ERROR: Failed to restart vpc with id ${id}; jobId ${jobId}`);
    } else {
      this.io.out(`INFO: Successfully restarted vpc with id ${id} \n\n`);
      this.log(`INFO: Successfully restarted vpc with id ${id}; jobId ${jobId}`);
    }
  }
}
