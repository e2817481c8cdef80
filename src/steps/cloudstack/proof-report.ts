// The upgrade proof as data, then as Markdown: each system VM, router, KVM host and management server
// with the facts that say whether the upgrade reached it, and for what is not done, why and which
// bundled playbook (or manual action) does it. Pure: the step gathers the rows, this judges them.

import { sameVersion } from './common.js';
import { mdCell } from './report-file.js';
import type { ServerPort } from './port-inspect.js';
import { text, type Row } from './queries.js';

export interface ProofItem {
  readonly kind: 'system VM' | 'router' | 'KVM host' | 'management server';
  readonly name: string;
  readonly zone: string;
  readonly state: string;
  readonly version: string;
  /** Agent state (system VMs, hosts), requiresupgrade and health checks (routers), integration port (servers). */
  readonly detail: string;
  readonly done: boolean;
  /** Why it is not done, and what does it. */
  readonly why?: string;
  readonly fix?: string;
}

export interface Proof {
  readonly version: string;
  readonly done: boolean;
  readonly items: readonly ProofItem[];
  readonly not_done: readonly ProofItem[];
  /** Not counted against the upgrade (a Stopped router gets the new template when it starts). */
  readonly notes: readonly string[];
}

const RESTART = 'cloudstack/systemvm-restart (or cloudstack/systemvm-restart-api)';

function systemVm(v: Row, version: string): ProofItem {
  const base = { kind: 'system VM' as const, name: text(v['name']), zone: text(v['zonename']), state: text(v['state']), version: text(v['version'], 'unknown') };
  const agent = text(v['agentstate'], 'unknown');
  const detail = `${text(v['systemvmtype'])}, agent ${agent}`;
  const why = v['state'] !== 'Running' ? `${base.state}, not Running`
    : !sameVersion(v['version'], version) ? `at ${base.version}, not ${version}`
      : agent !== 'Up' ? `agent ${agent}, not Up` : undefined;
  return why ? { ...base, detail, done: false, why, fix: RESTART } : { ...base, detail, done: true };
}

function router(r: Row, version: string): ProofItem {
  const base = { kind: 'router' as const, name: text(r['name']), zone: text(r['zonename']), state: text(r['state']), version: text(r['version'], 'unknown') };
  const upgrade = r['requiresupgrade'] === true;
  const health = r['healthchecksfailed'] === true ? 'health checks failing' : 'health checks passing';
  const detail = `requiresupgrade ${upgrade}, ${health}`;
  if (r['state'] !== 'Running') return { ...base, detail, done: true };
  const why = upgrade ? `requires an upgrade (template ${base.version}, not ${version})`
    : r['healthchecksfailed'] === true ? 'its health checks fail (getRouterHealthCheckResults names them)' : undefined;
  const fix = upgrade ? `${RESTART}, or cloudstack/systemvm-live-patch` : 'look at getRouterHealthCheckResults; a reboot (cloudstack/systemvm-restart-api) runs them again';
  return why ? { ...base, detail, done: false, why, fix } : { ...base, detail, done: true };
}

function kvmHost(h: Row, version: string): ProofItem {
  const base = { kind: 'KVM host' as const, name: text(h['name']), zone: text(h['zonename']), state: text(h['state']), version: text(h['version'], 'unknown') };
  const detail = `resource ${text(h['resourcestate'], 'unknown')}`;
  const why = !sameVersion(h['version'], version) ? `agent at ${base.version}, not ${version} (an older agent may not connect: apache/cloudstack#11917)`
    : h['state'] !== 'Up' ? `agent ${base.state}, not Up` : undefined;
  return why ? { ...base, detail, done: false, why, fix: 'upgrade cloudstack-agent on the host and restart it (no bundled playbook does this)' } : { ...base, detail, done: true };
}

function server(s: ServerPort, version: string): ProofItem {
  const open = Object.entries(s.listening).filter(([, st]) => st === 'open').map(([p]) => p);
  const base = { kind: 'management server' as const, name: s.name, zone: '-', state: s.state, version: s.version || 'unknown' };
  const detail = open.length > 0 ? `integration port ${open.join(', ')} listening` : 'integration port closed';
  const why = s.state !== 'Up' ? `${s.state}, not Up`
    : !sameVersion(s.version, version) ? `at ${base.version}, not ${version}`
      : open.length > 0 ? `the unauthenticated integration port ${open.join(', ')} listens` : undefined;
  const fix = open.length > 0 && s.state === 'Up' && sameVersion(s.version, version)
    ? 'set integration.api.port back and restart the server (cloudstack.integration_port state: closed, as cloudstack/systemvm-restart does at its end)'
    : 'upgrade the packages of this server and start it';
  return why ? { ...base, detail, done: false, why, fix } : { ...base, detail, done: true };
}

export function judge(version: string, rows: { systemVms: readonly Row[]; routers: readonly Row[]; hosts: readonly Row[]; servers: readonly ServerPort[] }): Proof {
  const items = [
    ...rows.servers.map((s) => server(s, version)),
    ...rows.systemVms.map((v) => systemVm(v, version)),
    ...rows.routers.map((r) => router(r, version)),
    ...rows.hosts.map((h) => kvmHost(h, version)),
  ];
  const stopped = rows.routers.filter((r) => r['state'] !== 'Running' && r['requiresupgrade'] === true).map((r) => text(r['name']));
  const notes = stopped.length > 0 ? [`${stopped.join(', ')}: not Running; a router gets the new template when it is started again`] : [];
  const notDone = items.filter((i) => !i.done);
  return { version, done: notDone.length === 0, items, not_done: notDone, notes };
}

const cell = mdCell;

export function proofMarkdown(p: Proof, source: string, at: string): string {
  const out = [`# Upgrade proof: CloudStack ${p.version}`, '', `Read from ${source} at ${at}.`, '',
    p.done ? '**Done**: everything below is at the new version, Running and Up, and no integration port listens.'
      : `**Not done**: ${p.not_done.length} item(s) below.`, ''];
  if (!p.done) {
    out.push('## Not done', '', '| what | name | zone | why | what does it |', '|---|---|---|---|---|');
    for (const i of p.not_done) out.push(`| ${i.kind} | ${cell(i.name)} | ${cell(i.zone)} | ${cell(i.why ?? '')} | ${cell(i.fix ?? '')} |`);
    out.push('');
  }
  for (const n of p.notes) out.push(`Note: ${n}`, '');
  for (const kind of ['management server', 'system VM', 'router', 'KVM host'] as const) {
    const rows = p.items.filter((i) => i.kind === kind);
    if (rows.length === 0) continue;
    out.push(`## ${kind === 'management server' ? 'Management servers' : `${kind}s`}`, '', '| name | zone | state | version | | done |', '|---|---|---|---|---|---|');
    for (const i of rows) out.push(`| ${cell(i.name)} | ${cell(i.zone)} | ${cell(i.state)} | ${cell(i.version)} | ${cell(i.detail)} | ${i.done ? 'yes' : 'no'} |`);
    out.push('');
  }
  return out.join('\n');
}
