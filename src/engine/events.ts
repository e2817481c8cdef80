// The executor's typed event stream. The executor never writes to the terminal: renderers (task list,
// plain, JSON) and the journal are sinks of these events. Every event passes the secret masker first.

export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'unknown';

export interface HostCounts {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  ignored: number;
  rescued: number;
  unknown: number;
}

export type RunStatus = 'ok' | 'failed' | 'unreachable' | 'interrupted';

/** Where a step sits: handlers and undo steps are steps too, marked by their phase. */
export type StepPhase = 'main' | 'rescue' | 'always' | 'handler' | 'undo';

export type RunEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly playbook: string; readonly file: string; readonly dryRun: boolean; readonly time: string }
  | { readonly type: 'play-start'; readonly play: number; readonly name: string; readonly hosts: readonly string[] }
  | {
      readonly type: 'step-start';
      readonly play: number;
      readonly stepId: string;
      readonly name: string;
      readonly stepType: string;
      readonly host: string;
      readonly phase: StepPhase;
    }
  | { readonly type: 'step-output'; readonly stepId: string; readonly host: string; readonly line: string; readonly stream: 'stdout' | 'stderr' }
  | { readonly type: 'step-progress'; readonly stepId: string; readonly host: string; readonly message: string }
  | {
      readonly type: 'subtask';
      readonly stepId: string;
      readonly host: string;
      readonly id: string;
      readonly title: string;
      readonly status: 'pending' | 'running' | 'ok' | 'changed' | 'failed' | 'skipped' | 'unknown';
      readonly message?: string;
    }
  | {
      readonly type: 'step-end';
      readonly play: number;
      readonly stepId: string;
      readonly name: string;
      readonly host: string;
      readonly phase: StepPhase;
      readonly status: StepStatus;
      readonly ignored: boolean;
      readonly msg?: string;
      /** Dry run: what the step would do. */
      readonly plan?: string;
      readonly durationMs: number;
      readonly item?: string;
    }
  | { readonly type: 'warning'; readonly message: string; readonly host?: string; readonly stepId?: string }
  | { readonly type: 'phase'; readonly phase: 'reverting' | 'interrupted'; readonly message: string }
  | { readonly type: 'undo-registered'; readonly obligationId: string; readonly stepId: string; readonly host: string; readonly description: string }
  | { readonly type: 'undo-done'; readonly obligationId: string; readonly host: string; readonly ok: boolean; readonly msg?: string }
  | { readonly type: 'play-end'; readonly play: number; readonly name: string }
  | {
      readonly type: 'run-end';
      readonly status: RunStatus;
      readonly exitCode: number;
      readonly recap: Readonly<Record<string, HostCounts>>;
      readonly durationMs: number;
    };

export type EventSink = (event: RunEvent) => void;

export function emptyCounts(): HostCounts {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0, rescued: 0, unknown: 0 };
}
