// Test harness for the SSH step types: a private OpenSSH sshd on several loopback addresses, a temp
// HOME (never the real ~/.ssh) whose known_hosts trusts it, an inventory pointing at it, and playbook
// runs through the application layer with an injectable clock.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServices, prepareRun } from '../../../src/app/index.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import type { Clock, RunSummary } from '../../../src/engine/executor.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { SecretRegistry } from '../../../src/secrets/masker.js';
import type { RunServices } from '../../../src/steps/types.js';
import type { RemoteTransport } from '../../../src/transports/types.js';
import { withProblemsShown } from '../../support/problems.js';
import { pubBlob } from '../../support/ssh-keys.js';
import { startTestSshServer, type TestSshServer } from '../../support/sshd.js';

export type End = Extract<RunEvent, { type: 'step-end' }>;

export interface HostSpec {
  readonly address?: string;
  /** Connect to this port instead of the sshd's (a proxy in front of it). */
  readonly port?: number;
  readonly extra?: string;
}

export interface RunOptions {
  readonly dryRun?: boolean;
  readonly interrupt?: AbortSignal;
  readonly secrets?: SecretRegistry;
  readonly onEvent?: (e: RunEvent, services: RunServices) => void;
  /** Called on every clock sleep (the clock itself returns at once). */
  readonly onSleep?: (ms: number) => void | Promise<void>;
  readonly clock?: Clock;
  readonly extraVars?: Record<string, unknown>;
}

export interface RunResult {
  readonly events: RunEvent[];
  readonly summary: RunSummary;
  end(name: string, host?: string): End;
  outputs(host?: string): string[];
  /** The value a `log: "{{json x}}"` step named `name` printed (how tests read registered results). */
  logged(name: string, host?: string): Record<string, unknown>;
}

export class SshWorld {
  readonly dir: string;
  private constructor(readonly server: TestSshServer, dir: string) {
    this.dir = dir;
  }

  static async start(addresses: readonly string[] = ['127.0.0.1', '127.0.0.2', '127.0.0.3']): Promise<SshWorld> {
    const server = await startTestSshServer({ addresses, kind: 'openssh' });
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-sshsteps-'));
    await mkdir(join(dir, '.ssh'), { mode: 0o700 });
    const world = new SshWorld(server, dir);
    await world.trust(addresses.map((a) => ({ address: a, port: server.port })));
    return world;
  }

  get knownHosts(): string {
    return join(this.dir, '.ssh', 'known_hosts');
  }

  /** known_hosts entries for the sshd's key at these address/port pairs (proxies included). */
  async trust(entries: ReadonlyArray<{ address: string; port: number }>): Promise<void> {
    const [type] = this.server.hostKeyPub.split(/\s+/);
    const lines = entries.map((e) => `[${e.address}]:${e.port} ${type} ${pubBlob(this.server.hostKeyPub)}`);
    await writeFile(this.knownHosts, lines.join('\n') + '\n', { flag: 'a' });
  }

  inventory(hosts: Readonly<Record<string, HostSpec>>, groups = ''): string {
    const lines = ['hosts:'];
    for (const [name, h] of Object.entries(hosts)) {
      lines.push(`  ${name}:`, `    address: ${h.address ?? '127.0.0.1'}`, `    port: ${h.port ?? this.server.port}`,
        `    user: ${this.server.user}`, `    key_file: ${this.server.keys.ed25519.path}`);
      if (h.extra) lines.push(h.extra);
    }
    return lines.join('\n') + '\n' + groups;
  }

  async run(playbook: string, inventoryText: string, o: RunOptions = {}): Promise<RunResult> {
    return runPlaybookText(playbook, inventoryText, { dir: this.dir, knownHosts: this.knownHosts, ...o });
  }

  /** A transport to `host` through the services a run would get, for tests below the step level. */
  async transport(inventoryText: string, host: string): Promise<{ transport: RemoteTransport; services: RunServices; close(): Promise<void> }> {
    const secrets = new SecretRegistry();
    const inv = loadInventory(join(this.dir, 'inv.yml'), inventoryText, { secrets, resolveSecrets: true });
    if (!inv.ok) throw new Error(JSON.stringify(inv.problems.items));
    const services = openServices(inv.inventory, secrets, { ssh: { configPath: null, userKnownHosts: this.knownHosts, homeDir: this.dir } });
    return { transport: await services.ssh(host), services, close: () => services.close() };
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs a playbook (YAML text) against an inventory (YAML text) through the application layer; `dir`
 * stands in for HOME and `knownHosts` for ~/.ssh/known_hosts.
 */
export async function runPlaybookText(playbook: string, inventoryText: string, o: RunOptions & { dir: string; knownHosts: string }): Promise<RunResult> {
  const secrets = o.secrets ?? new SecretRegistry();
  const clock: Clock = o.clock ?? {
    now: () => Date.now(),
    sleep: async (ms) => {
      await o.onSleep?.(ms);
      await new Promise((r) => setImmediate(r));
    },
  };
  const events: RunEvent[] = [];
  const prepared = await withProblemsShown(() => prepareRun({
    playbook: { file: join(o.dir, 'play.yml'), text: playbook }, inventory: { file: join(o.dir, 'inv.yml'), text: inventoryText },
    runId: 'test', extraVars: o.extraVars ?? {}, dryRun: o.dryRun ?? false, forks: 10,
  }, { secrets, clock, ssh: { configPath: null, userKnownHosts: o.knownHosts, homeDir: o.dir } }));
  const summary = await prepared.start({
    sink: (e) => {
      events.push(e);
      o.onEvent?.(e, prepared.services);
    },
    ...(o.interrupt ? { signal: o.interrupt } : {}),
  });
  const result: RunResult = {
    events, summary,
    end(name, host) {
      const e = events.find((x): x is End => x.type === 'step-end' && x.name === name && (host === undefined || x.host === host));
      if (!e) throw new Error(`no step-end for '${name}'${host ? ` on ${host}` : ''}: ${JSON.stringify(events.filter((x) => x.type === 'step-end'))}`);
      return e;
    },
    logged(name, host) {
      return JSON.parse(result.end(name, host).msg ?? 'null') as Record<string, unknown>;
    },
    outputs(host) {
      return events.flatMap((e) => (e.type === 'step-output' && (host === undefined || e.host === host) ? [e.line] : []));
    },
  };
  return result;
}

/** A one-play playbook; `steps` are YAML lines indented by 6. */
export function playbook(steps: string, hosts = 'all', vars?: string): string {
  return ['name: t', 'plays:', '  - name: p', `    hosts: ${hosts}`, ...(vars ? ['    vars:', vars] : []), '    steps:', steps].join('\n');
}

/** A fresh temp directory for files a test's remote commands touch (sshd runs on this machine). */
export function scratch(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-remote-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pids of processes on this machine (where the sshd runs commands) whose command line contains `tag`. */
export function processesWith(tag: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(tag)) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

/** Polls (real time, bounded) until no process carries `tag`; returns whether they are gone. */
export async function gone(tag: string, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (processesWith(tag).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processesWith(tag).length === 0;
}
