// Builds the StepContext a step type sees: its host, vars, the run's services (transports, the
// CloudStack client), and callbacks that turn output and progress into events.

import type { TaskStep } from '../loader/ast.js';
import type { HostEntry } from '../inventory/types.js';
import type { StepContext, SubtaskHandle } from '../steps/types.js';
import type { RunState } from './executor.js';

export function makeStepContext(
  state: RunState,
  step: TaskStep,
  host: HostEntry,
  scope: Record<string, unknown>,
  signal: AbortSignal,
): StepContext {
  const opts = state.opts;
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
      state.emit({ type: 'step-output', stepId: step.id, host: host.name, line, stream });
    },
    progress(message) {
      state.emit({ type: 'step-progress', stepId: step.id, host: host.name, message });
    },
    subtask(id, title): SubtaskHandle {
      state.emit({ type: 'subtask', stepId: step.id, host: host.name, id, title, status: 'pending' });
      return {
        update(status, message) {
          state.emit({ type: 'subtask', stepId: step.id, host: host.name, id, title, status, ...(message !== undefined ? { message } : {}) });
        },
      };
    },
    warn(message) {
      state.emit({ type: 'warning', message, host: host.name, stepId: step.id });
    },
    sleep: (ms) => state.clock.sleep(ms, signal),
  };
}
