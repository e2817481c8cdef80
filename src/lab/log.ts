// Lab activity log: one event per API call, host command and lifecycle change. Secrets are masked here,
// at the single place events are built, so no sink can leak them.

export type LabLogEvent =
  | {
      readonly kind: 'api';
      readonly time: number;
      readonly port: 'api' | 'integration';
      readonly method: string;
      readonly command: string;
      readonly params: Readonly<Record<string, string>>;
      readonly status: number;
      /** The answering management server, in a cluster of several. */
      readonly server?: string;
    }
  | { readonly kind: 'host'; readonly time: number; readonly host: string; readonly command: string; readonly exitCode: number }
  | { readonly kind: 'ms'; readonly time: number; readonly message: string }
  | { readonly kind: 'job'; readonly time: number; readonly jobId: string; readonly cmd: string; readonly status: number };

export type LabLogListener = (event: LabLogEvent) => void;

/** Parameter names whose values never leave the lab unmasked. */
const SECRET_PARAMS = new Set(['apikey', 'signature', 'sessionkey', 'password', 'secretkey', 'token']);

export function maskParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k.toLowerCase()) ? '***' : v;
  return out;
}

/** Replaces every occurrence of the given secrets in free text (host command lines). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

export function formatLogEvent(e: LabLogEvent): string {
  const t = new Date(e.time).toISOString();
  switch (e.kind) {
    case 'api': {
      const ps = Object.entries(e.params)
        .filter(([k]) => k.toLowerCase() !== 'command')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `${t}${e.server ? ` ${e.server}:` : ''} api${e.port === 'integration' ? ' (integration port)' : ''} ${e.method} ${e.command}${ps ? ' ' + ps : ''} -> ${e.status}`;
    }
    case 'host':
      return `${t} host ${e.host}: ${e.command} -> exit ${e.exitCode}`;
    case 'ms':
      return `${t} management server: ${e.message}`;
    case 'job':
      return `${t} job ${e.jobId} ${e.cmd} -> status ${e.status}`;
  }
}
