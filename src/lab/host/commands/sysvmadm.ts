// cloudstack-sysvmadm as the world's release ships it (its profile, world/versions.ts): port, id column,
// the job-status field it scrapes, usage text; SSVMs then CPVMs one by one, the batched part in
// sysvmadm-batches.ts; exit 0 whatever happened, its flaws reproduced on purpose.

import { Vfs } from '../vfs.js';
import type { CommandImpl, CommandIO, RunContext } from '../shell/types.js';
import { procsOf } from '../shell/processes.js';
import type { LabCore } from '../../core.js';
import { sysvmadmProfile, type SysvmadmProfile } from '../../world/versions.js';
import { checkLogin, runSql, selectVms, type VmType } from './db.js';
import { hostFetch } from './lab-http.js';
import { labSleep } from './lab-time.js';
import { routers, restartNetworks, restartVpcs } from './sysvmadm-batches.js';
import { getopts, jobIdOf, statusOf, usage, type Opts } from './sysvmadm-opts.js';

export interface SysvmadmRun {
  readonly id: number;
  readonly args: readonly string[];
  state: 'running' | 'done';
  exitCode?: number | undefined;
  logFile: string;
}

/** The script's process (or one of its background subshells) was killed: stop where it stands. */
export class Terminated extends Error {}

export function sysvmadmCommand(core: LabCore, register: (run: SysvmadmRun) => void): CommandImpl {
  let runs = 0;
  return async (argv, io, ctx) => {
    const self = argv[0]!.includes('/') ? argv[0]! : `/usr/bin/${argv[0]!}`;
    const profile = sysvmadmProfile(core.world.msVersion);
    // line 21 of the scripts before #9200; absent on Debian/Ubuntu hosts such as this one (#9000)
    if (profile.sourcesInitFunctions && !ctx.host.fs.isFile('/etc/rc.d/init.d/functions')) {
      io.err(`${self}: line 21: /etc/rc.d/init.d/functions: No such file or directory\n`);
    }
    const o = getopts(argv, io, self);
    const logPath = Vfs.normalize(o.logFile, ctx.sh.cwd);
    const masked = argv.map((a, i) => (argv[i - 1] === '-p' ? '***' : a.startsWith('-p') && a.length > 2 ? '-p***' : a));
    const run: SysvmadmRun = { id: ++runs, args: masked, state: 'running', logFile: logPath };
    register(run);
    let code = 0;
    try {
      await new Sysvmadm(core, profile, o, io, ctx, logPath).main(self);
    } catch (e) {
      if (!(e instanceof Terminated)) throw e;
      code = 128 + (ctx.proc.killedBy ?? 15);
    } finally {
      run.state = 'done';
      run.exitCode = code;
    }
    return code;
  };
}

export class Sysvmadm {
  port = '';
  /** `maxthreads`: one global in the script, lowered to the item count and kept across -r, -n, -v. */
  maxthreads: number;

  constructor(
    readonly core: LabCore,
    readonly profile: SysvmadmProfile,
    readonly o: Opts,
    readonly io: CommandIO,
    readonly ctx: RunContext,
    private readonly logPath: string,
  ) {
    this.maxthreads = o.threads;
  }

  private ts(): string {
    const d = new Date(this.core.time.now());
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}-${p(d.getUTCHours())}.${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
  }

  log(line: string): void {
    const fs = this.ctx.host.fs;
    const dir = this.logPath.slice(0, this.logPath.lastIndexOf('/')) || '/';
    if (!fs.isDir(dir)) {
      this.io.err(`/usr/bin/cloudstack-sysvmadm: line 1: ${this.o.logFile}: No such file or directory\n`);
      return;
    }
    fs.append(this.logPath, `[${this.ts()}] ${line}\n`);
  }

  /** `mysql -h $db --user=$user --password=$password --skip-column-names -U cloud -e "…"` */
  query(sql: () => { rows: string[] } | { error: string }): string[] {
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

  /** `select id|uuid from <table> where state="Running" and type="…"<zone><ids>` */
  vmIds(type: VmType, table: string): string[] {
    return this.query(() => {
      const zone = this.zoneFilter();
      if (typeof zone === 'object') return zone;
      // Only the first comma of -i is turned into "','" (bash ${var/,/…}).
      const i = this.o.vmids.indexOf(',');
      const ids = this.o.vmids ? (i >= 0 ? [this.o.vmids.slice(0, i), this.o.vmids.slice(i + 1)] : [this.o.vmids]) : undefined;
      return selectVms(this.core, table, type, { zone, ids }, this.profile.idColumn);
    });
  }

  /** The zone of `-z`, appended to the SQL as ` AND data_center_id=<value>`: what MySQL makes of it. */
  zoneFilter(): number | undefined | { readonly error: string } {
    if (!this.o.zone) return undefined;
    const v = this.o.zone.slice(' AND data_center_id='.length);
    if (/^\d+$/.test(v)) return Number(v);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return { error: `ERROR 1054 (42S22) at line 1: Unknown column '${v}' in 'where clause'` };
    return { error: `ERROR 1064 (42000) at line 1: You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '${v}' at line 1` };
  }

  /** Ends the caller (main script or subshell) once its process has been killed. */
  alive(signal: AbortSignal): void {
    if (signal.aborted) throw new Terminated();
  }

  async sleep(labMs: number, signal: AbortSignal): Promise<void> {
    await labSleep(this.core, labMs, signal);
    this.alive(signal);
  }

  async curl(query: string, signal: AbortSignal): Promise<string> {
    const r = await hostFetch(this.core, `http://${this.o.ms}:${this.port}/?${query}`);
    this.alive(signal);
    if (!r.ok) {
      this.io.err(`curl: (${r.code}) ${r.message}\n`);
      return '';
    }
    return r.body;
  }

  /** query_async_job_result: polls every 5 s until the scraped field is not "0" (it may never be). */
  async pollJob(jobId: string, signal: AbortSignal): Promise<string> {
    for (;;) {
      const st = statusOf(await this.curl(`command=queryAsyncJobResult&jobId=${jobId}&response=json`, signal), this.profile.statusField);
      if (st !== '0') return st;
      await this.sleep(5_000, signal);
    }
  }

  /** A `cmd &` subshell of the script: a process of its own (its pid is what the batch loop watches). */
  subshell(task: (signal: AbortSignal) => Promise<void>): number {
    const procs = procsOf(this.ctx.host);
    const proc = procs.spawn(this.ctx.proc.args, this.ctx.proc);
    void task(proc.signal)
      .catch((e: unknown) => {
        if (!(e instanceof Terminated)) this.io.err(`lab: cloudstack-sysvmadm: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      })
      .finally(() => procs.exit(proc));
    return proc.pid;
  }

  isRunning(pid: number): boolean {
    return procsOf(this.ctx.host).get(pid) !== undefined;
  }

  /** send_request: its own ERROR line is captured with the status, so it only reaches the log. */
  private async sendRequest(cmd: string, id: string): Promise<string> {
    const signal = this.ctx.signal;
    const jobId = jobIdOf(await this.curl(`command=${cmd}&id=${id}&response=json`, signal));
    if (jobId === '') return '2';
    const result = await this.pollJob(jobId, signal);
    if (result !== '1') {
      this.log(`ERROR: Failed to ${cmd} id=${id}; jobId is ${jobId}`);
      return `ERROR: Failed to ${cmd} id=${id}; jobId is ${jobId} \n\n${result}`;
    }
    return result;
  }

  async main(self: string): Promise<void> {
    const o = this.o;
    if (this.profile.port === 'fixed') this.port = '8096';
    else {
      const rows = this.query(() => {
        const r = runSql(this.core, "SELECT value FROM configuration WHERE name='integration.api.port'");
        return r.ok ? { rows: [...r.rows] } : { error: r.error };
      });
      this.port = rows[0] ?? '';
      // `if [ $integrationport -le 0 ]` (line 107): an empty value makes `[` fail, and the script goes on
      if (this.port === '') this.io.err(`${self}: line 107: [: -le: unary operator expected\n`);
      else if (!/^-?\d+$/.test(this.port)) this.io.err(`${self}: line 107: [: ${this.port}: integer expression expected\n`);
      else if (Number(this.port) <= 0) {
        this.io.out('Integration port is not enabled!\n');
        return;
      }
    }
    if (!(o.system || o.router || o.all || o.help || o.network || o.vpc) || o.help) {
      this.io.err(usage(self.slice(self.lastIndexOf('/') + 1), this.profile.usageNote));
      return;
    }
    if (o.all) {
      await this.system();
      await routers(this);
      return;
    }
    if (o.system) await this.system();
    if (o.router) await routers(this);
    if (o.network) await restartNetworks(this);
    if (o.vpc) await restartVpcs(this);
  }

  private async system(): Promise<void> {
    const o = this.o;
    const zi = `${o.inzone}${o.withids}`;
    const ssvms = this.vmIds('SecondaryStorageVm', o.table);
    const cpvms = this.vmIds('ConsoleProxy', o.table);
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
}
