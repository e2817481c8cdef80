// Runs a bundled playbook end to end against a real lab (startLab on its own loopback address), through
// the application layer (loader, planner, executor, step registry, CloudStack client factory), with the
// inventory the lab wrote. Sleeps are real but capped at a few ms, so polling loops finish fast and
// budgets still count.

import { expect } from 'chai';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { conformanceHooks } from './result-conformance.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type LabOptions } from '../../src/lab/index.js';
import { openServices, run, type AppEnvironment } from '../../src/app/index.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { realClock, type Clock, type RunSummary } from '../../src/engine/executor.js';
import type { RunEvent } from '../../src/engine/events.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import { createCloudstackFactory } from '../../src/runtime/cloudstack-factory.js';
import { REPO_ROOT } from '../support/paths.js';
import { withProblemsShown } from '../support/problems.js';

export type End = Extract<RunEvent, { type: 'step-end' }>;

export const PLAYBOOKS = ['preflight', 'systemvm-restart', 'systemvm-live-patch', 'systemvm-restart-api', 'upgrade-readiness', 'upgrade-proof', 'management-restart'] as const;
export type PlaybookName = (typeof PLAYBOOKS)[number];

export function playbookPath(name: string): string {
  return join(REPO_ROOT, 'playbooks', 'cloudstack', `${name}.yml`);
}

const fastClock: Clock = { now: () => Date.now(), sleep: (ms, signal) => realClock.sleep(Math.min(ms, 5), signal) };

export interface PlaybookRun {
  readonly events: RunEvent[];
  readonly summary: RunSummary;
  /** Every step-end (main, always and undo phases). */
  ends(name: string): End[];
  /** The main-phase step-end of a step that must have run exactly once on this host. */
  end(name: string, host?: string): End;
  /** Everything the run emitted, as text (for leak checks). */
  text(): string;
  /** Output lines of a step (log messages, command output). */
  output(name: string): string[];
  /** The names results were registered under (a real run: every one checked against its step type's fields). */
  readonly registered: ReadonlySet<string>;
}

export interface RunOptions {
  readonly dryRun?: boolean;
  readonly extraVars?: Record<string, unknown>;
  readonly interrupt?: AbortSignal;
  readonly onEvent?: (e: RunEvent) => void;
  /** Reach the API and the integration port through the management server's SSH connection. */
  readonly via?: boolean;
  /** Changes the playbook text before it is loaded (e.g. a shorter dead-man delay). */
  readonly edit?: (text: string) => string;
}

/** The lab's inventory, optionally rewritten the way a real site is set up: the API as the management
 * server sees itself (127.0.0.1:8080), reached through its own SSH connection. */
function inventoryText(path: string, via: boolean): string {
  const text = readFileSync(path, 'utf8');
  if (!via) return text;
  const out = text.replace(/^(\s+)url: .*$/m, '$1url: "http://127.0.0.1:8080/client/api"\n$1via: mgmt1');
  if (out === text) throw new Error('the lab inventory has no cloudstack url to rewrite');
  return out;
}

export class LabPlaybooks {
  private readonly home = mkdtempSync(join(tmpdir(), 'stackplay-pb-home-'));
  private constructor(readonly lab: Lab) {}

  static async start(address: string, opts: LabOptions = {}): Promise<LabPlaybooks> {
    // the bundled playbooks are held to the classic world until they handle the production-like default
    const lab = await startLab({ address, speed: 1000, sshKvmHosts: 2, ...opts, config: { preset: 'classic', ...opts.config } });
    const h = new LabPlaybooks(lab);
    await h.agentsUp();
    return h;
  }

  /** Waits (bounded) until every running SSVM/CPVM agent is Up, as on a settled cloud. */
  async agentsUp(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (this.lab.state().systemVms.every((v) => v['state'] !== 'Running' || v['agentState'] === 'Up')) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The lab's integration port as the database and the listener see it. */
  port(): { dbValue: string | null; listening: boolean } {
    const p = this.lab.state().managementServer.integrationPort;
    return { dbValue: p.dbValue, listening: p.listening };
  }

  /** The integration port of every management server: name → listening. */
  listening(): Record<string, boolean> {
    return Object.fromEntries(this.lab.state().managementServers.map((s) => [s.name, s.integrationPort.listening]));
  }

  /** How runs reach the lab: SSH settings of a temp home (never ~/.ssh), fast job polling. */
  private env(secrets: SecretRegistry): AppEnvironment {
    return {
      secrets, ssh: { configPath: null, userKnownHosts: join(this.home, 'known_hosts'), homeDir: this.home },
      cloudstack: createCloudstackFactory({
        poll: { initialMs: 5, maxMs: 20, factor: 2 },
        retry: { retries: 3, delayMs: 10 },
        sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
      }),
    };
  }

  async run(name: PlaybookName, o: RunOptions = {}): Promise<PlaybookRun> {
    const file = playbookPath(name);
    const text = readFileSync(file, 'utf8');
    const events: RunEvent[] = [];
    // every registered result is held against its step type's declared fields (docs/steps.md)
    const loaded = loadPlaybook(file, o.edit ? o.edit(text) : text, { steps: stepRegistry });
    const undeclared = new Set<string>();
    const registered = new Set<string>();
    const journal = loaded.ok && !o.dryRun ? { journal: conformanceHooks(loaded.playbook, stepRegistry, undeclared, registered) } : {};
    const summary = await withProblemsShown(() => run({
      playbook: { file, text: o.edit ? o.edit(text) : text },
      inventory: { file: this.lab.inventoryPath, text: inventoryText(this.lab.inventoryPath, o.via ?? false) },
      // The lab listens on loopback, so its integration port is always "reachable from the runner".
      runId: 'test', extraVars: { on_exposed: 'warn', ...o.extraVars }, dryRun: o.dryRun ?? false, forks: 5,
    }, {
      ...this.env(new SecretRegistry()), clock: fastClock, ...journal,
      sink: (e) => {
        events.push(e);
        o.onEvent?.(e);
      },
      ...(o.interrupt ? { signal: o.interrupt } : {}),
    }));
    expect([...undeclared], 'registered fields their step types do not declare').to.deep.equal([]);
    const ends = (n: string): End[] => events.filter((e): e is End => e.type === 'step-end' && e.name === n);
    return {
      events, summary, ends, registered,
      end(n, host) {
        const found = ends(n).filter((e) => e.phase === 'main' && (host === undefined || e.host === host));
        if (found.length !== 1) throw new Error(`expected one main step-end for '${n}', got ${found.length}`);
        return found[0]!;
      },
      text: () => JSON.stringify(events),
      output(n) {
        const ids = new Set(events.filter((e) => e.type === 'step-start' && e.name === n).map((e) => (e as { stepId: string }).stepId));
        return events.filter((e) => e.type === 'step-output' && ids.has(e.stepId)).map((e) => (e as { line: string }).line);
      },
    };
  }

  /** Runs a command on a lab host over SSH, as the inventory reaches it. */
  async exec(host: string, command: string): Promise<{ rc: number | null; stdout: string; stderr: string }> {
    const secrets = new SecretRegistry();
    const inv = loadInventory(this.lab.inventoryPath, readFileSync(this.lab.inventoryPath, 'utf8'), { secrets, resolveSecrets: true });
    if (!inv.ok) throw new Error(JSON.stringify(inv.problems.items));
    const services = openServices(inv.inventory, secrets, this.env(secrets));
    try {
      const r = await (await services.ssh(host)).exec(command);
      return { rc: r.rc, stdout: r.stdout, stderr: r.stderr };
    } finally {
      await services.close();
    }
  }

  async stop(): Promise<void> {
    await this.lab.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Step-ends that failed (not ignored), as "host: name — msg" lines for assertion messages. */
export function failures(r: PlaybookRun): string[] {
  return r.events
    .filter((e): e is End => e.type === 'step-end' && e.status === 'failed' && !e.ignored)
    .map((e) => `${e.host} ${e.phase}: ${e.name} — ${e.msg ?? ''}`);
}

/** The run succeeded: no step failed (the failures are named in the assertion message) and its status is ok. */
export function expectOk(r: PlaybookRun): void {
  expect(failures(r), 'failed steps').to.deep.equal([]);
  expect(r.summary.status).to.equal('ok');
}

