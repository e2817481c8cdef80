// The state of one run, in narrow parts: the recap's counters, each host's registered variables, the
// interrupt, which steps the tags and --start-at-step select, and the ids of undo obligations. Each part
// of the engine uses the parts it needs; `emit` masks secrets in every event before any sink sees it.

import { setMaxListeners } from 'node:events';
import type { Playbook, Step } from '../loader/ast.js';
import { realClock, type Clock } from './clock.js';
import { emptyCounts, type HostCounts, type RunEvent } from './events.js';
import { planRun, type RunPlan } from '../planner/plan.js';
import type { RunOptions } from './run-options.js';
import type { HostVarsState } from './scope.js';

/** Per-host step counts for the recap (created at zero for every host a play selects). */
class Recap {
  private readonly hosts = new Map<string, HostCounts>();

  of(host: string): HostCounts {
    let c = this.hosts.get(host);
    if (!c) {
      c = emptyCounts();
      this.hosts.set(host, c);
    }
    return c;
  }

  snapshot(): Record<string, HostCounts> {
    return Object.fromEntries(this.hosts);
  }
}

/** Registered results and `set` values per host: they outlive a play, like Ansible facts. */
class HostVariables {
  private readonly hosts = new Map<string, HostVarsState>();

  constructor(resumed?: ReadonlyMap<string, Readonly<Record<string, unknown>>>) {
    for (const [host, vars] of resumed ?? []) this.hosts.set(host, { registered: { ...vars } });
  }

  of(host: string): HostVarsState {
    let v = this.hosts.get(host);
    if (!v) {
      v = { registered: {} };
      this.hosts.set(host, v);
    }
    return v;
  }
}

/** Ctrl-C/SIGTERM: once the signal fires no new step starts; always and undo steps still run. */
class Interruption {
  private fired: boolean;

  constructor(
    readonly signal: AbortSignal | undefined,
    onInterrupt: () => void,
  ) {
    this.fired = signal?.aborted ?? false;
    // every running command on every host listens to the run's interrupt (one each, removed when it
    // ends): more than Node's default warning threshold of 10 is the normal case, not a leak
    if (signal) setMaxListeners(0, signal);
    signal?.addEventListener('abort', () => {
      if (this.fired) return;
      this.fired = true;
      onInterrupt();
    });
  }

  get interrupted(): boolean {
    return this.fired;
  }
}

/** Which steps run: --tags/--skip-tags (tags inherited from enclosing blocks) and --start-at-step. */
class Selection {
  private startAtReached: boolean;

  constructor(
    private readonly tags: readonly string[],
    private readonly skipTags: readonly string[],
    private readonly startAt: string | undefined,
  ) {
    this.startAtReached = startAt === undefined;
  }

  selected(step: Step, inherited: readonly string[]): boolean {
    if (!this.startAtReached) {
      if (step.name === this.startAt) this.startAtReached = true;
      else if (step.kind === 'task') return false;
    }
    const tags = new Set([...inherited, ...step.tags]);
    if (this.skipTags.some((t) => tags.has(t))) return false;
    if (this.tags.length === 0 || tags.has('always')) return true;
    if (step.kind === 'block') return true; // children decide
    return this.tags.some((t) => tags.has(t) || (t === 'tagged' && tags.size > 0) || (t === 'untagged' && tags.size === 0));
  }
}

/** Ids of undo obligations, unique within the journal (a resumed run gets a prefix of its own). */
class ObligationIds {
  private seq = 0;

  constructor(private readonly prefix: string) {}

  next(): string {
    this.seq += 1;
    return `${this.prefix}u${this.seq}`;
  }
}

/**
 * Each step's parent in the tree the renderers draw: the block it is in, or for an undo step the step it
 * belongs to. Top-level steps and handlers have none.
 */
function parentsOf(playbook: Playbook): Map<string, string> {
  const parents = new Map<string, string>();
  const visit = (s: Step, parent: string | undefined): void => {
    if (parent !== undefined) parents.set(s.id, parent);
    if (s.kind === 'block') for (const c of [...s.block, ...s.rescue, ...s.always]) visit(c, s.id);
    for (const u of s.undo) visit(u, s.id);
  };
  for (const play of playbook.plays) for (const s of [...play.steps, ...play.handlers]) visit(s, undefined);
  return parents;
}

export interface RunContext {
  readonly opts: RunOptions;
  /** Which hosts each play runs on. */
  readonly plan: RunPlan;
  /** Parent ids of nested steps, for the tree the events describe. */
  readonly parents: ReadonlyMap<string, string>;
  /** The inventory's host names: a templated host argument must render to one of them. */
  readonly hostNames: ReadonlySet<string>;
  readonly clock: Clock;
  /** Sends an event to the sink with every registered secret masked. */
  readonly emit: (event: RunEvent) => void;
  readonly recap: Recap;
  readonly vars: HostVariables;
  readonly interruption: Interruption;
  readonly selection: Selection;
  readonly obligationIds: ObligationIds;
  /** Hosts that failed or were unreachable in a play: later plays go on without them (as in Ansible). */
  readonly leftRun: Set<string>;
}

export function createRunContext(opts: RunOptions): RunContext {
  const emit = (event: RunEvent): void => opts.sink(opts.secrets.size > 0 ? opts.secrets.maskDeep(event) : event);
  return {
    opts,
    plan: opts.plan ?? planRun(opts.playbook.plays, opts.inventory, opts.steps, opts.limit),
    parents: parentsOf(opts.playbook),
    hostNames: new Set(opts.inventory.hosts.keys()),
    clock: opts.clock ?? realClock,
    emit,
    recap: new Recap(),
    vars: new HostVariables(opts.resume?.registered),
    interruption: new Interruption(opts.interrupt, () =>
      emit({ type: 'phase', phase: 'interrupted', message: 'interrupted: no new steps start; running pending always/undo steps' })),
    selection: new Selection(opts.tags ?? [], opts.skipTags ?? [], opts.startAt),
    obligationIds: new ObligationIds(opts.resume?.idPrefix ?? ''),
    leftRun: new Set(),
  };
}
