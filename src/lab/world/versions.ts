// Version arithmetic used by the world (CloudStack compares dotted versions numerically and trims
// router template versions to x.y.z, CloudStackVersion.trimRouterVersion), and what each release's
// cloudstack-sysvmadm does (its profile).

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** x.y.z from a longer version (4.20.1.0 → 4.20.1). */
export function trimVersion(v: string): string {
  return v.split('.').slice(0, 3).join('.');
}

/** x.y.z.w, padding with zeros (4.19.0 → 4.19.0.0). */
export function fullVersion(v: string): string {
  const p = v.split('.');
  while (p.length < 4) p.push('0');
  return p.slice(0, 4).join('.');
}

/** True when `version` is `min` or later. */
export function isAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}

/**
 * What `cloudstack-sysvmadm` does in a release (setup/bindir/cloud-sysvmadm.in at the tag named in
 * `source`). The job JSON it scrapes is the API's; the profile says only how the script reads it.
 */
export interface SysvmadmProfile {
  /** The versions it covers, as docs/lab.md names them. */
  readonly name: string;
  readonly source: string;
  /** Before apache/cloudstack#9200: line 21 sources /etc/rc.d/init.d/functions (missing on Debian/Ubuntu, #9000). */
  readonly sourcesInitFunctions: boolean;
  /** fixed: http://$ms:8096 always; db: the value of integration.api.port, checked before anything else. */
  readonly port: 'fixed' | 'db';
  /** The comma-separated field of the stripped job JSON read as jobstatus ($4 before #9200, $7 after). */
  readonly statusField: 4 | 7;
  /** The column read for SSVM/CPVM/router and VPC ids: numeric `id` before #9200, `uuid` after. */
  readonly idColumn: 'id' | 'uuid';
  /** The usage heading gained "It requires integration API port to be enabled." in #9200. */
  readonly usageNote: boolean;
  /** A last, partial batch of -t is never waited out (apache/cloudstack#12067; fixed by PR #12355). */
  readonly partialBatchHang: boolean;
}

const PRE_9200 = { sourcesInitFunctions: true, port: 'fixed', statusField: 4, idColumn: 'id', usageNote: false, partialBatchHang: true } as const;
const POST_9200 = { sourcesInitFunctions: false, port: 'db', statusField: 7, idColumn: 'uuid', usageNote: true, partialBatchHang: true } as const;

/** Oldest first: the profile of a version is the last one whose `from` it reaches. */
const SYSVMADM_PROFILES: ReadonlyArray<{ readonly from: string; readonly profile: SysvmadmProfile }> = [
  { from: '0', profile: { name: '4.18.x', source: 'setup/bindir/cloud-sysvmadm.in at 4.18.2.5', ...PRE_9200 } },
  { from: '4.19.0', profile: { name: '4.19.0.x', source: 'setup/bindir/cloud-sysvmadm.in at 4.19.0.0', ...PRE_9200 } },
  { from: '4.19.1', profile: { name: '4.19.1.x', source: 'setup/bindir/cloud-sysvmadm.in at 4.19.1.0', ...PRE_9200 } },
  { from: '4.19.2', profile: { name: '4.19.2+', source: 'setup/bindir/cloud-sysvmadm.in at 4.19.2.0 (apache/cloudstack#9200)', ...POST_9200 } },
  { from: '4.20.0', profile: { name: '4.20.0–4.20.2', source: 'setup/bindir/cloud-sysvmadm.in at 4.20.0.0 and 4.20.1.0', ...POST_9200 } },
  { from: '4.20.3', profile: { name: '4.20.3+', source: 'apache/cloudstack PR #12355 (4.20.3.0), fixing #12067', ...POST_9200, partialBatchHang: false } },
  { from: '4.21.0', profile: { name: '4.21', source: 'setup/bindir/cloud-sysvmadm.in at 4.21.0.0 (as 4.20.1.0)', ...POST_9200 } },
  { from: '4.22.0', profile: { name: '4.22', source: '4.22.0.0, assumed to carry PR #12355 (its script could not be read)', ...POST_9200, partialBatchHang: false } },
];

export function sysvmadmProfile(version: string): SysvmadmProfile {
  let p = SYSVMADM_PROFILES[0]!.profile;
  for (const e of SYSVMADM_PROFILES) if (isAtLeast(version, e.from)) p = e.profile;
  return p;
}

/**
 * The system VM template a release ships and its upgrade registers: `project.systemvm.template.version`
 * of the root pom.xml, which lags the release (the same table as source/_global.rst of
 * apache/cloudstack-documentation at each release tag): 4.18.1–4.18.2 ship 4.18.1, 4.19.1–4.19.3 ship
 * 4.19.1, 4.20.2–4.21.0 ship 4.20.2, 4.22–4.23 ship 4.22.0. A release not in the table ships x.y.z.
 */
const SHIPPED_TEMPLATES: ReadonlyArray<readonly [from: string, template: string]> = [
  ['4.18.0', '4.18.0'], ['4.18.1', '4.18.1'], ['4.19.0', '4.19.0'], ['4.19.1', '4.19.1'], ['4.20.0', '4.20.0'], ['4.20.1', '4.20.1'],
  ['4.20.2', '4.20.2'], ['4.22.0', '4.22.0'], ['4.24.0', ''],
];

export function shippedTemplateVersion(release: string): string {
  let t = '';
  for (const [from, v] of SHIPPED_TEMPLATES) if (isAtLeast(release, from)) t = v;
  return t === '' ? trimVersion(release) : t;
}

/**
 * The name a template version is registered under (engine/schema/templateConfig.sh): systemvm-kvm-4.19.1
 * before 4.20, systemvm-kvm-4.20.2-x86_64 from 4.20 (one template per architecture).
 */
export function systemTemplateName(templateVersion: string, hypervisor = 'kvm', arch = 'x86_64'): string {
  const base = `systemvm-${hypervisor}-${trimVersion(templateVersion)}`;
  return isAtLeast(templateVersion, '4.20.0') ? `${base}-${arch}` : base;
}
