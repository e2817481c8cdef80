// Version arithmetic used by the world: CloudStack compares dotted versions numerically and trims
// router template versions to x.y.z (CloudStackVersion.trimRouterVersion).

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

/** True for the 4.21+ JSON field order of async-job responses. */
export function isAtLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}
