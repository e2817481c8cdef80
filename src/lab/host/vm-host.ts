// A system VM or virtual router seen from inside (docs/cloudstack-facts.md §10): /etc/cloudstack-release (template
// version), /var/cache/cloud/enabled_svcs (§6.3), the scripts signature, and systemctl for its services.
// Reached only from the KVM host it runs on, over its link-local address and port 3922.

import type { LabCore } from '../core.js';
import type { Router, SystemVm, Vm } from '../world/types.js';
import { compareVersions } from '../world/versions.js';
import { Vfs } from './vfs.js';
import { BASIC_COMMANDS } from './shell/builtins.js';
import type { CommandImpl, HostContext } from './shell/types.js';
import { dateCommand, sleepCommand } from './commands/lab-time.js';

/** Services in /var/cache/cloud/enabled_svcs; frr only on 4.20+ templates. */
export function enabledServices(vm: Vm): string[] {
  if (vm.kind === 'ssvm') return ['cloud', 'apache2', 'nfs-common', 'portmap'];
  if (vm.kind === 'cpvm') return ['cloud'];
  const r = vm as Router;
  const frr = compareVersions(r.template.version, '4.20') >= 0 ? ['frr'] : [];
  return ['haproxy', 'apache2', ...frr, r.isRedundant ? 'keepalived' : 'dnsmasq'];
}

function cmdline(vm: Vm): string {
  const type = vm.kind === 'ssvm' ? 'secstorage' : vm.kind === 'cpvm' ? 'consoleproxy' : (vm as Router).vpcId ? 'vpcrouter' : 'router';
  return `template=domP type=${type} name=${vm.name} eth0ip=${vm.linkLocalIp} eth0mask=255.255.0.0 redundant_router=${vm.kind === 'router' && vm.isRedundant}\n`;
}

function releaseDate(version: string): string {
  return compareVersions(version, '4.20') >= 0 ? 'Tue Nov 12 09:20:33 UTC 2024' : 'Mon Feb 19 11:05:21 UTC 2024';
}

export function vmHost(core: LabCore, vm: SystemVm | Router): HostContext {
  const fs = new Vfs();
  fs.defineDynamic('/etc/cloudstack-release', () => `Cloudstack Release ${vm.template.version} ${releaseDate(vm.template.version)}\n`);
  fs.defineDynamic('/var/cache/cloud/enabled_svcs', () => enabledServices(vm).join(' ') + '\n');
  fs.defineDynamic('/var/cache/cloud/disabled_svcs', () => '\n');
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
    const enabled = new Set(enabledServices(vm));
    if (verb === 'is-active' || verb === 'status') {
      let status = 0;
      for (const u of units) {
        const active = vm.state === 'Running' && enabled.has(u);
        if (!quiet) io.out(verb === 'status' ? `● ${u}.service\n     Active: ${active ? 'active (running)' : 'inactive (dead)'}\n` : `${active ? 'active' : 'inactive'}\n`);
        if (!active) status = 3;
      }
      return status;
    }
    if (verb === 'restart' || verb === 'daemon-reload') return 0;
    io.err(`lab: systemctl: verb ${verb ?? ''} is not emulated on system VMs\n`);
    return 1;
  };
  const commands = new Map<string, CommandImpl>([...BASIC_COMMANDS, ['systemctl', systemctl], ['sleep', sleepCommand(core)], ['date', dateCommand(core)]]);
  return { name: vm.name, fs, commands, home: '/root' };
}
