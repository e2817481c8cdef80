// Test harness for the CloudStack step types: a real lab (startLab on 127.0.0.x, high speed), an
// inventory pointing at it (directly, or through the lab's SSH server with `via`), and playbook runs
// through the application layer with the real client factory (fast job polling injected).
// The run's secret registry records every secret but masks nothing, so a secret that any step put
// into an event is caught by `leaks()` instead of being hidden by the masker.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../../../src/lab/index.js';
import { run } from '../../../src/app/index.js';
import { withProblemsShown } from '../../support/problems.js';
import { realClock, type Clock, type RunSummary } from '../../../src/engine/executor.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { SecretRegistry } from '../../../src/secrets/masker.js';
import { stepRegistry } from '../../../src/steps/registry.js';
import { defineStep, type StepType } from '../../../src/steps/types.js';
import { arg } from '../../../src/steps/schema/arg.js';
import { createCloudstackFactory, type CloudStackFactoryOptions } from '../../../src/runtime/cloudstack-factory.js';

/** Records secrets without masking them: the test then proves nothing secret reached an event. */
export class RecordingSecrets extends SecretRegistry {
  readonly seen = new Set<string>();
  override add(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8) this.seen.add(value);
    super.add(value);
  }
  override addEphemeral(value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= 8) this.seen.add(value);
    super.addEphemeral(value);
  }
  override mask(text: string): string {
    return text;
  }
  override maskDeep<T>(value: T): T {
    return value;
  }
}

export type End = Extract<RunEvent, { type: 'step-end' }>;

export interface CsRun {
  readonly events: RunEvent[];
  readonly summary: RunSummary;
  /** Values given to `capture:` steps, in order. */
  readonly captured: unknown[];
  readonly secrets: RecordingSecrets;
  end(name: string): End;
  /** Secret values (keys, signatures, session keys, passwords) found in any event. */
  leaks(): string[];
  text(): string;
}

export interface InventoryOptions {
  /** Reach the API and the integration port through the lab's management-server SSH host. */
  readonly via?: boolean;
  readonly secretKey?: string;
  readonly apiKey?: string;
  readonly integrationPort?: number;
  readonly signatureVersion?: 2 | 3;
  /** Log in with the lab's admin user and password instead of API keys (session mode). */
  readonly session?: boolean;
  /** Extra YAML lines under `hosts:` (indented by 2). */
  readonly extraHosts?: string;
}

export interface RunOptions extends InventoryOptions {
  readonly dryRun?: boolean;
  readonly factory?: CloudStackFactoryOptions;
  readonly interrupt?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
}

const q = JSON.stringify;

/** A clock whose sleeps are real but short: polling loops count their budget in requested time. */
export const fastClock: Clock = { now: () => Date.now(), sleep: (ms, signal) => realClock.sleep(Math.min(ms, 5), signal) };

export const FAST_FACTORY: CloudStackFactoryOptions = {
  poll: { initialMs: 5, maxMs: 20, factor: 2 },
  retry: { retries: 3, delayMs: 10 },
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
};

export class CsHarness {
  private readonly home = mkdtempSync(join(tmpdir(), 'stackplay-cs-home-'));
  constructor(readonly lab: Lab) {}

  static async start(address: string, opts: LabOptions = {}): Promise<CsHarness> {
    const lab = await startLab({ address, speed: 1000, sshKvmHosts: 0, ...opts, config: { preset: 'classic', ...opts.config } });
    const h = new CsHarness(lab);
    await h.agentsUp();
    return h;
  }

  /** Waits (real time, bounded) until every SSVM/CPVM agent is Up, so snapshots are stable. */
  async agentsUp(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (this.lab.state().systemVms.every((v) => v['state'] !== 'Running' || v['agentState'] === 'Up')) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  mgmt(): { name: string; address: string; port: number } {
    const e = this.lab.hosts.find((h) => h.role === 'management');
    if (!e) throw new Error('the lab has no management SSH host (start it with ssh enabled)');
    return e;
  }

  inventory(o: InventoryOptions = {}): string {
    const lab = this.lab;
    const lines = ['hosts:'];
    const ms = o.via ? this.mgmt() : undefined;
    lines.push('  mgmt:', `    address: ${lab.address}`);
    if (ms) lines.push(`    port: ${ms.port}`, '    user: root', `    key_file: ${q(lab.privateKeyPath)}`, `    known_hosts: ${q(lab.knownHostsPath)}`);
    lines.push('    cloudstack:');
    // Through the tunnel the management server is addressed as it sees itself: 127.0.0.1:8080.
    lines.push(`      url: ${q(o.via ? 'http://127.0.0.1:8080/client/api' : lab.apiUrl)}`);
    if (o.session) lines.push('      username: admin', `      password: { secret: ${q(lab.adminPassword)} }`);
    else lines.push(`      api_key: { secret: ${q(o.apiKey ?? lab.apiKey)} }`, `      secret_key: { secret: ${q(o.secretKey ?? lab.secretKey)} }`);
    if (o.integrationPort !== undefined) lines.push(`      integration_port: ${o.integrationPort}`);
    if (o.signatureVersion !== undefined) lines.push(`      signature_version: ${o.signatureVersion}`);
    if (o.via) lines.push('      via: mgmt');
    if (o.extraHosts) lines.push(o.extraHosts);
    return lines.join('\n') + '\n';
  }

  async run(steps: string, o: RunOptions = {}): Promise<CsRun> {
    const secrets = new RecordingSecrets();
    const captured: unknown[] = [];
    const capture = defineStep({
      name: 'capture', summary: 'test: keep a value', args: { value: arg.any('value').required() },
      primary: 'value', effect: 'none', result: {},
      async apply(_ctx, a) {
        captured.push(a.value);
        return { changed: false };
      },
    });
    const registry = new Map<string, StepType>([...stepRegistry, ['capture', capture]]);
    const text = ['name: t', 'plays:', '  - name: p', '    hosts: mgmt', '    steps:', steps].join('\n');
    const events: RunEvent[] = [];
    const summary = await withProblemsShown(() => run({
      playbook: { file: 't.yml', text }, inventory: { file: 'inv.yml', text: this.inventory(o) }, runId: 'test', dryRun: o.dryRun ?? false, forks: 5,
    }, {
      steps: registry, secrets, clock: fastClock,
      ssh: { configPath: null, userKnownHosts: join(this.home, 'known_hosts'), homeDir: this.home },
      cloudstack: createCloudstackFactory({ ...FAST_FACTORY, ...o.factory }),
      sink: (e) => {
        events.push(e);
        o.onEvent?.(e);
      }, ...(o.interrupt ? { signal: o.interrupt } : {}),
    }));
    const lab = this.lab;
    return {
      events, summary, captured, secrets,
      end(name) {
        const e = events.find((x): x is End => x.type === 'step-end' && x.name === name && x.phase !== 'undo');
        if (!e) throw new Error(`no step-end for '${name}'`);
        return e;
      },
      leaks() {
        const all = JSON.stringify(events);
        return [...new Set([...secrets.seen, lab.apiKey, lab.secretKey, lab.adminPassword])].filter((s) => all.includes(s) || all.includes(encodeURIComponent(s)));
      },
      text: () => JSON.stringify(events),
    };
  }

  /** The lab's world as the API shows it, without the clock (for before/after comparisons). */
  state(): unknown {
    const s = this.lab.state();
    return { settings: s.settings, systemVms: s.systemVms, routers: s.routers, jobs: s.jobs, ms: s.managementServer };
  }

  async stop(): Promise<void> {
    await this.lab.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Indents a YAML step list written at column 0 so it sits under `steps:`. */
export function steps(text: string): string {
  return text.replace(/^\n/, '').split('\n').map((l) => `      ${l}`).join('\n');
}
