// A system VM or router seen from inside: /etc/cloudstack-release, the scripts signature, enabled_svcs and
// disabled_svcs as its setup scripts write them at boot (systemvm/debian/opt/cloud/bin/setup/*.sh, 4.18.2.5
// and 4.20.1.0), systemctl and ps for those services. Reached from its KVM host on the link-local address;
// its files persist across SSH sessions until it boots from another template (a rebuilt root volume).

import type { LabCore } from '../core.js';
import type { Router, SystemVm, Template, Vm } from '../world/types.js';
import { compareVersions } from '../world/versions.js';
import { Vfs } from './vfs.js';
import { BASIC_COMMANDS } from './shell/builtins.js';
import { ProcessTable, type SystemProcess } from './shell/processes.js';
import type { CommandImpl, HostContext } from './shell/types.js';
import { dateCommand, sleepCommand } from './commands/lab-time.js';

/**
 * enabled_svcs, one entry per line where the scripts append. secstorage.sh and consoleproxy.sh write one
 * line; common.sh's routing_svcs writes `haproxy apache2` (`haproxy apache2 frr` from 4.20, PR #9470) and
 * appends `keepalived` (redundant) or `dnsmasq`; router.sh's restore_ipv6 appends `radvd` when the guest
 * network has IPv6 (an isolated router only: vpcrouter.sh sets IPv6 up later, without this file).
 */
export function enabledServicesLines(core: LabCore, vm: Vm): string[] {
  if (vm.kind !== 'router') return vm.kind === 'ssvm' ? ['cloud apache2 nfs-common portmap'] : ['cloud'];
  const frr = compareVersions(vm.template.version, '4.20') >= 0 ? ' frr' : '';
  const lines = [`haproxy apache2${frr}`, vm.isRedundant ? 'keepalived' : 'dnsmasq'];
  if (!vm.vpcId && vm.networkIds.some((id) => core.world.network(id)?.ipv6)) lines.push('radvd');
  return lines;
}

function disabledServicesLines(vm: Vm): string[] {
  if (vm.kind !== 'router') return vm.kind === 'ssvm' ? ['conntrackd keepalived haproxy dnsmasq'] : ['haproxy dnsmasq apache2 nfs-common portmap'];
  return ['cloud nfs-common portmap', vm.isRedundant ? 'dnsmasq conntrackd' : 'keepalived conntrackd'];
}

/** The services of enabled_svcs, read as postinit.sh does (`for svc in $(cat …)`): a word list. */
export function enabledServices(core: LabCore, vm: Vm): string[] {
  return enabledServicesLines(core, vm).join(' ').split(/\s+/).filter(Boolean);
}

/** Whether a service runs: booted with the VM, except radvd on a BACKUP router (CsRedundant stops it there). */
function active(core: LabCore, vm: Vm, svc: string): boolean {
  if (vm.state !== 'Running') return false;
  if (svc === 'ssh' || svc === 'sshd') return true;
  if (svc === 'radvd' && vm.kind === 'router' && vm.redundantState === 'BACKUP') return false;
  return enabledServices(core, vm).includes(svc);
}

const DAEMONS: Readonly<Record<string, readonly string[]>> = {
  cloud: ['/usr/bin/java', '-Xms256m', '-cp', '/usr/local/cloud/systemvm/*', 'com.cloud.agent.AgentShell'],
  apache2: ['/usr/sbin/apache2', '-k', 'start'], haproxy: ['/usr/sbin/haproxy', '-Ws', '-f', '/etc/haproxy/haproxy.cfg'],
  dnsmasq: ['/usr/sbin/dnsmasq', '-x', '/run/dnsmasq/dnsmasq.pid'], keepalived: ['/usr/sbin/keepalived', '--dont-fork'],
  frr: ['/usr/lib/frr/watchfrr', '-d', 'zebra', 'staticd'], radvd: ['/usr/sbin/radvd', '--logmethod', 'stderr_clean'],
  'nfs-common': ['/sbin/rpc.statd'], portmap: ['/sbin/rpcbind', '-f', '-w'],
};

function cmdline(vm: Vm): string {
  const type = vm.kind === 'ssvm' ? 'secstorage' : vm.kind === 'cpvm' ? 'consoleproxy' : (vm as Router).vpcId ? 'vpcrouter' : 'router';
  return `template=domP type=${type} name=${vm.name} eth0ip=${vm.linkLocalIp} eth0mask=255.255.0.0 redundant_router=${vm.kind === 'router' && vm.isRedundant}\n`;
}

function releaseDate(version: string): string {
  return compareVersions(version, '4.20') >= 0 ? 'Tue Nov 12 09:20:33 UTC 2024' : 'Mon Feb 19 11:05:21 UTC 2024';
}

/** One view per VM and root volume: what a session writes into the VM, the next session finds there. */
const vmHosts = new WeakMap<Vm, { readonly template: Template; readonly ctx: HostContext }>();

export function vmHost(core: LabCore, vm: SystemVm | Router): HostContext {
  const known = vmHosts.get(vm);
  if (known && known.template === vm.template) return known.ctx;
  const ctx = newVmHost(core, vm);
  vmHosts.set(vm, { template: vm.template, ctx });
  return ctx;
}

function newVmHost(core: LabCore, vm: SystemVm | Router): HostContext {
  const fs = new Vfs();
  const lines = (l: readonly string[]): string => l.map((x) => x + '\n').join('');
  fs.defineDynamic('/etc/cloudstack-release', () => `Cloudstack Release ${vm.template.version} ${releaseDate(vm.template.version)}\n`);
  fs.defineDynamic('/var/cache/cloud/enabled_svcs', () => lines(enabledServicesLines(core, vm)));
  fs.defineDynamic('/var/cache/cloud/disabled_svcs', () => lines(disabledServicesLines(vm)));
  fs.defineDynamic('/var/cache/cloud/cloud-scripts-signature', () => vm.scriptsVersion + '\n');
  fs.defineDynamic('/var/cache/cloud/cmdline', () => cmdline(vm));
  fs.defineDynamic('/var/cache/cloud/boot_up_done', () => '');
  fs.defineDynamic('/var/log/livepatchsystemvm.log', () =>
    vm.patchCount > 0 ? `Live patching completed (${vm.patchCount} time(s)); scripts version ${vm.scriptsVersion}\n` : undefined);
  fs.mkdir('/root');
  fs.mkdir('/tmp');
  const systemctl: CommandImpl = async (argv, io) => {
    const quiet = argv.includes('--quiet') || argv.includes('-q');
    const args = argv.slice(1).filter((a) => !a.startsWith('-'));
    const verb = args[0];
    const units = args.slice(1).map((u) => u.replace(/\.service$/, ''));
    if (verb === 'is-active' || verb === 'status') {
      let status = 0;
      for (const u of units) {
        const on = active(core, vm, u);
        if (!quiet) io.out(verb === 'status' ? `● ${u}.service\n     Active: ${on ? 'active (running)' : 'inactive (dead)'}\n` : `${on ? 'active' : 'inactive'}\n`);
        if (!on) status = 3;
      }
      return status;
    }
    if (verb === 'is-enabled') {
      let status = 0;
      for (const u of units) {
        const on = enabledServices(core, vm).includes(u);
        if (!quiet) io.out(on ? 'enabled\n' : 'disabled\n');
        if (!on) status = 1;
      }
      return status;
    }
    if (verb === 'restart' || verb === 'daemon-reload') return 0;
    io.err(`lab: systemctl: verb ${verb ?? ''} is not emulated on system VMs\n`);
    return 1;
  };
  const daemons = (): SystemProcess[] => {
    const out: SystemProcess[] = [{ pid: 1, ppid: 0, args: ['/sbin/init'] }, { pid: 420, ppid: 1, args: ['sshd:', '/usr/sbin/sshd', '-D'] }];
    let pid = 600;
    for (const svc of enabledServices(core, vm)) {
      pid += 10;
      if (active(core, vm, svc) && DAEMONS[svc]) out.push({ pid, ppid: 1, args: DAEMONS[svc] });
    }
    return out;
  };
  const commands = new Map<string, CommandImpl>([...BASIC_COMMANDS, ['systemctl', systemctl], ['sleep', sleepCommand(core)], ['date', dateCommand(core)]]);
  return { name: vm.name, fs, commands, home: '/root', procs: new ProcessTable(() => core.time.now(), daemons) };
}
