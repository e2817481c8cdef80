// Watching cloudstack-sysvmadm's router phase (docs/cloudstack-facts.md §8.3–§8.5): its standard output
// announces how many routers it will reboot, its log (-l) has one start and one end line per router. When
// every announced router has ended and the script neither prints "Done restarting router(s)" nor exits
// for a while, it sits in the sleep loop after a partial last batch (apache/cloudstack#12067) and can be
// ended safely; when no router is in flight and none starts, it is stuck before finishing its work.

import { compileLinear, type LinearRegex } from '../../util/linear-regex.js';

/** One of our own fixed patterns on the same engine as a playbook's follow rules (compiled on first use). */
function own(source: string): LinearRegex {
  const re = compileLinear(source);
  if (typeof re === 'string') throw new Error(`sysvmadm pattern ${source}: ${re}`);
  return re;
}

/** What sysvmadm prints on standard output, as progress rules and failure patterns for the follow loop. */
export function sysvmadmRules(): { progress: ReadonlyArray<{ pattern: LinearRegex; message: string; phase?: boolean; count?: string }>; failure: LinearRegex[] } {
  return {
    progress: [
      { pattern: own('Stopping and starting (?<ssvms>[0-9]+) secondary storage vm'), message: 'secondary storage VMs: {ssvms} to stop and start', phase: true },
      { pattern: own('No running secondary storage vms found'), message: 'secondary storage VMs: none running', phase: true, count: 'ssvm_section' },
      { pattern: own('Done stopping and starting secondary storage vm'), message: '{line}', count: 'ssvm_section' },
      { pattern: own('Stopping and starting (?<cpvms>[0-9]+) console proxy vm'), message: 'console proxy VMs: {cpvms} to stop and start', phase: true },
      { pattern: own('No running console proxy vms found'), message: 'console proxy VMs: none running', phase: true, count: 'cpvm_section' },
      { pattern: own('Done stopping and starting console proxy vm'), message: '{line}', count: 'cpvm_section' },
      { pattern: own('Stopping and starting (?<routers>[0-9]+) running routing vm'), message: 'routers: {routers} to restart', phase: true, count: 'router_section' },
      { pattern: own('Done restarting router'), message: '{line}', count: 'routers_done' },
      { pattern: own('^ERROR:'), message: '{line}' },
    ],
    failure: [own('^ERROR'), own('Integration port is not enabled')],
  };
}

const ANNOUNCE = /Stopping and starting (\d+) running routing vm/;
const ROUTER_START = /INFO: Restarting router with id /;
const ROUTER_END = /(Successfully restarted domainRouter with id |Failed to restart domainRouter with id )/;
const ROUTER_FAILED = /Failed to restart domainRouter with id /;

export type WatchVerdict =
  | { readonly kind: 'hang'; readonly text: string }
  | { readonly kind: 'stalled'; readonly text: string };

export class SysvmadmWatch {
  /** From standard output. */
  announced: number | undefined;
  done = false;
  /** From the log: the announcement (proof the log is the one the script writes), router starts and ends. */
  private logAnnounced = false;
  started = 0;
  finished = 0;
  failed = 0;
  private quietMs = 0;

  constructor(private readonly graceMs: number) {}

  /** One poll: the new lines of standard output and of the log, and how long the poll waited. */
  poll(stdout: readonly string[], log: readonly string[], sinceLastPollMs: number): WatchVerdict | undefined {
    for (const l of stdout) {
      const m = ANNOUNCE.exec(l);
      if (m) this.announced = Number(m[1]);
      if (/Done restarting router/.test(l)) this.done = true;
    }
    for (const l of log) {
      if (ANNOUNCE.test(l)) this.logAnnounced = true;
      if (ROUTER_START.test(l)) this.started++;
      if (ROUTER_END.test(l)) this.finished++;
      if (ROUTER_FAILED.test(l)) this.failed++;
    }
    this.quietMs = stdout.length + log.length > 0 ? 0 : this.quietMs + sinceLastPollMs;
    const n = this.announced;
    if (n === undefined || n === 0 || this.done || !this.logAnnounced || this.quietMs < this.graceMs) return undefined;
    const quiet = `${Math.round(this.quietMs / 1000)}s without a line`;
    if (this.finished >= n) {
      return { kind: 'hang', text: `cloudstack-sysvmadm restarted all ${n} router(s) (${this.failed} failed) and then neither finished nor exited (${quiet}): the wait after a partial last batch that never ends (apache/cloudstack#12067); its work is done, so it was ended` };
    }
    if (this.started <= this.finished) {
      return { kind: 'stalled', text: `cloudstack-sysvmadm stopped after ${this.finished} of ${n} router(s), none in flight (${quiet}); it was ended — restart the others with cloudstack/systemvm-restart-api` };
    }
    return undefined;
  }
}
