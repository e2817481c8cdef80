// Option parsing and text scraping of cloudstack-sysvmadm, kept apart from its run logic: bash getopts
// semantics for 'sarhnvd:m:u:p:t:l:z:i:j:', the usage text (setup/bindir/cloud-sysvmadm.in, 4.18+), and
// the sed/awk pipelines it applies to every API response.

import type { CommandIO } from '../shell/types.js';

/** The usage text as the script's printf writes it to stderr (`-h`, or no action given). */
export const usage = (name: string, note: boolean): string =>
  `\n  The tool for stopping/starting running system vms and domain routers${note ? '. It requires integration API port to be enabled.' : ''}\n\n` +
  `  Usage: ${name}: [-d] [-u] [-p] [-m] [-s] [-r] [-a] [-n] [-t] [-l] [-z] [-v] [-i] [-j]\n\n` +
  '   -d - cloud DB server ip address, defaulted to localhost if not specified\n' +
  '   -u - user name to access cloud DB, defaulted to "root" if not specified\n' +
  '   -p - cloud DB user password, defaulted to no password if not specified\n' +
  '   -m - the ip address of management server, defaulted to localhost if not specified\n' +
  '   -s - stop then start all running SSVMs and Console Proxies\n' +
  '   -r - stop then start all running Virtual Routers\n' +
  '   -a - stop then start all running SSVMs, Console Proxies, and Virtual Routers\n' +
  '   -n - restart all Guest networks\n' +
  '   -t - number of parallel threads used for stopping Domain Routers. Default is 10\n' +
  '   -l - log file location. Default is cloud.log under current directory\n' +
  '   -z - do restart only for the instances in the specific zone. If not specified, restart will apply to instances in all zones\n' +
  '   -v - do restart all VPCs in the entire system\n' +
  '   -i - do restart on instances with specific IDs. Comma-separated instance IDs to be provided. Works only when restarting SSVMs, CPVMs or VRs\n' +
  '   -j - do restart on instances from the specified database table. If not specified, restart will apply on instances present in cloud.vm_instance database table. Works only when restarting SSVMs, CPVMs or VRs\n\n';

/** `sed 's/"//g; s/ //g; s/{//g; s/}//g'` as the script pipes every response through it. */
export const strip = (body: string): string => body.replace(/["{} ]/g, '');
/** `awk -F: '{print $3}'` on the first line. */
export const jobIdOf = (body: string): string => strip(body).split('\n')[0]!.split(':')[2] ?? '';
/**
 * `awk -F, '{print $N}' | awk -F: '{print $2}'`: the job status as the script reads it, by position ($4
 * before apache/cloudstack#9200, $7 after), whatever field the API happens to put there.
 */
export const statusOf = (body: string, field: 4 | 7): string => (strip(body).split('\n')[0]!.split(',')[field - 1] ?? '').split(':')[1] ?? '';

export interface Opts {
  system: boolean; router: boolean; all: boolean; network: boolean; vpc: boolean; help: boolean;
  db: string; ms: string; user: string; password: string; threads: number; logFile: string;
  zone: string; inzone: string; vmids: string; withids: string; table: string;
}

export function getopts(argv: readonly string[], io: CommandIO, self: string): Opts {
  const o: Opts = {
    system: false, router: false, all: false, network: false, vpc: false, help: false, db: 'localhost', ms: 'localhost',
    user: 'root', password: '', threads: 10, logFile: 'cloud.log', zone: '', inzone: '', vmids: '', withids: '', table: 'vm_instance',
  };
  const withArg = new Set(['d', 'm', 'u', 'p', 't', 'l', 'z', 'i', 'j']);
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      if (withArg.has(c)) {
        const v = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
        if (v === undefined) {
          io.err(`${self}: option requires an argument -- ${c}\n`);
          break;
        }
        if (c === 'd') o.db = v;
        else if (c === 'm') o.ms = v;
        else if (c === 'u') o.user = v;
        else if (c === 'p') o.password = v;
        else if (c === 't') o.threads = Number.parseInt(v, 10) || 0;
        else if (c === 'l') o.logFile = v;
        else if (c === 'z') [o.zone, o.inzone] = [` AND data_center_id=${v}`, ` in zone id=${v}`];
        else if (c === 'i') [o.vmids, o.withids] = [v, ` with id=${v}`];
        else if (c === 'j') o.table = v;
        break;
      }
      if (c === 's') o.system = true;
      else if (c === 'r') o.router = true;
      else if (c === 'a') o.all = true;
      else if (c === 'n') o.network = true;
      else if (c === 'v') o.vpc = true;
      else if (c === 'h') o.help = true;
      else io.err(`${self}: illegal option -- ${c}\n`);
    }
  }
  return o;
}

