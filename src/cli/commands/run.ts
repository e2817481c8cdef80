// `stackplay run`: load and validate everything, check host keys before the task list starts, then
// run the playbook with the chosen renderer, handle Ctrl-C/SIGTERM, and exit with the run's code.

import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Play, Step } from '../../loader/ast.js';
import { runPlaybook } from '../../engine/executor.js';
import type { RunEvent } from '../../engine/events.js';
import { selectHosts } from '../../inventory/pattern.js';
import type { Inventory } from '../../inventory/types.js';
import { jsonRenderer } from '../../renderers/json.js';
import { plainRenderer } from '../../renderers/plain.js';
import { DefaultRunServices } from '../../runtime/services.js';
import { stepRegistry } from '../../steps/registry.js';
import type { StepType } from '../../steps/types.js';
import { EXIT, flushStdout, UsageError, type Io } from '../output.js';
import { Interrupts } from '../interrupt.js';
import { runTargets } from '../run-targets.js';
import { selectionProblems } from '../../loader/check-selection.js';
import type { LoadedInput } from '../load-input.js';
import { cloudstackFactory } from '../../runtime/cloudstack-factory.js';
import { isSecretName } from '../../secrets/names.js';

export interface RunFlags {
  readonly dryRun?: boolean;
  readonly forks?: number;
  readonly limit?: string;
  readonly tags?: string[];
  readonly skipTags?: string[];
  readonly startAtStep?: string;
  readonly output?: 'auto' | 'tasklist' | 'plain' | 'json';
  readonly acceptNewHostKeys?: boolean;
  /** Journal (dry runs too, marked so): where, and the inputs recorded in its header. */
  readonly journalDir?: string;
  readonly force?: boolean;
  readonly playbookRef?: string;
  readonly inventoryPath?: string;
  readonly extraArgs?: readonly string[];
  /** `stackplay resume`: continue this journaled run. */
  readonly resume?: import('../../engine/executor.js').ResumeState;
}

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `${t}-${randomBytes(2).toString('hex')}`;
}

/** Hosts that need an SSH connection: the play's hosts when a step runs there, plus the hosts steps name. */
export function hostsNeedingSsh(plays: readonly Play[], inventory: Inventory, types: ReadonlyMap<string, StepType>, limit?: string): string[] {
  const out = new Set<string>();
  const allowed = limit ? new Set(selectHosts(inventory, limit)) : null;
  for (const play of plays) {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => !allowed || allowed.has(h));
    const steps: Step[] = [...play.steps, ...play.handlers];
    let needs = false;
    const visit = (s: Step): void => {
      if (s.kind === 'block') [...s.block, ...s.rescue, ...s.always].forEach(visit);
      else {
        const def = types.get(s.type);
        if (def?.runsOn === 'host') needs = true;
        // a step aimed at another host or through one (its schema says which arguments name hosts, and
        // how they are used) needs those connections too
        for (const { name, use } of def?.hostArgs ?? []) {
          const v = s.args[name];
          if (typeof v !== 'string' || v.includes('{{') || !inventory.hosts.has(v)) continue;
          if (use === 'ssh') out.add(v);
          const via = inventory.hosts.get(v)?.cloudstack?.via;
          if (via) out.add(via);
        }
      }
      s.undo.forEach(visit);
    };
    steps.forEach(visit);
    for (const h of hosts) {
      if (needs) out.add(h);
      const via = inventory.hosts.get(h)?.cloudstack?.via;
      if (via) out.add(via);
    }
  }
  return [...out];
}

export async function runCommand(io: Io, input: LoadedInput, flags: RunFlags, runId = newRunId()): Promise<number> {
  const unmatched = selectionProblems(input.playbook, flags);
  if (unmatched.length > 0) throw new UsageError(unmatched.join('\n'));
  // checks that can refuse the run come first, before any connection is opened
  let journal: import('../../journal/journal.js').Journal | undefined;
  if (flags.journalDir !== undefined) {
    const { Journal } = await import('../../journal/journal.js');
    const { checkNoOpenRuns } = await import('./journal-commands.js');
    const targets = runTargets(input.playbook.plays, input.inventory, flags.limit);
    // a dry run changes nothing: it is journaled (its plan) but neither refused nor counted by the guard
    if (!flags.force && !flags.dryRun) checkNoOpenRuns(flags.journalDir, targets, flags.inventoryPath ?? null, flags.resume ? runId : undefined);
    try {
      journal = new Journal(flags.journalDir, runId, input.secrets);
    } catch (err) {
      throw new UsageError(`cannot write the run journal in ${flags.journalDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (use --journal-dir or STACKPLAY_JOURNAL_DIR)`);
    }
    if (!flags.resume) journal.header({
      runId, playbook: flags.playbookRef ?? input.playbook.file, inventory: flags.inventoryPath ? resolve(flags.inventoryPath) : null,
      extraArgs: maskExtraArgs(flags.extraArgs ?? []), cwd: process.cwd(), started: new Date().toISOString(), ...(flags.force ? { forced: true } : {}),
      ...(flags.dryRun ? { dryRun: true } : {}), targets,
      options: {
        ...(flags.limit !== undefined ? { limit: flags.limit } : {}), ...(flags.tags ? { tags: flags.tags } : {}),
        ...(flags.skipTags ? { skipTags: flags.skipTags } : {}), ...(flags.startAtStep !== undefined ? { startAtStep: flags.startAtStep } : {}),
        ...(flags.forks !== undefined ? { forks: flags.forks } : {}),
      },
    });
  }
  const services = new DefaultRunServices({
    inventory: input.inventory, secrets: input.secrets, cloudstackFactory, ...(flags.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    // async job ids go to the journal as they are submitted, so a resumed run can wait for them
    record: (kind, data) => {
      if (kind === 'job' && typeof data.key === 'string' && typeof data.jobid === 'string') {
        journal?.write({ t: 'job', key: data.key, jobid: data.jobid, command: String(data.command ?? '') }, true);
      }
    },
    ...(flags.resume ? { priorJobs: flags.resume.jobs } : {}),
  });
  const output = flags.output ?? 'auto';
  const tty = process.stdout.isTTY === true && process.env.CI !== 'true' && process.env.TERM !== 'dumb';
  const mode = output === 'auto' ? (tty ? 'tasklist' : 'plain') : output;
  // under the task list, stderr is held back until the list ends: notices are drawn in the list instead
  let notice = (text: string): void => io.err(`${io.errStyle.yellow(text)}\n`);
  let abandon = (): void => undefined;
  const interrupts = new Interrupts({
    runId,
    notice: (text) => notice(text),
    force: (sig, open) => {
      abandon();
      journal?.write({ t: 'forced', signal: sig, open });
      journal?.close();
      io.err(`${io.errStyle.red(`${sig}: forced exit.`)} ${open > 0
        ? `${open} undo obligation(s) were left open; run 'stackplay recover ${runId}' to revert them (the journal is ${journal?.path ?? 'not written'}).`
        : 'No undo obligation was open.'}\n`);
      flushStdout();
      process.exit(EXIT.interrupted);
    },
  });
  interrupts.install();
  let exitCode: number | undefined;
  let started = false;
  try {
    // unknown or changed host keys fail here, for every host at once, before anything runs
    await services.preflight(hostsNeedingSsh(input.playbook.plays, input.inventory, stepRegistry, flags.limit));

    let render: (e: RunEvent) => void;
    let done: Promise<void> = Promise.resolve();
    if (mode === 'json') render = jsonRenderer(io.out);
    else if (mode === 'plain') render = plainRenderer(io.out, io.style);
    else {
      const { taskListRenderer } = await import('../../renderers/tasklist.js');
      const r = await taskListRenderer(input.playbook, io.style, io.out);
      render = r.sink;
      done = r.done;
      notice = r.notice;
      abandon = r.abandon;
    }
    const j = journal;
    const sink = (e: RunEvent): void => {
      if (e.type === 'run-start') started = true;
      j?.sink(e);
      interrupts.observe(e);
      render(e);
    };
    const summary = await runPlaybook({
      runId, playbook: input.playbook, inventory: input.inventory, steps: stepRegistry, extraVars: input.extraVars,
      dryRun: flags.dryRun ?? false, forks: flags.forks ?? 10, secrets: input.secrets, services, sink, interrupt: interrupts.controller.signal,
      ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
      ...(flags.tags ? { tags: flags.tags } : {}),
      ...(flags.skipTags ? { skipTags: flags.skipTags } : {}),
      ...(flags.startAtStep !== undefined ? { startAt: flags.startAtStep } : {}),
      // a dry run's obligations are predictions: only real runs journal them (for recover and resume)
      ...(journal && !flags.dryRun ? { journal } : {}),
      ...(flags.resume ? { resume: flags.resume } : {}),
    });
    await done;
    exitCode = summary.exitCode;
    return summary.exitCode;
  } catch (err) {
    // refused before anything ran: the journal says so, instead of looking like a crashed run forever
    if (!started) journal?.write({ t: 'refused', msg: err instanceof Error ? err.message : String(err) }, true);
    throw err;
  } finally {
    // whatever failed above (a host key, a refusal), no connection may keep the process alive
    await services.close().catch(() => undefined);
    journal?.close();
    if (exitCode === undefined) interrupts.uninstall();
    else {
      const code = exitCode;
      interrupts.finished(() => {
        flushStdout();
        process.exit(code);
      });
    }
  }
}

/** -e values recorded in the journal: values of secret-looking names are masked (the journal never holds a secret). */
function maskExtraArgs(args: readonly string[]): string[] {
  return args.map((a) => {
    const eq = a.indexOf('=');
    if (a.startsWith('@') || eq <= 0) return a;
    return isSecretName(a.slice(0, eq)) ? `${a.slice(0, eq)}=***` : a;
  });
}

export { EXIT };
