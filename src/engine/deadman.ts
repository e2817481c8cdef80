// Dead-man switch for undo steps: before a step with `undo: { deadman: { after, command } }` runs, a
// systemd timer is armed on the host (`systemd-run --on-active`) that performs the compensation there
// if the runner has not disarmed it in time — so the integration port is closed even when the runner's
// machine is gone for good. Disarmed (script removed, `systemctl stop UNIT.timer`) once the undo has
// succeeded.
// The command often holds a secret (a database password): it is written over the SSH channel's stdin
// into a root-only file under /run, and the unit (world-readable in /run/systemd/transient, shown by
// `systemctl show`) names only that file; the script removes itself when it runs.

import type { TaskStep } from '../loader/ast.js';
import { shellQuote } from '../util/shell-quote.js';
import { renderValue } from './evaluate.js';
import type { RunContext } from './run-context.js';
import type { Obligation } from './undo.js';

/** Where armed dead-man scripts wait on the host (tmpfs: like the transient timer, gone at a reboot). */
export function deadmanDir(): string {
  return process.env['STACKPLAY_DEADMAN_DIR'] || '/run/stackplay-deadman';
}

export function deadmanScript(unit: string): string {
  return `${deadmanDir()}/${unit}.sh`;
}

/** Removes the script and stops the timer (its exit status is the command's); recover uses it too. */
export function disarmCommand(unit: string): string {
  return `rm -f ${shellQuote(deadmanScript(unit))}; systemctl stop ${shellQuote(`${unit}.timer`)}`;
}

export function deadmanUnit(runId: string, obligationId: string): string {
  return `stackplay-deadman-${runId}-${obligationId}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

export async function armDeadman(run: RunContext, step: TaskStep, o: Obligation, scope: Record<string, unknown>, progress: (m: string) => void): Promise<void> {
  let armed = 0;
  for (const u of step.undo) {
    if (u.deadman === undefined) continue;
    const host = u.deadman.host ?? o.host;
    const command = String(renderValue(u.deadman.command, scope, u.pos, `deadman command of '${u.name}'`));
    const seconds = Math.max(1, Math.ceil(u.deadman.afterMs / 1000));
    // several undo steps of one step may each have a timer: each its own unit and script
    armed += 1;
    const unit = armed === 1 ? deadmanUnit(run.opts.runId, o.id) : `${deadmanUnit(run.opts.runId, o.id)}-${armed}`;
    if (run.opts.dryRun) {
      progress(`would arm a dead-man timer on ${host} (${seconds}s): ${command}`);
      continue;
    }
    const transport = await run.opts.services.ssh(host);
    const file = deadmanScript(unit);
    const script = `# stackplay dead-man switch ${unit}: runs unless the run disarms it\nrm -f "$0"\n${command}\n`;
    const cleanup = (): Promise<unknown> => transport.exec(`rm -f ${shellQuote(file)}`).catch(() => undefined); // no secret left behind
    const r = await transport.exec(
      `umask 077 && mkdir -p ${shellQuote(deadmanDir())} && cat > ${shellQuote(file)} && systemd-run --on-active=${seconds}s --unit=${shellQuote(unit)} /bin/sh ${shellQuote(file)}`,
      { stdin: script },
    ).catch(async (err: unknown) => {
      await cleanup();
      throw err;
    });
    if (r.rc !== 0) {
      await cleanup();
      throw new Error(`cannot arm the dead-man timer on ${host} (systemd-run exit ${r.rc}: ${(r.stderr || r.stdout).trim()}); not running '${step.name}'`);
    }
    (o.deadman ??= []).push({ host, unit });
    run.opts.journal?.deadmanArmed?.(o, host, unit);
    progress(`dead-man timer armed on ${host}: fires in ${seconds}s unless disarmed`);
  }
}

export async function disarmDeadman(run: RunContext, o: Obligation): Promise<void> {
  for (const d of o.deadman ?? []) {
    try {
      const transport = await run.opts.services.ssh(d.host);
      const r = await transport.exec(disarmCommand(d.unit));
      if (r.rc !== 0) throw new Error(`systemctl stop exit ${r.rc}: ${(r.stderr || r.stdout).trim()}`);
    } catch (err) {
      run.emit({ type: 'warning', host: d.host, message: `could not disarm dead-man timer ${d.unit}: ${(err as Error).message} (it will perform the undo again when it fires)` });
    }
  }
}
