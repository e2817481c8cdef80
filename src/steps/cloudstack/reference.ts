// What the step reference says about the CloudStack step types that act on many units — the system VMs
// and the routers — and about the filters they share with `cloudstack.selection`: behaviour, dry runs
// and registered results, kept beside the steps (each definition takes its text from here).

import type { ResultFields } from '../types.js';

/** Why a filter that names nothing stops the step, shared by the three steps that select. */
export const FILTERS_DOC = [
  'Filters are checked against the cloud before anything is done, in a dry run too: every value of `zones`, `names`, `networks` '
    + 'and `vpcs` must name (or be the id of) a zone, VM, network or VPC that exists, in any state; otherwise the step fails with '
    + 'every unknown value, what exists and the nearest name (`zones: no zone \'zoen1\' on mgmt1 — did you mean \'zone1\'? (zones: '
    + 'zone1, zone2). Nothing was done.`). When such filters are given and select nothing together (a VM name in another zone, a '
    + 'network no router serves), the step fails too, unless `allow_empty: true` says an empty selection is expected. `states` and '
    + '`requiresupgrade` are not checked this way: "no router needs an upgrade any more" is a run with nothing to do.',
].join('\n');

export const SYSTEM_VMS_DOC = [
  '`restart` is stopSystemVm + startSystemVm (rebuilds the VM from the current template; works on every version); `patch` is '
    + 'patchSystemVm (4.17+, no downtime); `reboot` is rebootSystemVm (it does not change the template, so its version check fails '
    + 'unless the VM was already current). VMs are handled `concurrency` at a time (default 1, like cloudstack-sysvmadm) in a rolling '
    + 'window: the next VM starts as soon as one finishes, and `per_zone` / `per_host` cap how many run at once in one zone or on '
    + 'one hypervisor host. Each VM is shown as a subtask.',
  '',
  'After each action the VM must be `Running`, its agent `Up` and report the expected version (the management server\'s, or '
    + '`version`); the agent reconnects after the job ends, so `listSystemVms` is polled up to `verify_timeout` '
    + '([cloudstack-facts.md §11.14](cloudstack-facts.md)). Any failed VM fails the step with a summary naming the VMs (the result is '
    + 'still registered); for `patch` the message says the VMs can be restarted instead. A job lost in a management-server restart '
    + 'is reported as such. A dry run lists exactly the VMs and the action per VM.',
  '',
  FILTERS_DOC,
].join('\n');

export const SYSTEM_VMS_RESULT: ResultFields = {
  action: ['string', 'restart, reboot or patch'],
  endpoint: ['string', 'the management-server host'],
  expected_version: ['string or null', 'the version the VMs were checked against'],
  total: ['integer', 'VMs selected'],
  totals: ['mapping', '`{ok, failed, skipped}` (not `failed`/`changed`, which are the step\'s own)'],
  vms: ['list', 'per VM: `name`, `type`, `zone`, `status`, `message`, `jobs`, `before`, `after`, `details`'],
};

export const ROUTERS_DOC = [
  '`reboot` calls rebootRouter per router; `restart-network` calls restartNetwork per isolated network and restartVPC per VPC (each '
    + 'once, however many tiers or routers matched; `livepatch` and `cleanup` are passed as given); `upgrade-template` calls '
    + 'upgradeRouterTemplate per router and waits for the reboot jobs it answers with.',
  '',
  'Units run in a rolling window: at most `concurrency` at once (default 5), the next starting as soon as any finishes; `per_zone` '
    + 'and `per_host` cap the units in flight in one zone or on one hypervisor host of their routers (a unit that does not fit is '
    + 'passed over for one that does). No unit waits for the slowest: a slow or failing unit holds one slot while the others go on.',
  '',
  'Redundant pairs: the routers of one redundant network or VPC form a chain, BACKUP first, then anything not PRIMARY, PRIMARY '
    + 'last; a chain runs one unit at a time, and a chain under way gets the next free slot before new chains start. If a router of '
    + 'a chain fails, the rest of the chain is left alone (its peer keeps the network up).',
  '',
  'Routers that are not `Running` when the step starts are never acted on and never waited for: they are listed in '
    + '`skipped_routers` (with a warning), and a restarted network\'s Stopped router is named in its unit\'s message (`not waited '
    + 'for: r-20-VM (Stopped before the run)`). For `reboot` and `upgrade-template`, a redundant router whose peer is not Running is '
    + 'left alone too (rebooting it would leave the network without a router).',
  '',
  'Verification lists the routers of each unit again (by network or VPC, so routers recreated by `cleanup` are found): each must be '
    + '`Running` and, with `verify_upgrade`, no longer require an upgrade. A live patch that failed silently — the restart job '
    + 'succeeded but the router still requires an upgrade ([cloudstack-facts.md §6.4](cloudstack-facts.md)) — fails the step naming '
    + 'the router. restartVPC with livepatch does not patch a VPC without tiers ([cloudstack-facts.md §6.4](cloudstack-facts.md)): '
    + 'such a VPC is not restarted at all, its unit is `skipped` with the reason and its routers are listed in '
    + '`not_patchable_routers` (reboot them instead; the live-patch playbook does). Warnings (and the dry-run plan) say when '
    + '`cleanup: true` disables `livepatch`, name the VPCs without tiers and the routers left alone. A failed unit, or one left '
    + 'undone by a failed peer or an interrupt, fails the step (the message names each); routers left alone and VPCs that cannot be '
    + 'live-patched do not. A dry run shows the window, then the networks, VPCs and routers in the order it takes them.',
  '',
  FILTERS_DOC,
].join('\n');

export const ROUTERS_RESULT: ResultFields = {
  action: ['string', 'reboot, restart-network or upgrade-template'],
  endpoint: ['string', 'the management-server host'],
  routers_selected: ['integer', 'routers the filters selected'],
  total: ['integer', 'units (routers, networks or VPCs) handled'],
  totals: ['mapping', '`{ok, failed, skipped}` of the units'],
  failed_routers: ['list of strings', 'routers that failed, by name'],
  window: ['mapping', '`concurrency`, `per_zone`, `per_host` (null when not capped)'],
  order: ['list', 'the chains as lists of unit labels, in the order the window takes them'],
  skipped_routers: ['list', 'routers left alone: `id`, `name`, `zone`, `state`, `reason`'],
  not_patchable: ['list', 'VPCs a live patch cannot reach: `kind`, `name`, `zone`, `routers`, `reason`'],
  not_patchable_routers: ['list of strings', 'the routers of those VPCs'],
  units: ['list', 'per unit: `kind`, `name`, `command`, `params`, `status`, `reason` when skipped (`interrupted`, `peer-failed`, '
    + '`not-patchable`), `message`, `jobs`, `routers` as verified, `failedRouters`, `notWaitedFor`'],
  warnings: ['list of strings', 'what the run warned about'],
};
