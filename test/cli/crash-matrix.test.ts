// Crash-safety acceptance of the bundled systemvm-restart playbook (issue 7): the runner is stopped by
// SIGINT, SIGTERM or SIGKILL at every step boundary of a real run against the lab, in every output mode
// (JSON, plain, and the task list in a real 120×40 pseudo-terminal, where SIGINT is a typed Ctrl-C), and
// whatever happens the integration port ends closed with its old database value; resume does not redo
// finished work, and the dead-man timer closes the port when nobody comes back.

import { expect } from 'chai';
import Mocha from 'mocha';
import {
  type CaseEnv, type CliResult, type RunEvent, type Settled, type Signal,
  cli, closeCase, isMainStart, journalText, newCase, pool, runAndKill, runAndKillWhen, runPlaybook, settle, unwrap, waitUntil,
} from './crash-support.js';
import type { Mode } from './crash-modes.js';
import { lastScreen } from './pty.js';

// Fast enough that a whole run takes seconds (a management-server restart is 30 s of lab time).
const SPEED = 1000;
// Side by side cases mostly wait on the runner's polls; four overlap well on two cores.
const WIDTH = 4;
const SIGNALS: readonly Signal[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];
// CRASH_MODES=tasklist (or json,plain) runs part of the matrix while working on one output mode
const MODES: readonly Mode[] = (process.env['CRASH_MODES']?.split(',') as Mode[] | undefined) ?? ['json', 'plain', 'tasklist'];

interface Boundary { readonly stepId: string; readonly name: string }

/** What a case leaves behind, read before its lab stops. */
interface Outcome {
  readonly run: CliResult & { readonly killedAt?: string };
  readonly after?: CliResult;
  readonly dbValue: string | null | undefined;
  readonly ms: ReturnType<CaseEnv['lab']['state']>['managementServer'];
  readonly journal: string;
  readonly secrets: readonly string[];
  readonly sysvmadmRuns: number;
}

async function outcome(c: CaseEnv, run: Outcome['run'], after?: CliResult): Promise<Outcome> {
  const st = c.lab.state();
  return {
    run, ...(after ? { after } : {}), dbValue: st.settings['integration.api.port'], ms: st.managementServer,
    journal: journalText(c.journal), secrets: [c.lab.secretKey, c.lab.apiKey, c.lab.dbPassword], sysvmadmRuns: st.sysvmadmRuns.length,
  };
}

/** Kill at the k-th boundary; SIGKILL is followed by `stackplay recover`. */
async function crashCase(k: number, signal: Signal, mode: Mode): Promise<Outcome> {
  const c = await newCase(SPEED);
  try {
    const run = await runAndKill(c, k, signal, mode);
    const rec = signal === 'SIGKILL' ? await cli(['recover', '--journal-dir', c.journal], c) : undefined;
    return await outcome(c, run, rec);
  } finally {
    await closeCase(c);
  }
}

/** SIGKILL at the k-th boundary, then `stackplay resume`. */
async function resumeCase(k: number): Promise<Outcome> {
  const c = await newCase(SPEED);
  try {
    const run = await runAndKill(c, k, 'SIGKILL');
    const res = await cli(['resume', '--journal-dir', c.journal, '-o', 'json'], c);
    return await outcome(c, run, res);
  } finally {
    await closeCase(c);
  }
}

const why = (o: Outcome): string => `run: ${o.run.stderr.slice(-800)}\nafter: ${(o.after?.stdout ?? '').slice(-1500)}${(o.after?.stderr ?? '').slice(-800)}`;

/** The port is shut for good: old DB value, a running management server that does not listen on it. */
function expectClosed(o: Outcome): void {
  expect(o.dbValue, `integration.api.port in the DB\n${why(o)}`).to.equal('0');
  expect(o.ms.state, 'management server state').to.equal('running');
  expect(o.ms.apiListening, 'API listening').to.equal(true);
  expect(o.ms.integrationPort.listening, 'integration port listening').to.equal(false);
}

function expectNoSecrets(o: Outcome): void {
  expect(o.journal, 'the journal was written').to.include('"t":');
  const output = [o.run.stdout, o.run.stderr, o.after?.stdout ?? '', o.after?.stderr ?? ''].join('\n');
  for (const s of o.secrets) {
    expect(o.journal.includes(s), 'a lab secret in the journal').to.equal(false);
    expect(output.includes(s), 'a lab secret in the output').to.equal(false);
  }
}

const mainEnds = (events: readonly RunEvent[]): RunEvent[] => events.filter((e) => e.type === 'step-end' && e.phase === 'main');

describe('crash matrix: systemvm-restart at every step boundary (SIGINT, SIGTERM, SIGKILL)', function () {
  this.timeout(300_000);
  let boundaries: Boundary[] = [];
  let baseline: Outcome | undefined;
  const pending: Array<Promise<Settled<Outcome>>> = [];

  before(async function () {
    const c = await newCase(SPEED);
    try {
      baseline = await outcome(c, await runPlaybook(c));
    } finally {
      await closeCase(c);
    }
    boundaries = baseline.run.events.filter(isMainStart).map((e) => ({ stepId: e.stepId ?? '?', name: e.name ?? '?' }));
    if (baseline.run.status !== 0 || boundaries.length === 0) return; // the first test says why

    // One test per case, added now that the boundaries are known; the cases run WIDTH at a time.
    const suite = this.test!.parent!;
    const jobs: Array<() => Promise<Outcome>> = [];
    const tests: Array<(p: Promise<Settled<Outcome>>) => Mocha.Test> = [];
    boundaries.forEach((b, i) => {
      for (const mode of MODES) for (const signal of SIGNALS) {
        jobs.push(() => crashCase(i + 1, signal, mode));
        tests.push((p) => new Mocha.Test(`${mode}: ${signal} at boundary ${i + 1} (${b.stepId} ${b.name}): port closed, DB value '0', no secrets`, async () => {
          const o = await unwrap(p);
          expect(o.run.killedAt, `the runner reached the boundary\n${why(o)}`).to.equal(b.stepId);
          if (signal === 'SIGKILL') {
            expect(o.run.signal).to.equal('SIGKILL');
            // at the port-opening boundary this fails whenever the kill lands inside that step (a bug: see the
            // 'SIGKILL inside "Open the integration port"' tests below, which hit that window every time)
            expect(o.after?.status, `recover\n${why(o)}`).to.equal(0);
          } else {
            // near the end the few remaining steps take a millisecond each: when every step had started and
            // the run ended well, the signal came too late to stop anything and exit 0 is right
            const started = o.run.events.filter(isMainStart).length;
            const finished = started === boundaries.length && o.run.events.some((e) => e.type === 'run-end' && e.exitCode === 0);
            expect(o.run.status, `exit code (${started} of ${boundaries.length} steps started)\n${why(o)}`).to.be.oneOf(finished ? [130, 0] : [130]);
            // once the port-opening step has ended its undo is on record, and the interrupt must discharge it
            if (boundaries.findIndex((x) => /^Open the integration port/.test(x.name)) < i) {
              expect(o.journal).to.match(/"t":"discharged"[^\n]*"ok":true/);
              // and the operator sees it: the last screen lists the undo steps that ran
              if (mode === 'tasklist' && o.run.status === 130) expect(lastScreen(o.run.stdout)).to.match(/undo \(reverting changes\)\n\s+✔ Close the integration port on every management server/);
            }
          }
          expectClosed(o);
          expectNoSecrets(o);
        }));
      }
    });
    const resumeAt = boundaries
      .map((b, i) => ({ b, k: i + 1 }))
      .filter(({ b }) => /^(sysvmadm reported|System VMs are Running|Running routers|Restart done)/.test(b.name));
    for (const { b, k } of resumeAt) {
      jobs.push(() => resumeCase(k));
      tests.push((p) => new Mocha.Test(`SIGKILL at boundary ${k} (${b.stepId} ${b.name}), then resume: finished steps are skipped, sysvmadm runs once, port closed`, async () => {
        const o = await unwrap(p);
        expect(o.run.killedAt, why(o)).to.equal(b.stepId);
        const res = o.after!;
        expect(res.status, `resume\n${why(o)}`).to.equal(0);
        // leaf steps only: a block has no step-start of its own, and re-entering it to skip its children is fine
        const started = new Set(o.run.events.filter(isMainStart).map((e) => e.stepId));
        const doneBefore = new Set(mainEnds(o.run.events).filter((e) => e.status !== 'failed' && started.has(e.stepId)).map((e) => e.stepId));
        expect(doneBefore.size, 'steps finished before the kill').to.be.greaterThan(10);
        const resumed = mainEnds(res.events);
        for (const id of doneBefore) {
          const e = resumed.find((x) => x.stepId === id);
          expect(e?.status, `${id} in the resumed run`).to.equal('skipped');
          expect(e?.msg, `${id} in the resumed run`).to.include('done before the interruption');
        }
        // the killed step itself may or may not have finished; the steps it never reached must really run
        const notReached = boundaries.filter((x) => !started.has(x.stepId));
        expect(notReached.length, 'steps the killed run never reached').to.be.greaterThan(0);
        for (const x of notReached) {
          const e = resumed.find((r) => r.stepId === x.stepId);
          expect(e?.status, `${x.stepId} in the resumed run`).to.be.oneOf(['ok', 'changed']);
        }
        expect(o.sysvmadmRuns, 'cloudstack-sysvmadm runs').to.equal(1);
        expect(res.events.some((e) => e.type === 'run-end' && e.exitCode === 0)).to.equal(true);
        expectClosed(o);
        expectNoSecrets(o);
      }));
    }
    pool(jobs, WIDTH).forEach((p, i) => {
      const settled = settle(p);
      pending.push(settled);
      suite.addTest(tests[i]!(settled));
    });
  });

  after(async () => {
    await Promise.all(pending);
  });

  it('a full run succeeds and has the step boundaries the matrix kills at', () => {
    const o = baseline!;
    expect(o.run.status, why(o)).to.equal(0);
    const names = boundaries.map((b) => b.name);
    for (const want of [/^Open the integration port/, /^Restart the management server/, /^Run cloudstack-sysvmadm/, /^System VMs are Running/, /^No server listens and the database value is the one from before/]) {
      expect(names.some((n) => want.test(n)), String(want)).to.equal(true);
    }
    expect(new Set(boundaries.map((b) => b.stepId)).size, 'distinct boundaries').to.equal(boundaries.length);
    expect(o.sysvmadmRuns).to.equal(1);
    expectClosed(o);
    expectNoSecrets(o);
  });
});

describe('crash safety nets outside the matrix', function () {
  this.timeout(180_000);

  it('dead-man: SIGKILL with the port open and no recover; the timer puts the DB value back and its restart closes the port', async () => {
    // 6 h of lab time must pass in a few seconds
    const speed = 4000;
    const c = await newCase(speed);
    try {
      const run = await runAndKillWhen(c, (e) => isMainStart(e) && /^Run cloudstack-sysvmadm/.test(e.name ?? ''), 'SIGKILL');
      expect(run.signal).to.equal('SIGKILL');
      let st = c.lab.state();
      expect(st.managementServer.integrationPort.listening, 'the port is open when the runner dies').to.equal(true);
      expect(st.settings['integration.api.port']).to.equal(String(c.port));
      expect(st.timers.map((t) => t.state), 'a timer on each management server').to.deep.equal(['waiting', 'waiting']);
      // a hang guard sized from the lab speed (6 h, and the second server's 10 min stagger), not a timing assertion
      const labWaitMs = (7 * 3600_000) / c.lab.speed;
      await waitUntil(() => c.lab.state().timers.every((t) => t.state === 'ran'), 'the dead-man timers to fire', labWaitMs + 60_000);
      // a timer is 'ran' when its script starts: wait for what the scripts do (the restart of mgmt1 comes after
      // its mysql and curl), every server back and no port listening, under the same hang guard
      await waitUntil(() => c.lab.state().managementServers.every((m) => m.state === 'running' && m.apiListening && !m.integrationPort.listening),
        'every management server back, none listening, after the timer scripts', labWaitMs + 60_000);
      st = c.lab.state();
      expect(st.settings['integration.api.port']).to.equal('0');
      expect(st.managementServers.map((m) => [m.name, m.integrationPort.listening])).to.deep.equal([['mgmt1', false], ['mgmt2', false]]);
      const j = journalText(c.journal);
      for (const s of [c.lab.secretKey, c.lab.apiKey, c.lab.dbPassword]) expect(j.includes(s), 'a lab secret in the journal').to.equal(false);
    } finally {
      await closeCase(c);
    }
  });

  // The kill lands inside the step that opens the port, after the dead-man timer was armed: the undo has no
  // recorded result, and recover must still run it, then disarm the timer (so it does not fire hours later).
  it('SIGKILL inside "Open the integration port", right after the dead-man timer is armed: recover still restores and closes the port', async () => {
    const c = await newCase(SPEED);
    try {
      const run = await killInsideOpenStep(c);
      expect(run.killedAt, 'killed inside the step').to.not.equal(undefined);
      const rec = await cli(['recover', '--journal-dir', c.journal], c);
      const st = c.lab.state();
      const timer = st.timers.map((t) => t.state).join(',');
      expect(rec.status, `recover (timers now ${timer}, DB ${st.settings['integration.api.port']}):\n${rec.stdout.slice(-1500)}`).to.equal(0);
      expect(st.settings['integration.api.port']).to.equal('0');
      expect(st.timers.length, 'timers armed (the kill lands after the first or after both)').to.be.within(1, 2);
      expect(st.timers.map((t) => t.state), 'recover disarmed the dead-man timers').to.deep.equal(st.timers.map(() => 'stopped'));
      for (const [ms, a] of Object.entries(st.hostActivity)) for (const t of a.timers) expect((await c.lab.exec(ms, `test -e ${t.command.replace('/bin/sh ', '')}`)).code, `its script on ${ms}`).to.equal(1);
      // the value must hold across the next restart, whoever does it
      await c.lab.restartManagementServer();
      expect(c.lab.state().managementServer.integrationPort.listening).to.equal(false);
    } finally {
      await closeCase(c);
    }
  });

  it('SIGKILL inside "Open the integration port", then resume: the run finishes with exit 0 and the port closed', async () => {
    const c = await newCase(SPEED);
    try {
      const run = await killInsideOpenStep(c);
      expect(run.killedAt, 'killed inside the step').to.not.equal(undefined);
      const res = await cli(['resume', '--journal-dir', c.journal, '-o', 'json'], c);
      const st = c.lab.state();
      expect(st.settings['integration.api.port']).to.equal('0');
      expect(st.managementServer.integrationPort.listening).to.equal(false);
      const failed = mainEnds(res.events).concat(res.events.filter((e) => e.type === 'step-end' && e.phase === 'undo')).filter((e) => e.status === 'failed');
      expect(res.status, `resume; failed steps: ${failed.map((e) => `${e.stepId} ${e.msg ?? ''}`).join('; ')}`).to.equal(0);
      expect(st.sysvmadmRuns.length).to.equal(1);
    } finally {
      await closeCase(c);
    }
  });
  // Fails today: see the report. A real sysvmadm takes minutes to hours; the runner may die in the middle.
  it('SIGKILL while cloudstack-sysvmadm runs, then resume: no second sysvmadm alongside the first, exit 0, port closed', async () => {
    // slow enough that sysvmadm is still working when resume starts
    const c = await newCase(20);
    try {
      const run = await runAndKillWhen(c, (e) => e.type === 'step-progress' && /^secondary storage VMs: \d+ to stop/.test(e.message ?? ''), 'SIGKILL');
      expect(run.signal).to.equal('SIGKILL');
      expect(c.lab.state().sysvmadmRuns.map((r) => r.state), 'sysvmadm is still running').to.deep.equal(['running']);
      let most = 0;
      const sample = setInterval(() => {
        most = Math.max(most, c.lab.state().sysvmadmRuns.filter((r) => r.state === 'running').length);
      }, 10);
      const res = await cli(['resume', '--journal-dir', c.journal, '-o', 'json'], c).finally(() => clearInterval(sample));
      const st = c.lab.state();
      expect(st.settings['integration.api.port']).to.equal('0');
      expect(st.managementServer.integrationPort.listening).to.equal(false);
      expect(most, 'cloudstack-sysvmadm runs at the same time').to.equal(1);
      const failed = mainEnds(res.events).filter((e) => e.status === 'failed');
      expect(res.status, `resume; failed: ${failed.map((e) => `${e.stepId} ${e.msg ?? ''}`).join('; ')}`).to.equal(0);
    } finally {
      await closeCase(c);
    }
  });
});

/** Kills the runner inside the port-opening step: its undo is on record, its result is not. */
function killInsideOpenStep(c: CaseEnv): ReturnType<typeof runAndKillWhen> {
  let openStep: string | undefined;
  return runAndKillWhen(c, (e) => {
    if (isMainStart(e) && /^Open the integration port/.test(e.name ?? '')) openStep = e.stepId;
    return e.type === 'step-progress' && e.stepId === openStep && /dead-man timer armed/.test(e.message ?? '');
  }, 'SIGKILL');
}
