// Runs a playbook given as YAML text through the application layer (loader, planner, executor, the
// real services unless a test brings its own), collecting events.

import { run } from '../../src/app/index.js';
import { withProblemsShown } from './problems.js';
import { implicitInventory, loadInventory } from '../../src/inventory/load-inventory.js';
import type { Clock, RunSummary } from '../../src/engine/executor.js';
import type { RunEvent } from '../../src/engine/events.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { RunServices } from '../../src/steps/types.js';
import type { RunJournalHooks } from '../../src/engine/undo.js';

export interface RunYamlOptions {
  inventory?: string;
  dryRun?: boolean;
  extraVars?: Record<string, unknown>;
  interrupt?: AbortSignal;
  secrets?: SecretRegistry;
  tags?: string[];
  limit?: string;
  forks?: number;
  onEvent?: (e: RunEvent) => void;
  /** Defaults to instantClock. */
  clock?: Clock;
  /** Defaults to the services the application layer wires for the inventory. */
  services?: (inventory: Inventory, secrets: SecretRegistry) => RunServices;
  /** The run's journal hooks (none by default). */
  journal?: RunJournalHooks;
}

/** A clock whose sleeps return at once (retries and pauses run instantly). */
export const instantClock: Clock = { now: () => Date.now(), sleep: async () => undefined };

export function inventoryFrom(text: string | undefined, secrets: SecretRegistry): Inventory {
  if (text === undefined) return implicitInventory();
  const r = loadInventory('inv.yml', text, { secrets, resolveSecrets: true });
  if (!r.ok) throw new Error(JSON.stringify(r.problems.items));
  return r.inventory;
}

export async function runYaml(text: string, o: RunYamlOptions = {}): Promise<{ events: RunEvent[]; summary: RunSummary; ends: (name: string) => Array<Extract<RunEvent, { type: 'step-end' }>> }> {
  const secrets = o.secrets ?? new SecretRegistry();
  const events: RunEvent[] = [];
  const summary = await withProblemsShown(() => run({
    playbook: { file: 't.yml', text }, ...(o.inventory !== undefined ? { inventory: { file: 'inv.yml', text: o.inventory } } : {}),
    runId: 'test', extraVars: o.extraVars ?? {}, dryRun: o.dryRun ?? false, forks: o.forks ?? 10,
    ...(o.tags ? { tags: o.tags } : {}), ...(o.limit ? { limit: o.limit } : {}),
  }, {
    secrets, clock: o.clock ?? instantClock, ...(o.services ? { services: o.services } : {}), ...(o.journal ? { journal: o.journal } : {}),
    sink: (e) => {
      events.push(e);
      o.onEvent?.(e);
    },
    ...(o.interrupt ? { signal: o.interrupt } : {}),
  }));
  const ends = (name: string) => events.filter((e): e is Extract<RunEvent, { type: 'step-end' }> => e.type === 'step-end' && e.name === name);
  return { events, summary, ends };
}

/** Builds a one-play playbook from step YAML lines (indented by 6). */
export function play(steps: string, opts: { hosts?: string; handlers?: string; vars?: string; extra?: string } = {}): string {
  return [
    'name: t',
    ...(opts.vars ? ['vars:', opts.vars] : []),
    'plays:',
    '  - name: p',
    `    hosts: ${opts.hosts ?? 'localhost'}`,
    ...(opts.extra ? [opts.extra] : []),
    '    steps:',
    steps,
    ...(opts.handlers ? ['    handlers:', opts.handlers] : []),
  ].join('\n');
}
