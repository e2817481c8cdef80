// What stackplay knows about the cloudstack-sysvmadm each release ships (setup/bindir/cloud-sysvmadm.in,
// docs/cloudstack-facts.md §8.5, §8.6): whether it can work against its own server's job JSON at all,
// and whether a last, partial batch of routers hangs it. Kept apart from the steps so preflight and the
// restart agree on every release.

import { parseVersion } from '../../expr/version.js';

/** True when `version` is `min` or later, on the numeric parts (4.20.1 equals 4.20.1.0; 4.22.0.0-SNAPSHOT is 4.22). */
export function atLeast(version: string, min: string): boolean {
  const a = parseVersion(version)?.parts;
  const b = parseVersion(min)?.parts;
  if (a === undefined || b === undefined) return false;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export interface SysvmadmRelease {
  /** The server's version as CloudStack reports it. */
  readonly version: string;
  /** Why this release's script cannot restart anything here, or undefined when it can. */
  readonly broken: string | undefined;
  /** A last batch smaller than -t is never waited out (apache/cloudstack#12067; fixed by PR #12355, 4.20.3). */
  readonly partialBatchHang: boolean;
  /** Where the script takes the port from: 8096 always (before #9200), or integration.api.port. */
  readonly port: 'fixed-8096' | 'database';
  /** The way to take instead when `broken`. */
  readonly wayOut: string;
}

/**
 * The release table. The job status is scraped as a comma-separated field of the job JSON: the 4th
 * before #9200 (4.19.2), the 7th after. 4.19 added account/domainid/domainpath in front of jobstatus,
 * so the 4.19.0/4.19.1 script reads `domainpath:ROOT` and stops the SSVM and CPVM without starting them
 * again; 4.21 (Gson 2.10) moved jobstatus to the end, so the 7th field is jobprocstatus, always 0, and
 * the first job is polled forever (AsyncJobResponse.java and cloud-sysvmadm.in at 4.21.0.0 and on main
 * as of 2025-10, 4.22.0-SNAPSHOT).
 */
export function sysvmadmRelease(version: string): SysvmadmRelease {
  const livePatch = atLeast(version, '4.17');
  const wayOut = `use the playbook cloudstack/systemvm-restart-api (the same restarts through the signed API)${livePatch ? ' or cloudstack/systemvm-live-patch (no restart at all)' : ''}`;
  const fixed = atLeast(version, '4.19.2');
  let broken: string | undefined;
  if (atLeast(version, '4.19') && !fixed) {
    broken = `the cloudstack-sysvmadm of ${version} reads the 4th field of the job JSON, which 4.19 made domainpath: every job looks failed at its first poll, so the SSVM and CPVM are stopped and never started again (fixed in 4.19.2 by apache/cloudstack#9200; docs/cloudstack-facts.md §8.6)`;
  } else if (atLeast(version, '4.21')) {
    broken = `the cloudstack-sysvmadm of ${version} reads the 7th field of the job JSON, which 4.21 made jobprocstatus (always 0): it polls its first job forever (docs/cloudstack-facts.md §7.1, §8.6)`;
  }
  return {
    version,
    broken,
    // PR #12355 is in 4.20.3; 4.21.0 shipped the 4.20.1 script; 4.22 is taken to carry the fix
    partialBatchHang: !((atLeast(version, '4.20.3') && !atLeast(version, '4.21')) || atLeast(version, '4.22')),
    port: fixed ? 'database' : 'fixed-8096',
    wayOut,
  };
}

/**
 * `-t` for the `routers` sysvmadm will see, on a release whose last partial batch hangs: the largest
 * divisor of the count up to `max` (all at once when the count is at most `max`), unless that more
 * than doubles the number of batches `wanted` would take; then `wanted` stays and the run ends the
 * script itself once its last router is done (the hang is a sleep loop after all its work). With no
 * hang, or no partial batch, `wanted` as it is.
 */
export function routerThreads(routers: number, wanted: number, max: number, hangs: boolean): { readonly threads: number; readonly partialLastBatch: boolean } {
  const t = Math.max(1, wanted);
  if (!hangs || routers <= t || routers % t === 0) return { threads: t, partialLastBatch: false };
  let d = Math.max(1, Math.min(max, routers));
  while (routers % d !== 0) d--;
  if (Math.ceil(routers / d) <= 2 * Math.ceil(routers / t)) return { threads: d, partialLastBatch: false };
  return { threads: t, partialLastBatch: true };
}

/**
 * The system VM template each release's upgrade registers and looks for (docs/cloudstack-facts.md §11.20):
 * `project.systemvm.template.version` of its pom.xml, which lags the release. Undefined for a release
 * stackplay does not know (give the template version instead).
 */
const SHIPPED: ReadonlyArray<readonly [from: string, before: string, template: string]> = [
  ['4.18.0', '4.18.1', '4.18.0'], ['4.18.1', '4.19', '4.18.1'], ['4.19.0', '4.19.1', '4.19.0'], ['4.19.1', '4.20', '4.19.1'],
  ['4.20.0', '4.20.1', '4.20.0'], ['4.20.1', '4.20.2', '4.20.1'], ['4.20.2', '4.22', '4.20.2'], ['4.22.0', '4.24', '4.22.0'],
];

export function templateOfRelease(release: string): string | undefined {
  return SHIPPED.find(([from, before]) => atLeast(release, from) && !atLeast(release, before))?.[2];
}

/** engine/schema/templateConfig.sh: how a hypervisor is spelled in a template's name. */
const HYPERVISORS = new Set(['kvm', 'vmware', 'xenserver', 'hyperv', 'lxc', 'ovm3']);

/** systemvm-kvm-4.19.1 before 4.20; systemvm-kvm-4.20.2-x86_64 from 4.20 (a template per architecture). */
export function templateName(templateVersion: string, hypervisor: string, arch = 'x86_64'): string | undefined {
  const hv = hypervisor.toLowerCase();
  if (!HYPERVISORS.has(hv)) return undefined;
  const base = `systemvm-${hv}-${templateVersion.split('.').slice(0, 3).join('.')}`;
  return atLeast(templateVersion, '4.20.0') ? `${base}-${arch}` : base;
}

/** The Java major a release's management server runs on: JRE 11 up to 4.19, 17 from 4.20 (releasenotes/compat.rst). */
export function javaMajorOf(release: string): number {
  return atLeast(release, '4.20') ? 17 : 11;
}
