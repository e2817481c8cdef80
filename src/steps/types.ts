// The contract between the executor and step types. A step type is plain data (name, arguments,
// effect) plus behaviour (`apply`, and `check` to predict a write without doing it). Steps reach
// transports and the CloudStack client only through the context, so they can be tested with real
// servers and the loader never needs to know about SSH.

import type { Duplex } from 'node:stream';
import type { RemoteTransport } from '../transports/types.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { HostEntry, Inventory } from '../inventory/types.js';

export type ArgType =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'duration'
  | 'list'
  | 'string-list'
  | 'map'
  | 'any'
  | 'step-list';

export interface ArgSpec {
  readonly type: ArgType;
  readonly required?: boolean;
  readonly description: string;
  readonly enum?: readonly string[];
  readonly default?: unknown;
  /** Not templated by the executor (the step renders it itself, e.g. a template body). */
  readonly raw?: boolean;
}

/** What a step does to the world: reads run for real in a dry run, writes are predicted. */
export type Effect = 'read' | 'write' | 'none';

export interface StepOutcome {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly msg?: string;
  /** Data registered with `register:` (merged with changed/failed/msg). */
  readonly result?: Readonly<Record<string, unknown>>;
  /** Dry run: a human-readable description of what the step would do (already masked by the renderer). */
  readonly plan?: string;
  /** Variables to set on the host (the `set` step). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** The outcome cannot be known (dry run); the reason is shown. */
  readonly unknown?: string;
}

export interface SubtaskHandle {
  update(status: SubtaskStatus, message?: string): void;
}
export type SubtaskStatus = 'pending' | 'running' | 'ok' | 'changed' | 'failed' | 'skipped' | 'unknown';

/** The CloudStack client as steps see it (implemented in src/cloudstack). */
export interface CloudStackAccess {
  readonly endpointName: string;
  // The concrete client type lives in src/cloudstack; steps import it from there.
  readonly client: unknown;
}

export interface StepContext {
  /** The step's id in the playbook (stable across runs: keys for journaled facts such as job ids). */
  readonly stepId: string;
  readonly hostName: string;
  readonly host: HostEntry;
  readonly inventory: Inventory;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly dryRun: boolean;
  /** Aborted when the run is interrupted; long steps should stop safely. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number | undefined;
  readonly secrets: SecretRegistry;
  readonly services: StepServices;
  /** A line of live output (streamed to the task list's latest-line display). */
  output(line: string, stream?: 'stdout' | 'stderr'): void;
  /** Progress of a long step (e.g. "3/10 routers"). */
  progress(message: string): void;
  subtask(id: string, title: string): SubtaskHandle;
  warn(message: string): void;
  /** Sleeps unless aborted; uses the run's clock so tests can run fast. */
  sleep(ms: number): Promise<void>;
}

/** What a step reaches through its context: transports, tunnels, CloudStack clients, journaled facts. */
export interface StepServices {
  ssh(hostName: string): Promise<RemoteTransport>;
  /** A TCP connection to host:port as seen from `viaHost` (SSH tunnel). */
  connectVia(viaHost: string, host: string, port: number): Promise<Duplex>;
  cloudstack(hostName: string, mode?: 'signed' | 'integration'): Promise<unknown>;
  /** Records facts for the journal (job ids, changed values); no-op when there is no journal. */
  record(kind: 'job' | 'change', data: Readonly<Record<string, unknown>>): void;
  /** Resume: the async job an interrupted run submitted under this key, to wait for instead of submitting again. */
  priorJob?(key: string): string | undefined;
}

/** A dead-man timer: after `afterSeconds` the host runs `command` unless the timer is disarmed first. */
export interface DeadmanTimer {
  readonly unit: string;
  readonly afterSeconds: number;
  readonly command: string;
}

/** A service's refusal (the host said no) as data; a transport failure is thrown instead. */
export type ServiceAnswer = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Lazily created per-run services as the engine sees them: the steps' services, plus the dead-man
 * timers of undo steps and closing everything at the end. The CLI wires real ones; tests may inject.
 */
export interface RunServices extends StepServices {
  armDeadman(hostName: string, timer: DeadmanTimer): Promise<ServiceAnswer>;
  disarmDeadman(hostName: string, unit: string): Promise<ServiceAnswer>;
  close(): Promise<void>;
}

export interface StepDefinition<A = Record<string, unknown>> {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly args: Readonly<Record<string, ArgSpec>>;
  /** Argument that a scalar value fills (`shell: "uptime"` → command). */
  readonly primary?: string;
  /** Any key is an argument (the `set` step's variable names). */
  readonly freeform?: boolean;
  readonly effect: Effect;
  /** 'host' steps need a connection to the play's host (checked before the run); others run on the runner. */
  readonly runsOn?: 'host' | 'runner';
  /** Extra static checks beyond the argument schema; report with the argument name. */
  validate?(args: Readonly<Record<string, unknown>>, report: (arg: string, code: string, message: string) => void): void;
  /** Dry run: predict the outcome of a write without changing anything. */
  check?(ctx: StepContext, args: A): Promise<StepOutcome>;
  apply(ctx: StepContext, args: A): Promise<StepOutcome>;
  /** For `undo` in a dry run and in the plan: a one-line description of the action. */
  describe?(args: A): string;
}

/** A step failure the step type detected (the host stays reachable). */
export class StepFailedError extends Error {
  constructor(
    message: string,
    readonly result?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'StepFailedError';
  }
}

export function defineStep<A>(def: StepDefinition<A>): StepDefinition<A> {
  return def;
}
