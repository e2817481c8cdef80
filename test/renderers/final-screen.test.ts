// The end-of-run screens drawn from a run's record (the task list's last screen and the closing summary
// of every mode), from real runs through the engine: failures at their place, handled failures so marked,
// per-host counts, long `log` output cut, repeated warnings counted.

import { expect } from 'chai';
import type { RunEvent } from '../../src/engine/events.js';
import { loadPlaybook } from '../../src/loader/load-playbook.js';
import { formatFinalTree } from '../../src/renderers/final-tree.js';
import { recordOf, RunRecord } from '../../src/renderers/run-record.js';
import { noStyle } from '../../src/renderers/style.js';
import { formatSummary, summaryEvent } from '../../src/renderers/summary.js';
import { stepRegistry } from '../../src/steps/registry.js';
import { play, runYaml } from '../support/run-yaml.js';

const HOSTS = 'hosts:\n  h1: {address: 127.0.0.1}\n  h2: {address: 127.0.0.1}\n  h3: {address: 127.0.0.1}\ngroups:\n  web: {hosts: [h1, h2, h3]}\n';

async function screens(text: string, inventory?: string, extraVars?: Record<string, unknown>): Promise<{ tree: string; summary: string; record: RunRecord }> {
  const { events } = await runYaml(text, { ...(inventory ? { inventory } : {}), ...(extraVars ? { extraVars } : {}) });
  const loaded = loadPlaybook('t.yml', text, { steps: stepRegistry });
  if (!loaded.ok) throw new Error('bad playbook');
  const record = recordOf(events);
  return { tree: formatFinalTree(loaded.playbook, record, noStyle).join('\n'), summary: formatSummary(record, noStyle).join('\n'), record };
}

describe('end-of-run screens', () => {
  it('one host of three fails: counts on the step line, the host and its message under it and in the summary', async () => {
    const { tree, summary } = await screens(play(`
      - {name: maybe fail, fail: "the disk is full", when: "inventory_hostname == 'h2'"}
      - {name: next, log: x}`, { hosts: 'web' }), HOSTS);
    expect(tree).to.match(/^✖ p \[h1, h2, h3\]/m);
    expect(tree).to.match(/✖ maybe fail \[skipped 2, failed 1\]\n\s+› h2: the disk is full/);
    expect(tree).to.match(/✔ next \[ok 2\]/);
    expect(summary).to.equal('FAILED (1 failure)\n  ✖ h2  maybe fail: the disk is full');
  });

  it('a failure inside a block with ignore_errors is marked handled, not failed, and the run is not red for it', async () => {
    const { tree, summary, record } = await screens(play(`
      - name: outer
        ignore_errors: true
        block:
          - {name: broken, fail: nope}
      - {name: after, log: y}`));
    expect(tree).to.match(/^✔ p/m);
    expect(tree).to.match(/! outer \[ignored\]/);
    expect(tree).to.match(/✖ broken: nope/);
    expect(record.hardFailures()).to.have.length(0);
    expect(summary).to.match(/^FAILURES HANDLED \(1, by rescue or ignore_errors\)\n\s+! ignored localhost\s+broken: nope$/);
  });

  it('a failure rescued by an inner block stays rescued inside an outer block', async () => {
    const { tree, record } = await screens(play(`
      - name: outer
        block:
          - name: inner
            block:
              - {name: broken, fail: nope}
            rescue:
              - {name: mend, log: mended}
          - {name: then, log: z}`));
    expect(record.failures.map((f) => record.handledAs(f))).to.deep.equal(['rescued']);
    // the outer block did not rescue anything itself, but holds a handled failure
    expect(tree).to.match(/! outer\n\s+! inner \[rescued\]\n\s+✖ broken: nope\n\s+✔ \[rescue\] mend: mended\n\s+✔ then: z/);
  });

  it('a loop of log lines keeps the first twenty on the last screen and counts the rest', async () => {
    const { tree } = await screens(play(`
      - {name: many, log: "line {{item}}", loop: "{{numbers}}"}`), undefined, { numbers: Array.from({ length: 300 }, (_, i) => i + 1) });
    expect(tree).to.include('› line 1\n');
    expect(tree).to.include('› line 20\n');
    expect(tree).to.not.include('line 21\n');
    expect(tree).to.include('… 280 more line(s)');
  });

  it('the same warning from one host comes once with a count; warnings of different hosts each', () => {
    const r = new RunRecord();
    const w = (host: string): RunEvent => ({ type: 'warning', message: 'the port is reachable', host });
    for (const e of [w('h1'), w('h1'), w('h2')]) r.add(e);
    expect(formatSummary(r, noStyle)).to.deep.equal(['WARNINGS (2)', '  ! h1  the port is reachable (×2)', '  ! h2  the port is reachable']);
    expect(summaryEvent(r).warnings).to.deep.equal([
      { host: 'h1', stepId: null, message: 'the port is reachable', count: 2 },
      { host: 'h2', stepId: null, message: 'the port is reachable', count: 1 },
    ]);
  });

  it('failed units of a multi-unit step are listed by name under its failure', () => {
    const r = recordOf([
      { type: 'step-start', play: 1, stepId: '1.1', name: 'Reboot routers', stepType: 'cloudstack.routers', host: 'mgmt1', phase: 'main' },
      { type: 'subtask', stepId: '1.1', host: 'mgmt1', id: 'router:1', title: 'router r-1-VM (zone1): rebootRouter', status: 'ok' },
      { type: 'subtask', stepId: '1.1', host: 'mgmt1', id: 'router:500', title: 'router r-500-VM (zone1): rebootRouter', status: 'failed', message: 'job 77 failed (530): Failed to reboot router' },
      { type: 'step-end', play: 1, stepId: '1.1', name: 'Reboot routers', host: 'mgmt1', phase: 'main', status: 'failed',
        outcome: { kind: 'failed', error: { kind: 'step', code: 'step-failed', message: '1 of 2 unit(s) failed', pos: null } }, ignored: false, msg: '1 of 2 unit(s) failed', durationMs: 5 },
    ]);
    expect(formatSummary(r, noStyle)).to.deep.equal([
      'FAILED (1 failure)',
      '  ✖ mgmt1  Reboot routers: 1 of 2 unit(s) failed',
      '      ✖ router r-500-VM (zone1): rebootRouter: job 77 failed (530): Failed to reboot router',
    ]);
    expect(summaryEvent(r).failures[0]!.units).to.deep.equal([{ name: 'router r-500-VM (zone1): rebootRouter', message: 'job 77 failed (530): Failed to reboot router' }]);
  });

  it('a failure whose message is a list (one item a line) keeps its lines under it in the summary, the first on its own line', () => {
    const msg = 'not ready for 4.20.3.0 (template 4.20.2): 11 pass, 1 warn, 1 fail\nFAIL KVM agents: kvm02 4.19.1.0 → upgrade it\nWARN database backup: none named → set db_backup';
    const r = recordOf([
      { type: 'step-start', play: 1, stepId: '1.1', name: 'Readiness', stepType: 'cloudstack.upgrade_readiness', host: 'mgmt1', phase: 'main' },
      { type: 'step-end', play: 1, stepId: '1.1', name: 'Readiness', host: 'mgmt1', phase: 'main', status: 'failed',
        outcome: { kind: 'failed', error: { kind: 'step', code: 'step-failed', message: msg, pos: null } }, ignored: false, msg, durationMs: 5 },
    ]);
    expect(formatSummary(r, noStyle)).to.deep.equal([
      'FAILED (1 failure)',
      '  ✖ mgmt1  Readiness: not ready for 4.20.3.0 (template 4.20.2): 11 pass, 1 warn, 1 fail',
      '      FAIL KVM agents: kvm02 4.19.1.0 → upgrade it',
      '      WARN database backup: none named → set db_backup',
    ]);
  });
});
