// `cloudstack.vm_services`: from the KVM host that runs a system VM or router, check that services inside
// it are active (`systemctl is-active`). The list is given, or read from a file in the VM (enabled_svcs)
// and parsed as words. The command crosses two shells — the host's, then the VM's through ssh — so every
// value is quoted once for each, and a word that cannot be a unit name is refused and reported, never run.

import { shellQuote } from '../../util/shell-quote.js';
import { arg } from '../schema/arg.js';
import { allKnown, firstUnknown, type ArgsOf } from '../schema/schema.js';
import { defineStep, StepFailedError, type StepContext, type StepOutcome } from '../types.js';
import { BECOME_ARGS, execShell, lastLine } from '../remote/command.js';
import { selection } from './common.js';
import { isIpAddress, parseServiceList, shown } from './unit-names.js';

/** How a KVM host reaches a system VM (docs/cloudstack-facts.md §10): port 3922, the host's cloud key. */
export const DEFAULT_VM_SSH = 'ssh -p 3922 -i /root/.ssh/id_rsa.cloud -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10';

const VM_SERVICES_ARGS = {
  address: arg.string("the VM's control address (linklocalip in listSystemVms / listRouters)").required(),
  vm: arg.string('the VM name, for messages (s-1-VM, r-4-VM)'),
  services: arg.list(arg.string(), 'units to check (a list; an item may hold several names separated by spaces)', { single: true }),
  services_from: arg.string('a file in the VM that lists the units to check (words on any number of lines, commas allowed), e.g. /var/cache/cloud/enabled_svcs'),
  allow_inactive: arg.list(arg.string(), 'units that may be inactive (a BACKUP router keeps some stopped); items split on spaces like services', { single: true }),
  ssh: arg.string('the command that reaches the VM from the host, before the address (playbook text, run by the host shell)').default(DEFAULT_VM_SSH),
  ...BECOME_ARGS,
};
type VmServicesArgs = ArgsOf<typeof VM_SERVICES_ARGS>;

interface Checked {
  readonly services: Array<{ name: string; state: string }>;
  readonly inactive: string[];
  readonly rejected: string[];
  readonly source: string;
}

/** `<ssh> 'ADDRESS' '<command for the VM>'`: ssh hands its last argument to the VM's shell, so that text is quoted for it first. */
function inVm(args: VmServicesArgs, vmCommand: string): string {
  return `${args.ssh} ${shellQuote(args.address, 'always')} ${shellQuote(vmCommand, 'always')}`;
}

async function runInVm(ctx: StepContext, args: VmServicesArgs, vmCommand: string, okCodes: readonly number[]): Promise<string> {
  const t = await ctx.services.ssh(ctx.hostName);
  const r = await execShell(ctx, t, { ...args, command: inVm(args, vmCommand) });
  if (r.rc === null || !okCodes.includes(r.rc)) {
    const why = lastLine(r) || `exit code ${String(r.rc)}`;
    throw new StepFailedError(`${label(args)}: cannot reach the VM from ${ctx.hostName} (${r.rc === 255 ? 'ssh failed' : `exit code ${String(r.rc)}`}): ${why}`);
  }
  return r.stdout;
}

function label(args: VmServicesArgs): string {
  return args.vm ? `${args.vm} (${args.address})` : args.address;
}

async function check(ctx: StepContext, args: VmServicesArgs): Promise<Checked> {
  if (!isIpAddress(args.address)) throw new StepFailedError(`${args.vm ?? 'the VM'}: the address ${shown([args.address])} is not an IP address; nothing was run`);
  let units: string[];
  let rejected: string[];
  let source = 'services';
  if (args.services_from !== undefined) {
    source = args.services_from;
    const parsed = parseServiceList(await runInVm(ctx, args, `cat -- ${shellQuote(args.services_from, 'always')}`, [0]));
    units = parsed.units;
    rejected = parsed.rejected;
  } else {
    ({ units, rejected } = parseServiceList(selection(args.services).join(' ')));
  }
  if (units.length === 0) return { services: [], inactive: [], rejected, source };
  // systemctl is-active exits 3 when a unit is not active; its answer is one line per unit, in order
  const out = await runInVm(ctx, args, `systemctl is-active -- ${units.map((u) => shellQuote(u, 'always')).join(' ')}`, [0, 1, 3, 4]);
  const states = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const services = units.map((name, i) => ({ name, state: states[i] ?? 'unknown' }));
  const allowed = new Set(parseServiceList(selection(args.allow_inactive).join(' ')).units);
  return { services, inactive: services.filter((s) => s.state !== 'active' && !allowed.has(s.name)).map((s) => s.name), rejected, source };
}

function describeArgs(args: VmServicesArgs): string {
  return args.services_from !== undefined ? `the services listed in ${args.services_from}` : `${selection(args.services).join(', ')}`;
}

export const vmServicesStep = defineStep({
  name: 'cloudstack.vm_services',
  summary: 'From the KVM host that runs a system VM or router, check that its services are active',
  description: [
    "Runs on the play's host — the KVM host that runs the VM — and asks `systemctl is-active` inside a system VM or router over "
      + '`ssh` on its control address ([cloudstack-facts.md §10](cloudstack-facts.md)). `address` must be an IPv4 or IPv6 literal '
      + '(anything else is refused before anything runs); `services_from` names a file in the VM listing the units, e.g. '
      + '`/var/cache/cloud/enabled_svcs` ([cloudstack-facts.md §6.3](cloudstack-facts.md)): words on any number of lines, commas '
      + "allowed. Exactly one of `services` and `services_from` (a load-time error otherwise). With `become` the `ssh` runs through "
      + "sudo on the host (the cloud key is root's).",
    '',
    "The command crosses two shells: the host's, then the VM's, to which `ssh` hands its last argument. The address and the VM's "
      + "command are each one single-quoted word for the host's shell, and inside the VM's command every unit name is single-quoted "
      + 'again, after `--`. Values read from the VM are never part of a command as code: a word of the file that cannot be a unit '
      + 'name (letters, digits and `:_.@-`, not starting with `-`) is refused — shown escaped in the message — and fails the step, '
      + "while the words that can be unit names are still checked. An unreachable VM (`ssh` exit 255) fails with ssh's own message. "
      + 'Writes one line per VM (`r-4-VM (169.254.3.7): haproxy active, …`).',
  ].join('\n'),
  result: {
    vm: ['string or null', 'the `vm` argument'],
    address: ['string', "the VM's control address"],
    services: ['list', 'per unit: `name`, `state` (the `systemctl is-active` word)'],
    inactive: ['list of strings', 'units not active (and not allowed to be)'],
    rejected: ['list of strings', 'words of `services_from` that cannot be unit names (not run)'],
    source: ['string', '`services` or the file read'],
  },
  args: VM_SERVICES_ARGS,
  effect: 'read',
  runsOn: 'host',
  validate(args, report) {
    if ((args.services === undefined) === (args.services_from === undefined)) {
      report(args.services === undefined ? 'services' : 'services_from', 'conflicting-arguments', "'cloudstack.vm_services' takes exactly one of services and services_from");
    }
  },
  describe: (args) => `check ${allKnown(args) ? describeArgs(args) : 'services'} in ${allKnown(args) ? label(args) : 'a VM'}`,
  async apply(ctx, args): Promise<StepOutcome> {
    if (!allKnown(args)) throw new StepFailedError(`${firstUnknown(args)!.name} is not known`);
    const c = await check(ctx, args);
    const result = { vm: args.vm ?? null, address: args.address, ...c };
    const states = c.services.map((s) => `${s.name} ${s.state}`).join(', ');
    const problems: string[] = [];
    if (c.rejected.length > 0) problems.push(`${c.source} holds text that is not a unit name: ${shown(c.rejected)} (not run)`);
    if (c.inactive.length > 0) problems.push(`not active: ${c.inactive.join(', ')}`);
    if (c.services.length === 0 && c.rejected.length === 0) problems.push(`${c.source} lists no service`);
    if (problems.length > 0) throw new StepFailedError(`${label(args)}: ${problems.join('; ')}${states ? ` (${states})` : ''}`, result);
    // a line per VM checked: a loop over many VMs shows what each answered
    ctx.output(`${label(args)}: ${states}`);
    return { changed: false, msg: `${label(args)}: ${states}`, result };
  },
});
