// The contract between the executor and step types. A step type is plain data (name, an argument
// schema, effect) plus behaviour (`apply`, and `check` to predict a write without doing it). The loader
// and the engine read every argument with the schema before `apply` sees it, so a step receives typed
// values (ArgsOf its schema) and parses nothing. Steps reach transports and the CloudStack client only
// through the context, so they can be tested with real servers and the loader never needs SSH.

import type { Duplex } from 'node:stream';
import type { CloudStackClient } from '../cloudstack/types.js';
import type { HostUse } from './schema/kinds.js';
import type { ArgsOf, Loose, Maybe, Shape } from './schema/schema.js';
import type { RemoteTransport } from '../transports/types.js';
import type { TransportListener } from '../transports/events.js';
import type { SecretRegistry } from '../secrets/masker.js';
import type { HostEntry, Inventory } from '../inventory/types.js';

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
/** 'interrupted': the step was stopped (Ctrl-C) while this unit ran — not a failure of the unit. */
export type SubtaskStatus = 'pending' | 'running' | 'ok' | 'changed' | 'failed' | 'skipped' | 'unknown' | 'interrupted';

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
  /** The CloudStack client of a management-server host (one per host and mode per run). */
  cloudstack(hostName: string, mode?: 'signed' | 'integration'): Promise<CloudStackClient>;
  /** Records facts for the journal (job ids, changed values); no-op when there is no journal. */
  record(kind: 'job' | 'change', data: Readonly<Record<string, unknown>>): void;
  /** Resume: the async job an interrupted run submitted under this key, to wait for instead of submitting again. */
  priorJob?(key: string): string | undefined;
  /**
   * Asks the operator and returns the line typed, or null when nobody can answer (no terminal). The
   * signal ends the question (Ctrl-C, the step's time limit) with a rejection.
   */
  ask?(question: string, signal: AbortSignal): Promise<string | null>;
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
  /** Checks the host keys of these hosts before a run, all at once (a problem with any of them throws). */
  preflight?(hostNames: readonly string[]): Promise<void>;
  /** The transports' and clients' own events (connections, API calls) until the returned function is called. */
  observe?(listener: TransportListener): () => void;
  close(): Promise<void>;
}

/**
 * What `register:` gets from a step type besides `changed`, `failed` and `msg` (every step has the first two, and `msg` when it has a message):
 * each field with its type, as the docs name it, and what it holds.
 */
export type ResultFields = Readonly<Record<string, readonly [type: string, description: string]>>;

export interface StepDefinition<S extends Shape> {
  readonly name: string;
  readonly summary: string;
  /** What the reference says beyond the arguments: behaviour, dry run, examples (Markdown). */
  readonly description?: string;
  /** The registered result's fields ({} when the step registers nothing of its own). */
  readonly result: ResultFields;
  readonly args: S;
  /** Argument that a scalar value fills (`shell: "uptime"` → command). */
  readonly primary?: keyof S & string;
  readonly effect: Effect;
  /** 'host' steps need a connection to the play's host (checked before the run); others run on the runner. */
  readonly runsOn?: 'host' | 'runner';
  /**
   * Checks across arguments (exactly one of two given, a state that fits the mode): at load time with
   * templated values as TEMPLATED, and again at run time once they are rendered. Report with the argument.
   */
  validate?(args: Loose<ArgsOf<S>>, report: (arg: keyof S & string, code: string, message: string) => void): void;
  /** Dry run: predict the outcome of a write without changing anything; an argument may be Unknown. */
  check?(ctx: StepContext, args: Maybe<ArgsOf<S>>): Promise<StepOutcome>;
  apply(ctx: StepContext, args: ArgsOf<S>): Promise<StepOutcome>;
  /** A one-line description of the action (an argument may be Unknown). */
  describe?(args: Maybe<ArgsOf<S>>): string;
  /**
   * The same compensation as a shell script that `target.host` runs by itself: what an undo step's
   * `deadman:` without a `command` arms there. It runs unattended, as root, long after the run.
   */
  deadman?(args: ArgsOf<S>, target: DeadmanTarget): string;
}

/** Where a step-written dead-man script runs: one of the hosts of `deadman: { hosts }`, in their order. */
export interface DeadmanTarget {
  readonly host: string;
  readonly index: number;
  readonly hosts: readonly string[];
}

/** A step type as the loader, the engine and the docs handle it, whatever its arguments. */
export interface StepType {
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly result: ResultFields;
  readonly args: Shape;
  /** Any key is an argument of any value (the `set` step's variable names). */
  readonly freeform: boolean;
  readonly primary?: string;
  readonly effect: Effect;
  readonly runsOn?: 'host' | 'runner';
  /** The arguments that name inventory hosts, and how the step uses each host (from the schema). */
  readonly hostArgs: ReadonlyArray<{ readonly name: string; readonly use: HostUse }>;
  validate?(args: Readonly<Record<string, unknown>>, report: (arg: string, code: string, message: string) => void): void;
  check?(ctx: StepContext, args: Readonly<Record<string, unknown>>): Promise<StepOutcome>;
  apply(ctx: StepContext, args: Readonly<Record<string, unknown>>): Promise<StepOutcome>;
  describe?(args: Readonly<Record<string, unknown>>): string;
  deadman?(args: Readonly<Record<string, unknown>>, target: DeadmanTarget): string;
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

/**
 * A step type from its definition. The typed methods go into the registry as they are: the engine calls
 * them only with arguments read through `def.args` (src/engine/args.ts), which is what ArgsOf promises.
 */
export function defineStep<S extends Shape>(def: StepDefinition<S>): StepType {
  const hostArgs = Object.entries(def.args).flatMap(([name, schema]) => (schema.host ? [{ name, use: schema.host }] : []));
  return { ...def, freeform: false, hostArgs };
}

/** A step whose keys are its own choice (`set`: each key a variable, each value of any kind). */
export function defineFreeformStep(def: Omit<StepType, 'args' | 'freeform' | 'hostArgs' | 'primary'>): StepType {
  return { ...def, args: {}, freeform: true, hostArgs: [] };
}
