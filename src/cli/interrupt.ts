// Ctrl-C, SIGTERM and SIGHUP during a run belong to stackplay alone, in every output mode: the first
// stops the run after the running step and reverts (undo/always); the second says what is still being
// reverted and how to leave anyway; the third leaves at once, with the journal closed so that
// `stackplay recover` can finish the revert later.

import type { RunEvent } from '../engine/events.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/**
 * Under `npm exec`/`npx` with a script shell that execs stackplay (bash), one Ctrl-C arrives twice:
 * from the terminal, and forwarded by npm a moment later. The same signal again within this window is
 * that echo, not the operator's second Ctrl-C (counting fewer is the safe side: leaving needs another).
 */
const ECHO_MS = 500;

interface InterruptHooks {
  readonly runId: string;
  /** Shows a line to the operator where it will be seen (under the task list, or on stderr). */
  notice(text: string): void;
  /** The third signal: stop drawing, close the journal, say how to recover, exit. Never returns. */
  force(signal: NodeJS.Signals, open: number): never;
}

export class Interrupts {
  readonly controller = new AbortController();
  private count = 0;
  private last: { readonly sig: NodeJS.Signals; readonly at: number } | undefined;
  /** The step each host is running now (undo and always steps included). */
  private readonly running = new Map<string, { stepId: string; name: string; phase: string }>();
  private readonly openUndo = new Set<string>();
  private readonly onSignal = (sig: NodeJS.Signals): void => this.received(sig);

  constructor(private readonly hooks: InterruptHooks) {}

  install(): void {
    for (const sig of SIGNALS) process.on(sig, this.onSignal);
  }

  uninstall(): void {
    for (const sig of SIGNALS) process.off(sig, this.onSignal);
  }

  /**
   * The run is over (its journal closed): a signal from now on only hurries the exit along, with the
   * run's own code — without a handler, Node's default would end the process as killed (143 for SIGTERM)
   * while it closes its last connections.
   */
  finished(exit: () => void): void {
    this.uninstall();
    for (const sig of SIGNALS) process.once(sig, exit);
  }

  /** Follows the run's events: what runs where, and which undo obligations are still open. */
  observe(e: RunEvent): void {
    switch (e.type) {
      case 'step-start':
        this.running.set(e.host, { stepId: e.stepId, name: e.name, phase: e.phase });
        return;
      case 'step-end':
        if (this.running.get(e.host)?.stepId === e.stepId) this.running.delete(e.host);
        return;
      case 'undo-registered':
        this.openUndo.add(e.obligationId);
        return;
      case 'undo-done':
        if (e.ok) this.openUndo.delete(e.obligationId);
        return;
      default:
        return;
    }
  }

  private received(sig: NodeJS.Signals): void {
    const now = Date.now();
    const echo = this.last !== undefined && this.last.sig === sig && now - this.last.at < ECHO_MS;
    this.last = { sig, at: now };
    if (echo) return;
    this.count += 1;
    if (this.count === 1) {
      this.hooks.notice(`${sig}: stopping after the running step; reverting open changes (undo/always)…`);
      this.controller.abort();
    } else if (this.count === 2) {
      this.hooks.notice(`${sig} again: ${this.stillRunning()} Waiting is the safe choice. To leave anyway, press Ctrl-C (or send ${sig}) once more: ` +
        `the open undo steps stay in the journal, and 'stackplay recover ${this.hooks.runId}' runs them later.`);
    } else {
      this.hooks.force(sig, this.openUndo.size);
    }
  }

  /** What the operator would abandon: the steps running now, and the undo obligations still open. */
  private stillRunning(): string {
    const now = [...this.running].map(([host, r]) => (r.phase === 'main'
      ? `waiting for '${r.name}' on ${host} to stop`
      : `reverting: '${r.name}' (${r.phase}) on ${host}`));
    const open = this.openUndo.size;
    const undo = open > 0 ? `${open} undo obligation${open === 1 ? '' : 's'} still open.` : 'no undo obligation open.';
    return `${now.length > 0 ? `${now.join('; ')}; ` : ''}${undo}`;
  }
}
