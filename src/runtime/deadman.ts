// The dead-man timer on a host, as systemd does it: `systemd-run --on-active` runs a script after a
// delay unless `systemctl stop UNIT.timer` comes first. The command often holds a secret (a database
// password): it is written over the SSH channel's stdin into a root-only file under /run, and the unit
// (world-readable in /run/systemd/transient, shown by `systemctl show`) names only that file; the
// script removes itself when it runs.

import type { DeadmanTimer, ServiceAnswer } from '../steps/types.js';
import type { RemoteTransport } from '../transports/types.js';
import { shellQuote } from '../util/shell-quote.js';

/** Where armed dead-man scripts wait on the host (tmpfs: like the transient timer, gone at a reboot). */
function deadmanDir(): string {
  return process.env['STACKPLAY_DEADMAN_DIR'] || '/run/stackplay-deadman';
}

export function deadmanScript(unit: string): string {
  return `${deadmanDir()}/${unit}.sh`;
}

/** Writes the script and starts the timer; a refusal (systemd-run failing) leaves no script behind. */
export async function armTimer(t: RemoteTransport, timer: DeadmanTimer): Promise<ServiceAnswer> {
  const file = deadmanScript(timer.unit);
  const script = `# stackplay dead-man switch ${timer.unit}: runs unless the run disarms it\nrm -f "$0"\n${timer.command}\n`;
  const cleanup = (): Promise<unknown> => t.exec(`rm -f ${shellQuote(file)}`).catch(() => undefined); // no secret left behind
  const r = await t.exec(
    `umask 077 && mkdir -p ${shellQuote(deadmanDir())} && cat > ${shellQuote(file)} && systemd-run --on-active=${timer.afterSeconds}s --unit=${shellQuote(timer.unit)} /bin/sh ${shellQuote(file)}`,
    { stdin: script },
  ).catch(async (err: unknown) => {
    await cleanup();
    throw err;
  });
  if (r.rc === 0) return { ok: true };
  await cleanup();
  return { ok: false, reason: `systemd-run exit ${r.rc}: ${(r.stderr || r.stdout).trim()}` };
}

/**
 * Removes the script and stops the timer (the answer is systemctl's). A unit that is not loaded is
 * disarmed too: the journal names a timer before it is armed, so the runner may have died before it was.
 */
export async function disarmTimer(t: RemoteTransport, unit: string): Promise<ServiceAnswer> {
  const r = await t.exec(`rm -f ${shellQuote(deadmanScript(unit))}; systemctl stop ${shellQuote(`${unit}.timer`)}`);
  if (r.rc === 0 || (r.rc === 5 && /not loaded/.test(r.stderr))) return { ok: true };
  return { ok: false, reason: `systemctl stop exit ${r.rc}: ${(r.stderr || r.stdout).trim()}` };
}
