// `ssh` on a KVM host, for reaching system VMs the way operators do (CloudStack docs, adminguide/systemvm.rst,
// "Accessing System VMs"): `ssh -p 3922 -i /root/.ssh/id_rsa.cloud <link-local-ip> '<cmd>'`. Only VMs that run
// on this host are reachable; a stopped VM refuses the connection; exit 255 on every failure, like OpenSSH.

import type { LabCore } from '../../core.js';
import type { HypervisorHost } from '../../world/types.js';
import type { CommandImpl } from '../shell/types.js';
import { newShell } from '../shell/interpreter.js';
import { vmHost } from '../vm-host.js';

export function sshClientCommand(core: LabCore, host: HypervisorHost | undefined): CommandImpl {
  return async (argv, io, ctx) => {
    let port = 22;
    let key: string | undefined;
    let user = 'root';
    let target: string | undefined;
    let i = 1;
    for (; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-p') port = Number(argv[++i]);
      else if (/^-p\d+$/.test(a)) port = Number(a.slice(2));
      else if (a === '-i') key = argv[++i];
      else if (a === '-l') user = argv[++i] ?? user;
      else if (a === '-o' || a === '-F' || a === '-E') i++;
      else if (/^-[qTtnvxCNA46]+$/.test(a)) continue;
      else if (a.startsWith('-')) {
        io.err(`lab: ssh: option ${a} is not emulated\n`);
        return 255;
      } else {
        target = a;
        i++;
        break;
      }
    }
    if (!target) {
      io.err('usage: ssh [-p port] [-i identity_file] [-o option] destination [command]\n');
      return 255;
    }
    if (target.includes('@')) [user, target] = [target.slice(0, target.indexOf('@')), target.slice(target.indexOf('@') + 1)];
    const command = argv.slice(i).join(' ');
    const w = core.world;
    const vm = host ? [...w.systemVms, ...w.routers].find((v) => v.linkLocalIp === target && v.lastHostId === host.id) : undefined;
    if (!vm) {
      io.err(`ssh: connect to host ${target} port ${port}: No route to host\n`);
      return 255;
    }
    if (port !== 3922 || vm.state !== 'Running') {
      io.err(`ssh: connect to host ${target} port ${port}: Connection refused\n`);
      return 255;
    }
    if (user !== 'root' || key === undefined || !ctx.host.fs.isFile(key.startsWith('/') ? key : `${ctx.sh.cwd}/${key}`) || !key.endsWith('id_rsa.cloud')) {
      io.err(`${user}@${target}: Permission denied (publickey).\n`);
      return 255;
    }
    if (!command) {
      io.err('lab: ssh: interactive sessions are not emulated; give a command\n');
      return 255;
    }
    const vmCtx = vmHost(core, vm);
    return ctx.runScript(command, io, newShell(vmCtx), vmCtx);
  };
}
