// Builds the StepContext a step type sees: its host, vars, the run's services (transports, the
// CloudStack client), and callbacks that turn output and progress into events.

import type { TaskStep } from '../loader/ast.js';
import type { HostEntry } from '../inventory/types.js';
import type { StepContext, SubtaskHandle } from '../steps/types.js';
import type { RunContext } from './run-context.js';

export function makeStepContext(
  run: RunContext,
  step: TaskStep,
  host: HostEntry,
  scope: Record<string, unknown>,
  signal: AbortSignal,
): StepContext {
  const opts = run.opts;
  return {
    stepId: step.id,
    hostName: host.name,
    host,
    inventory: opts.inventory,
    vars: scope,
    dryRun: opts.dryRun,
    signal,
    timeoutMs: step.timeoutMs,
    secrets: opts.secrets,
    services: opts.services,
    output(line, stream = 'stdout') {
      run.emit({ type: 'step-output', stepId: step.id, host: host.name, line, stream });
    },
    progress(message) {
      run.emit({ type: 'step-progress', stepId: step.id, host: host.name, message });
    },
    subtask(id, title): SubtaskHandle {
      run.emit({ type: 'subtask', stepId: step.id, host: host.name, id, title, status: 'pending' });
      return {
        update(status, message) {
          run.emit({ type: 'subtask', stepId: step.id, host: host.name, id, title, status, ...(message !== undefined ? { message } : {}) });
        },
      };
    },
    warn(message) {
      run.emit({ type: 'warning', message, host: host.name, stepId: step.id });
    },
    sleep: (ms) => run.clock.sleep(ms, signal),
  };
}
