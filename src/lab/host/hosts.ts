// The emulated machines: the management-server hosts (systemctl, cloudstack-sysvmadm, mysql, curl,
// systemd-run, the management-server log; one per server, given that host's view of the core) and KVM
// hypervisor hosts (ssh into their system VMs).

import type { LabCore } from '../core.js';
import type { HypervisorHost } from '../world/types.js';
import { BASIC_COMMANDS } from './shell/builtins.js';
import { ProcessTable, type SystemProcess } from './shell/processes.js';
import type { CommandImpl, HostContext } from './shell/types.js';
import { curlCommand } from './commands/curl.js';
import { dateCommand, sleepCommand } from './commands/lab-time.js';
import { mysqlCommand } from './commands/mysql.js';
import { sshClientCommand } from './commands/ssh-client.js';
import { sysvmadmCommand, type SysvmadmRun } from './commands/sysvmadm.js';
import { systemctlCommand, systemdRunCommand, type LabTimer } from './commands/systemd.js';
import { Vfs } from './vfs.js';

export interface MgmtHostState {
  readonly timers: Map<string, LabTimer>;
  readonly runs: SysvmadmRun[];
}

/** `core` is the host's view (ms/host-view.ts): `core.ms` is this host's own management server. */
const SSHD: SystemProcess = { pid: 612, ppid: 1, args: ['sshd:', '/usr/sbin/sshd', '-D', '[listener]', '0', 'of', '10-100', 'startups'] };
const INIT: SystemProcess = { pid: 1, ppid: 0, args: ['/sbin/init'] };

/** The management host's daemons: the management server's java (pid 4242, as systemctl status says) while it runs. */
function mgmtProcesses(core: LabCore): SystemProcess[] {
  const ms = core.ms as LabCore['ms'] | undefined;
  const java: SystemProcess[] = ms && ms.state !== 'stopped'
    ? [{ pid: 4242, ppid: 1, args: ['/usr/bin/java', '-Djava.security.properties=/etc/cloudstack/management/java.security.ciphers', '-Xmx2G', '-classpath', '/usr/share/cloudstack-management/lib/*', 'org.apache.cloudstack.ServerDaemon'] }]
    : [];
  return [INIT, { pid: 388, ppid: 1, args: ['/usr/sbin/mariadbd'] }, SSHD, ...java];
}

export function mgmtHost(core: LabCore, state: MgmtHostState): HostContext {
  const fs = core.ms.fs;
  for (const d of ['/root', '/tmp', '/var/tmp', '/var/log/cloudstack/management', '/etc/cloudstack/management', '/usr/bin']) fs.mkdir(d);
  fs.write('/etc/cloudstack-release', `Cloudstack Release ${core.world.msVersion}\n`);
  fs.write('/usr/bin/cloudstack-sysvmadm', '#!/bin/bash\n# emulated by the stackplay lab\n');
  fs.write('/etc/cloudstack/management/db.properties',
    `db.cloud.host=localhost\ndb.cloud.port=3306\ndb.cloud.name=cloud\ndb.cloud.username=${core.settings.dbUser}\ndb.cloud.password=ENC(lab-encrypted-password)\n`);
  if (!fs.isFile('/var/log/cloudstack/management/management-server.log')) fs.write('/var/log/cloudstack/management/management-server.log', '');
  fs.clock = () => core.time.now();
  const backup = core.world.dbBackup;
  if (backup && core.ms.name === core.cluster.servers[0]?.name && !fs.isFile(backup.path)) {
    fs.write(backup.path, '-- MySQL dump of cloud and cloud_usage (lab)\n');
    fs.setMtime(backup.path, core.time.now() - backup.ageHours * 3_600_000);
  }
  const commands = new Map<string, CommandImpl>([
    ...BASIC_COMMANDS,
    ['systemctl', systemctlCommand(core, state.timers)],
    ['systemd-run', systemdRunCommand(core, state.timers, (t, code, output) => {
      core.emit({ kind: 'host', time: core.time.now(), host: core.ms.name, command: `[timer ${t.unit}] ${t.argv.join(' ')}${output ? ` (${output.trim().slice(0, 200)})` : ''}`, exitCode: code });
    })],
    ['cloudstack-sysvmadm', sysvmadmCommand(core, (run) => state.runs.push(run))],
    ['mysql', mysqlCommand(core)],
    ['curl', curlCommand(core)],
    ['sleep', sleepCommand(core)],
    ['date', dateCommand(core)],
    ['ssh', sshClientCommand(core, undefined)],
    ['df', dfCommand(core.world.msFreeDiskGiB)],
  ]);
  return { name: core.ms.name, fs, commands, home: '/root', procs: new ProcessTable(() => core.time.now(), () => mgmtProcesses(core)) };
}

export function kvmHost(core: LabCore, host: HypervisorHost): HostContext {
  const fs = new Vfs();
  for (const d of ['/root/.ssh', '/tmp', '/var/log/cloudstack/agent', '/etc/cloudstack/agent']) fs.mkdir(d);
  fs.write('/root/.ssh/id_rsa.cloud', '-----BEGIN OPENSSH PRIVATE KEY-----\n(lab placeholder)\n-----END OPENSSH PRIVATE KEY-----\n');
  for (const f of ['agent.zip', 'cloud-scripts.tgz', 'patch-sysvms.sh']) fs.write(`/usr/share/cloudstack-common/vms/${f}`, '(lab placeholder)\n');
  fs.write('/etc/cloudstack/agent/agent.properties', `host=${core.address}\nport=8250\nzone=${host.zoneId}\nguid=${host.id}\n`);
  const systemctl: CommandImpl = async (argv, io) => {
    const args = argv.slice(1).filter((a) => !a.startsWith('-'));
    const quiet = argv.includes('--quiet') || argv.includes('-q');
    const known = new Set(['cloudstack-agent', 'libvirtd', 'ssh', 'sshd']);
    let status = 0;
    for (const u of args.slice(1).map((x) => x.replace(/\.service$/, ''))) {
      const active = known.has(u);
      if (args[0] === 'is-active' && !quiet) io.out(active ? 'active\n' : 'inactive\n');
      if (args[0] === 'status' && !quiet) io.out(`● ${u}.service\n     Active: ${active ? 'active (running)' : 'inactive (dead)'}\n`);
      if (!active) status = 3;
    }
    return status;
  };
  const commands = new Map<string, CommandImpl>([
    ...BASIC_COMMANDS, ['ssh', sshClientCommand(core, host)], ['systemctl', systemctl], ['sleep', sleepCommand(core)], ['date', dateCommand(core)],
  ]);
  const agent: SystemProcess = { pid: 1187, ppid: 1, args: ['/usr/bin/java', '-Xms256m', '-Xmx2048m', '-cp', '/usr/share/cloudstack-agent/lib/*', 'com.cloud.agent.AgentShell'] };
  const daemons = [INIT, { pid: 702, ppid: 1, args: ['/usr/sbin/libvirtd'] }, SSHD, agent];
  return { name: host.name, fs, commands, home: '/root', procs: new ProcessTable(() => core.time.now(), () => daemons) };
}

/** `df -P [-k] [PATH…]`: one root filesystem of 100 GiB with `freeGiB` available; every path is on it. */
function dfCommand(freeGiB: number): CommandImpl {
  return async (argv, io) => {
    const paths = argv.slice(1).filter((a) => !a.startsWith('-'));
    const total = 100 * 1024 * 1024;
    const avail = Math.min(total, Math.round(freeGiB * 1024 * 1024));
    const used = total - avail;
    io.out('Filesystem     1024-blocks     Used Available Capacity Mounted on\n');
    for (const _p of paths.length > 0 ? paths : ['/']) io.out(`/dev/vda1      ${total} ${used} ${avail} ${Math.round((used / total) * 100)}% /\n`);
    return 0;
  };
}
