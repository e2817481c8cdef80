// `run --dry-run --save-plan FILE` and `stackplay apply FILE` on a terminal: saving what the dry run
// showed, and running exactly that plan after a fresh dry run says the live state still gives it.

import type { RunEvent } from '../../engine/events.js';
import type { SecretRegistry } from '../../secrets/masker.js';
import type { RunRequest } from '../../app/types.js';
import { loadPlan, makePlan, plannedSteps, prepareApply, ranAsPlanned, requestOf, savePlan } from '../../app/saved-plan.js';
import { newRunId } from '../../app/run.js';
import { EXIT, type Io } from '../output.js';
import { runOnTerminal, type OutputMode } from './run.js';

export function savePlanAfterDryRun(io: Io, path: string, code: number, request: RunRequest & { runId: string }, sources: ReadonlyMap<string, string>, events: readonly RunEvent[], secrets: SecretRegistry): void {
  if (code !== EXIT.ok) {
    io.err(io.errStyle.yellow(`no plan saved: the dry run did not succeed (exit ${code})\n`));
    return;
  }
  const plan = makePlan(request, request.runId, sources, events, secrets);
  savePlan(path, plan);
  const hosts = new Set(plan.steps.map((s) => s.host)).size;
  io.err(`plan saved to ${path}: ${plan.steps.length} step(s) on ${hosts} host(s). Review it, then run exactly that with: stackplay apply ${path}\n`);
}

interface ApplyOptions {
  readonly extraVars: readonly string[];
  readonly journalDir: string;
  readonly acceptNewHostKeys?: boolean;
  readonly verbose: number;
  readonly output: OutputMode;
}

export async function applyCommand(io: Io, planPath: string, o: ApplyOptions, env: { sources: Map<string, string>; secrets: SecretRegistry }): Promise<number> {
  const plan = loadPlan(planPath);
  const runId = newRunId();
  const request: RunRequest = { ...requestOf(plan, o.extraVars), runId, journalDir: o.journalDir, ...(o.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}) };
  io.err(io.errStyle.dim(`apply: making the plan again against the live state (a dry run: nothing changes) to compare it with ${planPath}…\n`));
  const events: RunEvent[] = [];
  const code = await runOnTerminal(io, o.output, runId, () => prepareApply(plan, request, env), o.verbose, (e) => events.push(e));
  const off = ranAsPlanned(plan.steps, plannedSteps(events));
  if (off.length === 0) io.err(`apply: ran as planned: the ${plan.steps.length} step(s) of ${planPath}\n`);
  else io.err(io.errStyle.yellow(`apply: the run did not follow the plan everywhere:\n${off.map((l) => `  - ${l}`).join('\n')}\n`));
  return code;
}
