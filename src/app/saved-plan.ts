// Reviewed plans: a dry run saved with `--save-plan` (what each step would do on each host, and digests
// of every input it was made from) and `apply`, which runs exactly that plan — the same inputs, the
// same selection — only if a fresh dry run against the live state still says the same, step for step.

import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunEvent } from '../engine/events.js';
import type { SecretRegistry } from '../secrets/masker.js';
import { readSource } from '../util/read-source.js';
import { PlanDriftError, UsageError } from './errors.js';
import { maskExtraArgs, prepareRun, run, type PreparedRun } from './run.js';
import type { AppEnvironment, RunRequest } from './types.js';

const PLAN_FORMAT = 'stackplay-plan';
const MASKED = /^([^=@{[]+)=\*\*\*$/;

/** One step on one host as the dry run saw it. */
interface PlannedStep {
  readonly host: string;
  readonly stepId: string;
  readonly name: string;
  readonly phase: string;
  readonly status: string;
  /** What the step would do (its dry-run plan) or what it read (its message). */
  readonly says: string;
}

export interface SavedPlan {
  readonly format: typeof PLAN_FORMAT;
  readonly version: 1;
  readonly created: string;
  /** The dry run the plan comes from (its journal, when it has one). */
  readonly runId: string;
  readonly request: {
    readonly playbook: string;
    readonly inventory?: string;
    /** -e items; values of secret-looking names are `***` and must be given again to `apply`. */
    readonly extraArgs: readonly string[];
    readonly forks: number;
    readonly limit?: string;
    readonly tags?: readonly string[];
    readonly skipTags?: readonly string[];
    readonly startAtStep?: string;
  };
  /** Every input text the run read (playbook, inventory, -e files): the name it was read under, its sha256. */
  readonly sources: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
  readonly steps: readonly PlannedStep[];
}

const absolute = (path: string): string => (existsSync(path) ? resolve(path) : path);
const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What the steps of a dry run said, in the order they ended. */
export function plannedSteps(events: readonly RunEvent[]): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const e of events) {
    if (e.type !== 'step-end') continue;
    steps.push({ host: e.host, stepId: e.stepId, name: e.name, phase: e.phase, status: e.status, says: e.plan ?? e.msg ?? '' });
  }
  return steps;
}

export function makePlan(request: RunRequest, runId: string, sources: ReadonlyMap<string, string>, events: readonly RunEvent[], secrets: SecretRegistry): SavedPlan {
  const r = request;
  const plan: SavedPlan = {
    format: PLAN_FORMAT, version: 1, created: new Date().toISOString(), runId,
    request: {
      // files by their absolute paths: the plan may be applied from another directory
      playbook: typeof r.playbook === 'string' ? absolute(r.playbook) : r.playbook.file,
      ...(r.inventory !== undefined ? { inventory: typeof r.inventory === 'string' ? absolute(r.inventory) : r.inventory.file } : {}),
      extraArgs: maskExtraArgs(r.extraArgs ?? []).map((a) => (a.startsWith('@') ? `@${absolute(a.slice(1))}` : a)), forks: r.forks ?? 10,
      ...(r.limit !== undefined ? { limit: r.limit } : {}), ...(r.tags ? { tags: r.tags } : {}),
      ...(r.skipTags ? { skipTags: r.skipTags } : {}), ...(r.startAtStep !== undefined ? { startAtStep: r.startAtStep } : {}),
    },
    sources: [...sources].map(([name, text]) => ({ name, sha256: digest(text) })),
    steps: plannedSteps(events),
  };
  // a secret met during the run (an inventory password in a step's message) is masked like everywhere else
  return JSON.parse(secrets.mask(JSON.stringify(plan))) as SavedPlan;
}

export function savePlan(path: string, plan: SavedPlan): void {
  try {
    writeFileSync(path, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new UsageError(`cannot write the plan to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads a saved plan: a regular file, JSON, of the plan format; anything else is refused with where. */
export function loadPlan(path: string): SavedPlan {
  const read = readSource(path, 'plan');
  if (!read.ok) throw new UsageError(`${read.problem.message}`);
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    const offset = at ? Number(at[1]) : 0;
    const before = read.text.slice(0, offset).split('\n');
    throw new UsageError(`${path}:${before.length}:${before[before.length - 1]!.length + 1}: not a saved plan: the file is not JSON`);
  }
  const p = value as Partial<SavedPlan> | null;
  const okShape = p !== null && typeof p === 'object' && p.format === PLAN_FORMAT && p.version === 1
    && typeof p.request?.playbook === 'string' && Array.isArray(p.request.extraArgs) && Array.isArray(p.steps)
    && Array.isArray(p.sources);
  if (!okShape) throw new UsageError(`${path}:1:1: not a saved plan of this version (make one with 'stackplay run … --dry-run --save-plan ${path}')`);
  return p as SavedPlan;
}

/**
 * The request the plan was made from. A secret -e value was not saved: each must be given again
 * (`-e name=value`), and nothing else may be added — the run would no longer be the one reviewed.
 */
export function requestOf(plan: SavedPlan, given: readonly string[]): RunRequest {
  const pending = new Map<string, string>();
  for (const a of given) {
    const eq = a.indexOf('=');
    if (eq <= 0 || a.startsWith('@') || a.startsWith('{')) throw new UsageError(`apply -e ${a.startsWith('@') ? a : a.slice(0, 20)}: apply takes only the secret values the plan left out, as name=value`);
    pending.set(a.slice(0, eq), a);
  }
  const extraArgs = plan.request.extraArgs.map((a) => {
    const m = MASKED.exec(a);
    if (!m) return a;
    const value = pending.get(m[1]!);
    if (value === undefined) throw new UsageError(`the plan was made with a secret -e ${m[1]}: give it again (apply -e ${m[1]}=…)`);
    pending.delete(m[1]!);
    return value;
  });
  if (pending.size > 0) throw new UsageError(`apply -e ${[...pending.keys()].join(', ')}: the plan has no secret of that name (a plan runs with the variables it was made with)`);
  const r = plan.request;
  return {
    playbook: r.playbook, ...(r.inventory !== undefined ? { inventory: r.inventory } : {}), extraArgs, forks: r.forks,
    ...(r.limit !== undefined ? { limit: r.limit } : {}), ...(r.tags ? { tags: r.tags } : {}),
    ...(r.skipTags ? { skipTags: r.skipTags } : {}), ...(r.startAtStep !== undefined ? { startAtStep: r.startAtStep } : {}),
  };
}

/**
 * Makes the plan again against the live state (a dry run: reads for real, no journal) and says what is
 * no longer as reviewed: an input whose text changed, a step that would now do something else.
 */
async function planDrift(plan: SavedPlan, request: RunRequest, env: AppEnvironment): Promise<string[]> {
  // the caller's map, when it keeps one, so that a problem found now is shown with its code frame
  const sources = env.sources ?? new Map<string, string>();
  const events: RunEvent[] = [];
  await run({ ...request, dryRun: true, journalDir: undefined }, { ...env, sources, sink: (e) => events.push(e) });
  // by content, not by name: a plan applied from another directory reads the same files under other names
  const now = new Map([...sources].map(([name, text]) => [digest(text), name]));
  const planned = new Set(plan.sources.map((x) => x.sha256));
  const drift = [
    ...plan.sources.filter((x) => !now.has(x.sha256)).map((x) => `${x.name} has changed since the plan was made (or is no longer read)`),
    ...[...now].filter(([sum]) => !planned.has(sum)).map(([, name]) => `${name} is read now as it was not for the plan`),
  ];
  if (drift.length > 0) return drift;
  return stepDrift(plan.steps, plannedSteps(events));
}

// what changes from one dry run to the next without the world changing: how long things took
const VOLATILE = [/\b\d+(?:\.\d+)?(?:ms|s|m|h)\b/g, /\b\d+ attempt\(s\)/g, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?/g];
const steady = (text: string): string => VOLATILE.reduce((t, re) => t.replace(re, '…'), text);
const words = (text: string): Set<string> => new Set(steady(text).match(/[A-Za-z0-9][\w.:/-]*[\w]/g) ?? []);

/** Step for step: the same steps on the same hosts, each ending the same way and saying the same. */
function stepDrift(planned: readonly PlannedStep[], now: readonly PlannedStep[]): string[] {
  const key = (s: PlannedStep): string => `${s.host}\u0000${s.stepId}`;
  const nowBy = new Map(now.map((s) => [key(s), s]));
  const plannedKeys = new Set(planned.map(key));
  const drift: string[] = [];
  for (const p of planned) {
    const n = nowBy.get(key(p));
    const where = `step '${p.name}' on ${p.host}`;
    if (!n) {
      drift.push(`${where} is in the plan and would not run now`);
      continue;
    }
    if (n.status !== p.status) drift.push(`${where}: ${p.status} in the plan, ${n.status} now${n.says ? ` (${n.says})` : ''}`);
    else if (steady(n.says) !== steady(p.says)) drift.push(`${where} would do something else now: ${wordDiff(p.says, n.says)}`);
  }
  for (const n of now) if (!plannedKeys.has(key(n))) drift.push(`step '${n.name}' on ${n.host} would run now and is not in the plan`);
  return drift;
}

/** The names and values in one text and not the other (a router gone from the list, a value changed). */
function wordDiff(before: string, after: string): string {
  const a = words(before);
  const b = words(after);
  // names first (r-5-VM, a setting's value): counts that change with them only repeat what they say
  const hasName = (w: string): boolean => /[A-Za-z]/.test(w);
  let gone = [...a].filter((w) => !b.has(w));
  let added = [...b].filter((w) => !a.has(w));
  if ([...gone, ...added].some(hasName)) [gone, added] = [gone.filter(hasName), added.filter(hasName)];
  const list = (ws: string[]): string => (ws.length > 12 ? `${ws.slice(0, 12).join(', ')}, … (${ws.length} in all)` : ws.join(', '));
  const parts = [gone.length > 0 ? `in the plan only: ${list(gone)}` : '', added.length > 0 ? `now only: ${list(added)}` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : `in the plan: "${before.slice(0, 200)}"; now: "${after.slice(0, 200)}"`;
}

/** After an apply: the steps that ran, against the plan (the same steps on the same hosts, in any order). */
export function ranAsPlanned(planned: readonly PlannedStep[], ran: readonly PlannedStep[]): string[] {
  const key = (s: PlannedStep): string => `${s.host}\u0000${s.stepId}`;
  const ranKeys = new Set(ran.map(key));
  const plannedKeys = new Set(planned.map(key));
  return [
    ...planned.filter((p) => !ranKeys.has(key(p))).map((p) => `planned and not run: '${p.name}' on ${p.host}`),
    ...ran.filter((r) => !plannedKeys.has(key(r))).map((r) => `run and not planned: '${r.name}' on ${r.host}`),
  ];
}

/** Checks the plan against the live state, then prepares its run; a plan that no longer holds is refused. */
export async function prepareApply(plan: SavedPlan, request: RunRequest, env: AppEnvironment): Promise<PreparedRun> {
  const drift = await planDrift(plan, request, env);
  if (drift.length > 0) throw new PlanDriftError(drift);
  return prepareRun(request, env);
}
