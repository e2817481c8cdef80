import { expect } from 'chai';
import { runYaml, play } from '../support/run-yaml.js';
import { SecretRegistry } from '../../src/secrets/masker.js';
import type { RunEvent } from '../../src/engine/events.js';
import { existsSync, rmSync } from 'node:fs';

type End = Extract<RunEvent, { type: 'step-end' }>;

describe('executor: dry run and masking', () => {
  const marker = `/tmp/stackplay-dry-${process.pid}`;
  afterEach(() => rmSync(marker, { force: true }));

  it('predicts writes without running them; later conditions on their results are unknown, not false', async () => {
    const { events, summary } = await runYaml(play(`
      - {name: write, local: "touch ${marker}", register: w}
      - {name: depends, log: "rc was {{w.rc}}", when: "w.rc == 0"}
      - {name: independent, log: x, when: "1 == 1"}
      - {name: read, assert: "dry_run"}`), { dryRun: true });
    expect(existsSync(marker)).to.equal(false);
    const ends = events.filter((e): e is End => e.type === 'step-end');
    expect(ends.map((e) => `${e.name}:${e.status}`)).to.deep.equal(['write:changed', 'depends:unknown', 'independent:ok', 'read:ok']);
    expect(ends[0]!.plan).to.equal(`would run on the runner: touch ${marker}`);
    expect(ends[1]!.msg).to.include('unknown');
    expect(summary.recap.localhost!.unknown).to.equal(1);
  });

  it('a loop in a dry run says what each item would do, and whether it changes anything stays unknown', async () => {
    const { events } = await runYaml(play(`
      - {name: write, local: "touch ${marker}", register: w}
      - {name: each, local: "echo {{item}}", loop: [a, b], register: plain}
      - {name: gated, local: "echo {{item}}", loop: [c, d], when: "w.rc == 0", register: l}
      - {name: report, log: "changed={{l.changed}} failed={{l.failed}}"}`), { dryRun: true });
    const items = events.filter((e): e is Extract<RunEvent, { type: 'step-progress' }> => e.type === 'step-progress' && e.progress?.kind === 'item');
    expect(items.slice(0, 2).map((e) => e.message)).to.deep.equal([
      'item 1/2: changed — would run on the runner: echo a', 'item 2/2: changed — would run on the runner: echo b',
    ]);
    expect(items[0]!.progress).to.deep.include({ plan: 'would run on the runner: echo a' });
    const ends = events.filter((e): e is End => e.type === 'step-end');
    expect(ends.find((e) => e.name === 'each')!.plan).to.equal('2 item(s): would run on the runner: echo a; would run on the runner: echo b');
    // the gated items' outcome is unknown, so is whether they changed or failed anything
    // (the old engine said 'changed=false failed=false')
    expect(ends.find((e) => e.name === 'report')!.msg).to.equal('<unknown: whether the loop changes something (dry run); whether the loop fails (dry run)>');
  });

  it('dry_run: run runs a write-typed step for real in a dry run, so later steps see its result', async () => {
    const { events } = await runYaml(play(`
      - {name: predicted, local: "echo one", register: a}
      - {name: real, local: "echo two", dry_run: run, register: b}
      - {name: uses, log: "{{b.stdout}}"}`), { dryRun: true });
    const ends = events.filter((e): e is End => e.type === 'step-end');
    expect(ends.map((e) => `${e.name}:${e.status}`)).to.deep.equal(['predicted:changed', 'real:changed', 'uses:ok']);
    expect(ends[0]!.plan).to.equal('would run on the runner: echo one');
    expect(ends[1]!.plan).to.equal(undefined);
    expect(ends[2]!.msg).to.equal('two');
  });

  it('evaluates creates/removes guards live in a dry run', async () => {
    const { events } = await runYaml(play(`
      - {name: guarded, local: {command: "echo hi", creates: /}}`), { dryRun: true });
    const e = events.find((x): x is End => x.type === 'step-end')!;
    expect(e.status).to.equal('ok');
    expect(e.plan).to.include('skipped: / exists');
  });

  it('masks secret values in every event, including errors and the dry-run plan', async () => {
    const secrets = new SecretRegistry();
    const inv = 'hosts:\n  h1:\n    address: 127.0.0.1\n    vars:\n      token: {secret: "s3cr3t-t0ken"}\n';
    const text = [
      'name: t', 'plays:', '  - name: p', '    hosts: h1', '    steps:',
      '      - {name: "say {{token}}", log: "token is {{token}}"}',
      '      - {name: plan, local: "echo X: {{token}} > /dev/null"}',
      '      - {name: boom, fail: "bad token {{token}}"}',
    ].join('\n');
    for (const dryRun of [true, false]) {
      const { events } = await runYaml(text, { inventory: inv, secrets, dryRun });
      const all = JSON.stringify(events);
      expect(all).to.not.include('s3cr3t-t0ken');
      expect(all).to.include('token is ***');
      expect(all).to.include('bad token ***');
    }
  });
});
